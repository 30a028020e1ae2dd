-- Two-step rotation of brokered secrets (decision 117): a rotation stores its new value as the one
-- 'pending' version (current + 1) before it sets it at the target, then makes it current. The
-- columns say which version is pending, which attempt holds it (a claim older than two minutes
-- belongs to a node that stopped) and how the last attempts failed.
ALTER TABLE brokered_secrets ADD COLUMN pending_version BIGINT;
ALTER TABLE brokered_secrets ADD COLUMN pending_claimed_at BIGINT;
ALTER TABLE brokered_secrets ADD COLUMN pending_attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE brokered_secrets ADD COLUMN pending_failed_at BIGINT;
ALTER TABLE brokered_secrets ADD COLUMN pending_error VARCHAR(1024);
ALTER TABLE brokered_secrets ADD CONSTRAINT brokered_secrets_pending_ck
  CHECK (pending_version IS NULL OR pending_version = current_version + 1);

ALTER TABLE brokered_secret_versions DROP CONSTRAINT brokered_secret_versions_state_ck;
ALTER TABLE brokered_secret_versions ADD CONSTRAINT brokered_secret_versions_state_ck
  CHECK (state IN ('active', 'deleted', 'destroyed', 'pending'));
