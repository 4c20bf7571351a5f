-- Short-lived, single-use sign-on state: where the member was going, and
-- what the protocol needs to check the IdP's answer. Keyed by a hash of the id.
CREATE TABLE sign_on_states (
    id_hash       CHAR(64)      NOT NULL,
    connector_id  VARCHAR(64)   NOT NULL,
    target        VARCHAR(2048) NOT NULL,
    protocol_data TEXT          NULL,
    created_at    BIGINT        NOT NULL,
    expires_at    BIGINT        NOT NULL,
    PRIMARY KEY (id_hash)
);
CREATE INDEX ix_sign_on_states_expiry ON sign_on_states (expires_at);
