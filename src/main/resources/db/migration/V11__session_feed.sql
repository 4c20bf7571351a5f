-- Append-only feed of what invalidates cached session checks: ended sessions
-- (kind 'R', by cookie hash) and changed accounts (kind 'A'). Every gateway
-- instance polls it by id (gateway.session.revocation-lag) and drops the
-- entries from its session cache; old rows are pruned. No other server needed.
CREATE TABLE session_feed (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    kind        CHAR(1)      NOT NULL,
    id_hash     CHAR(64)     NULL COLLATE utf8mb4_bin,
    account_id  BIGINT       NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_session_feed_created ON session_feed (created_at);
