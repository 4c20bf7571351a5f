-- Where an account's email came from, and whether that source verified it.
-- Only a verified email may be used to find an account when a member signs in
-- through another connector (otherwise an address typed in the sign-up form,
-- or sent by an IdP that does not verify emails, could pre-hijack the account
-- of the mailbox's real owner). email_source: the connector id, or 'member'
-- when the member typed it. Accounts from before this migration count as
-- unverified until a trusted connector sends the same address again.
ALTER TABLE accounts ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN email_source VARCHAR(64) NULL;
