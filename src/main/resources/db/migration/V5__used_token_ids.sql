-- Token / assertion ids already accepted, to refuse replays. Kept until the
-- token itself could no longer be accepted.
CREATE TABLE used_token_ids (
    connector_id VARCHAR(64)  NOT NULL,
    token_id     VARCHAR(128) NOT NULL,
    expires_at   BIGINT       NOT NULL,
    PRIMARY KEY (connector_id, token_id)
);
CREATE INDEX ix_used_token_ids_expiry ON used_token_ids (expires_at);
