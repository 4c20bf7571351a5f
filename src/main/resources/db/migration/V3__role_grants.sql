-- Role grants. source = 'idp' (replaced on every sign-on) or 'community'
-- (granted inside the community, never touched by a sync).
CREATE TABLE role_grants (
    account_id  BIGINT      NOT NULL,
    role_id     VARCHAR(64) NOT NULL,
    source      VARCHAR(16) NOT NULL,
    granted_at  BIGINT      NOT NULL,
    PRIMARY KEY (account_id, role_id, source),
    CONSTRAINT fk_role_grants_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
