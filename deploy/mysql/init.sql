-- Database and user for the Community SSO Gateway (MySQL 8 or MariaDB 10.6+).
-- Run once as an administrator, after replacing the password:
--   mysql -u root -p < deploy/mysql/init.sql
-- The gateway creates and migrates its tables itself (Flyway, at start-up).

CREATE DATABASE IF NOT EXISTS sso_gateway
  CHARACTER SET utf8mb4
  COLLATE utf8mb4_unicode_ci;

-- Narrow '%' to the gateway's network where you can, e.g. '10.0.%'.
CREATE USER IF NOT EXISTS 'gateway'@'%' IDENTIFIED BY 'change-me';

-- Data access plus what Flyway needs to create and change the schema.
GRANT SELECT, INSERT, UPDATE, DELETE,
      CREATE, ALTER, INDEX, DROP, REFERENCES
  ON sso_gateway.* TO 'gateway'@'%';

FLUSH PRIVILEGES;
