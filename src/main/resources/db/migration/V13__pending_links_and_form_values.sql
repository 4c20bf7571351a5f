-- The sign-up form keeps what the member typed (post-redirect-get: a refused
-- value comes back on a GET, so Back never re-posts the form), and a completed
-- pending sign-on stays until it expires, so Back or a second submit finds
-- where the member was going instead of an "expired" error.
-- One column per statement: the embedded dev database reads them too.
ALTER TABLE pending_sign_ons ADD COLUMN form_username VARCHAR(255) NULL;
ALTER TABLE pending_sign_ons ADD COLUMN form_email VARCHAR(320) NULL;
ALTER TABLE pending_sign_ons ADD COLUMN completed_at BIGINT NULL;

-- Linking a further sign-in method to an account (SPEC 4). The browser holds
-- the secret id in a cookie; only its hash is stored; a row is used once and
-- lives for the sign-on timeout. connector_id/external_id: an identity that
-- was refused with email_taken and waits to be linked (null when the member
-- starts the link from the account page); via_connector: the sign-in method the
-- member chose to prove the account; account_id: the account it must prove.
CREATE TABLE pending_links (
    id_hash       CHAR(64)      NOT NULL,
    account_id    BIGINT        NOT NULL,
    connector_id  VARCHAR(64)   NULL,
    external_id   VARCHAR(255)  NULL,
    via_connector VARCHAR(64)   NULL,
    target        VARCHAR(2048) NOT NULL,
    csrf_token    CHAR(43)      NOT NULL,
    created_at    BIGINT        NOT NULL,
    expires_at    BIGINT        NOT NULL,
    PRIMARY KEY (id_hash),
    CONSTRAINT fk_pending_link_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX ix_pending_links_expiry ON pending_links (expires_at);
ALTER TABLE pending_links MODIFY id_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_links MODIFY connector_id VARCHAR(64) NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_links MODIFY external_id VARCHAR(255) NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_links MODIFY via_connector VARCHAR(64) NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_links MODIFY csrf_token CHAR(43) NOT NULL COLLATE utf8mb4_bin;
