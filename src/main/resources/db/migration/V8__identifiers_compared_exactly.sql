-- Identifiers are compared byte for byte, never by the database's default
-- collation: under utf8mb4_unicode_ci (deploy/mysql/init.sql) 'VICTIM-1',
-- 'víctim-1' and 'victim-1' are equal, so one IdP user could sign in as
-- another. IdP subjects and NameIDs, token ids, state and session hashes, and
-- the canonical keys the gateway computes for usernames and emails all get a
-- binary collation. (utf8mb4_bin still ignores trailing spaces, so the gateway
-- refuses ids with leading or trailing white space and re-checks every match
-- in Java.) One column per statement: the embedded dev database reads them too.
ALTER TABLE accounts MODIFY username_key VARCHAR(255) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE accounts MODIFY email_key VARCHAR(320) NULL COLLATE utf8mb4_bin;

ALTER TABLE external_identities MODIFY connector_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE external_identities MODIFY external_id VARCHAR(255) NOT NULL COLLATE utf8mb4_bin;

ALTER TABLE role_grants MODIFY role_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE role_grants MODIFY source VARCHAR(16) NOT NULL COLLATE utf8mb4_bin;

ALTER TABLE sessions MODIFY id_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sessions MODIFY connector_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sessions MODIFY external_id VARCHAR(255) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sessions MODIFY idp_session_id VARCHAR(255) NULL COLLATE utf8mb4_bin;

ALTER TABLE used_token_ids MODIFY connector_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE used_token_ids MODIFY token_id VARCHAR(128) NOT NULL COLLATE utf8mb4_bin;

ALTER TABLE sign_on_states MODIFY id_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sign_on_states MODIFY connector_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;

ALTER TABLE pending_sign_ons MODIFY id_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_sign_ons MODIFY connector_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_sign_ons MODIFY external_id VARCHAR(255) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE pending_sign_ons MODIFY csrf_token CHAR(43) NOT NULL COLLATE utf8mb4_bin;
