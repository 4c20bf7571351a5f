-- Several sites, one sign-on (SPEC 7). A gateway session that signed a member
-- on at a site gets one ssoSession id (sso_sessions); each site's sign-on hangs
-- off it (sso_site_sign_ons, with the small data the site attaches); one-time
-- tokens (sso_one_time_tokens) are stored only as the SHA-256 of their value.
-- Rows go when their gateway session ends (sites/SiteSignOns, on the
-- SessionsRevoked event, and its sweep for sessions that expired).
-- Identifier columns compare byte for byte (see V8); one column per ALTER, as
-- the embedded dev database reads these too.
CREATE TABLE sso_sessions (
    session_hash CHAR(64)      NOT NULL,
    sso_session  CHAR(43)      NOT NULL,
    account_id   BIGINT        NOT NULL,
    bound_site   VARCHAR(64)   NULL,
    issuer       VARCHAR(2048) NOT NULL,
    created_at   BIGINT        NOT NULL,
    PRIMARY KEY (session_hash),
    CONSTRAINT fk_sso_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
ALTER TABLE sso_sessions MODIFY session_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sso_sessions MODIFY sso_session CHAR(43) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sso_sessions MODIFY bound_site VARCHAR(64) NULL COLLATE utf8mb4_bin;
CREATE UNIQUE INDEX ux_sso_sessions_sso_session ON sso_sessions (sso_session);

CREATE TABLE sso_site_sign_ons (
    sso_session CHAR(43)    NOT NULL,
    site_id     VARCHAR(64) NOT NULL,
    created_at  BIGINT      NOT NULL,
    data        TEXT        NULL,
    PRIMARY KEY (sso_session, site_id)
);
ALTER TABLE sso_site_sign_ons MODIFY sso_session CHAR(43) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sso_site_sign_ons MODIFY site_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;

CREATE TABLE sso_one_time_tokens (
    token_hash   CHAR(64)    NOT NULL,
    site_id      VARCHAR(64) NOT NULL,
    session_hash CHAR(64)    NOT NULL,
    created_at   BIGINT      NOT NULL,
    expires_at   BIGINT      NOT NULL,
    PRIMARY KEY (token_hash)
);
ALTER TABLE sso_one_time_tokens MODIFY token_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sso_one_time_tokens MODIFY site_id VARCHAR(64) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE sso_one_time_tokens MODIFY session_hash CHAR(64) NOT NULL COLLATE utf8mb4_bin;
CREATE INDEX ix_sso_one_time_tokens_expiry ON sso_one_time_tokens (expires_at);

-- Keys last, once both sides have their collation: a site's sign-ons and the
-- tokens not yet exchanged go with their ssoSession.
ALTER TABLE sso_site_sign_ons ADD CONSTRAINT fk_sso_site_sign_ons_session
    FOREIGN KEY (sso_session) REFERENCES sso_sessions (sso_session) ON DELETE CASCADE;
ALTER TABLE sso_one_time_tokens ADD CONSTRAINT fk_sso_one_time_tokens_session
    FOREIGN KEY (session_hash) REFERENCES sso_sessions (session_hash) ON DELETE CASCADE;
