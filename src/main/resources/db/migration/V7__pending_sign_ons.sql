-- A verified sign-on waiting for the member to choose a username (or give an
-- email). Stored so it survives a restart of the gateway.
CREATE TABLE pending_sign_ons (
    id_hash         CHAR(64)      NOT NULL,
    connector_id    VARCHAR(64)   NOT NULL,
    external_id     VARCHAR(255)  NOT NULL,
    user_record     TEXT          NOT NULL,
    target          VARCHAR(2048) NOT NULL,
    csrf_token      CHAR(43)      NOT NULL,
    reason          VARCHAR(32)   NOT NULL,
    idp_session_id  VARCHAR(255)  NULL,
    sign_off_handle VARCHAR(4096) NULL,
    created_at      BIGINT        NOT NULL,
    expires_at      BIGINT        NOT NULL,
    PRIMARY KEY (id_hash)
);
CREATE INDEX ix_pending_sign_ons_expiry ON pending_sign_ons (expires_at);
