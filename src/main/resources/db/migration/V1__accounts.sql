-- Community accounts. No passwords: only the user record fields.
-- username_key / email_key hold the lower-cased values so uniqueness is
-- case-insensitive whatever collation the server uses.
CREATE TABLE accounts (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    username      VARCHAR(64)  NOT NULL,
    username_key  VARCHAR(64)  NOT NULL,
    email         VARCHAR(254) NULL,
    email_key     VARCHAR(254) NULL,
    avatar        VARCHAR(2048) NULL,
    active        BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_accounts_username UNIQUE (username_key),
    CONSTRAINT uq_accounts_email UNIQUE (email_key)
);
