-- Operators (issue 13). One column or table per statement: the embedded dev database reads them too.

-- What the IdP sent at the last sign-on through each link: its groups and the roles it named
-- directly (JSON arrays; NULL when it said nothing), so a changed role-mapping can be applied
-- without waiting for each member's next sign-on.
ALTER TABLE external_identities ADD COLUMN idp_groups TEXT NULL;
ALTER TABLE external_identities ADD COLUMN idp_roles TEXT NULL;

-- When an operator deactivated the account (accounts.active already refuses its sign-ons).
ALTER TABLE accounts ADD COLUMN deactivated_at BIGINT NULL;

-- The role-mapping last applied per connector (SHA-256 of its canonical form): a start-up with
-- another one re-applies it to every member whose roles came from that connector.
CREATE TABLE connector_role_mappings (
    connector_id  VARCHAR(64) NOT NULL COLLATE utf8mb4_bin,
    mapping_hash  CHAR(64)    NOT NULL,
    applied_at    BIGINT      NOT NULL,
    PRIMARY KEY (connector_id)
);

-- Security events kept for operators (bounded retention, gateway.admin.audit-retention), besides the
-- audit log lines. No foreign key: an event outlives the account it names. Never tokens or secrets.
CREATE TABLE audit_events (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    at            BIGINT       NOT NULL,
    event         VARCHAR(64)  NOT NULL,
    outcome       VARCHAR(16)  NOT NULL,
    connector_id  VARCHAR(64)  NULL COLLATE utf8mb4_bin,
    account_id    BIGINT       NULL,
    operator      VARCHAR(255) NULL,
    reason        VARCHAR(64)  NULL,
    detail        VARCHAR(512) NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_audit_events_at ON audit_events (at);
CREATE INDEX ix_audit_events_account ON audit_events (account_id, at);
CREATE INDEX ix_audit_events_connector ON audit_events (connector_id, event, at);

-- Single-use links an operator gets from the admin API to test a connector in a browser
-- (GET /auth/{id}/test?ticket=...). Only the SHA-256 of the ticket is stored.
CREATE TABLE connector_test_tickets (
    id_hash       CHAR(64)     NOT NULL COLLATE utf8mb4_bin,
    connector_id  VARCHAR(64)  NOT NULL COLLATE utf8mb4_bin,
    operator      VARCHAR(255) NOT NULL,
    expires_at    BIGINT       NOT NULL,
    PRIMARY KEY (id_hash)
);
