-- Community sessions. Only the SHA-256 of the cookie value is stored.
-- Times are epoch seconds (the MySQL driver drops sub-second precision anyway).
CREATE TABLE sessions (
    id_hash            CHAR(64)     NOT NULL,
    account_id         BIGINT       NOT NULL,
    connector_id       VARCHAR(64)  NOT NULL,
    external_id        VARCHAR(255) NOT NULL,
    created_at         BIGINT       NOT NULL,
    last_seen_at       BIGINT       NOT NULL,
    idle_timeout_secs  BIGINT       NOT NULL,
    idle_expires_at    BIGINT       NOT NULL,
    absolute_expires_at BIGINT      NULL,
    idp_session_id     VARCHAR(255) NULL,
    sign_off_handle    VARCHAR(4096) NULL,
    PRIMARY KEY (id_hash),
    CONSTRAINT fk_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX ix_sessions_account ON sessions (account_id);
CREATE INDEX ix_sessions_idle_expiry ON sessions (idle_expires_at);
CREATE INDEX ix_sessions_absolute_expiry ON sessions (absolute_expires_at);
CREATE INDEX ix_sessions_idp_session ON sessions (connector_id, idp_session_id);
