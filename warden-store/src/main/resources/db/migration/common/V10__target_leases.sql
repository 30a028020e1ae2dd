-- Credentials that live at their target (dynamic database users, issue 11).
--
-- A lease now has a lifecycle state. Warden's own tokens are 'active' until revoked ('revoked').
-- A database user's lease is written 'issuing' BEFORE the user is created (intent before effect),
-- becomes 'active' in the transaction of its issuance audit event, 'revoking' when revoked or
-- expired until the user is dropped at the target ('revoked'), or 'irrevocable' after too many
-- failed removals. target is where the credential lives (JSON), null for Warden's own tokens.
ALTER TABLE leases ADD COLUMN state VARCHAR(16) DEFAULT 'active' NOT NULL;
UPDATE leases SET state = 'revoked' WHERE revoked_at IS NOT NULL;
ALTER TABLE leases ADD CONSTRAINT leases_state_ck
  CHECK (state IN ('issuing', 'active', 'revoking', 'revoked', 'irrevocable'));
ALTER TABLE leases ADD COLUMN target VARCHAR;
ALTER TABLE leases ADD COLUMN removal_attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE leases ADD COLUMN removal_due BIGINT;
ALTER TABLE leases ADD COLUMN removal_error VARCHAR;
ALTER TABLE leases ADD COLUMN removed_at BIGINT;
-- the reaper's queries: by state, then the time that makes a lease due
CREATE INDEX leases_state_due ON leases (state, removal_due);
CREATE INDEX leases_state_expires ON leases (state, expires_at);
-- (the quota count, live leases of one workload, uses leases_workload from V2)

-- Secrets for reaching a target, such as a database admin password: AEAD ciphertext under the
-- master key (associated data: the secret's name) and an HMAC fingerprint. Never in a document.
CREATE TABLE target_secrets (
  name        VARCHAR(128) NOT NULL,
  ciphertext  BYTEA        NOT NULL,
  fingerprint VARCHAR(128) NOT NULL,
  version     BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL,
  updated_by  VARCHAR      NOT NULL,
  CONSTRAINT target_secrets_pk PRIMARY KEY (name)
);
