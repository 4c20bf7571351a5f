-- OIDC back-channel logout naming only a user (sub) revokes every session of
-- that external id at the connector: find them by index, not by a table scan.
CREATE INDEX ix_sessions_external_id ON sessions (connector_id, external_id);
