-- Links from an IdP's user id (per connector) to a community account.
CREATE TABLE external_identities (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    account_id      BIGINT       NOT NULL,
    connector_id    VARCHAR(64)  NOT NULL,
    external_id     VARCHAR(255) NOT NULL,
    created_at      BIGINT       NOT NULL,
    last_sign_on_at BIGINT       NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_external_identity UNIQUE (connector_id, external_id),
    CONSTRAINT fk_external_identity_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX ix_external_identities_account ON external_identities (account_id);
