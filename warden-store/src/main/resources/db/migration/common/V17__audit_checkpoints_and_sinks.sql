-- Audit checkpoint keys (decision 008) are a signing key purpose of their own.
ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_purpose_ck;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_purpose_ck
  CHECK (purpose IN ('ACCESS_TOKEN', 'JWT_SVID', 'FEDERATION', 'AUDIT_CHECKPOINT'));

-- The newest signed checkpoints of the audit chain head, so every node serves them
-- (GET /v1/audit/checkpoints). Two nodes signing the same head store it once: the key is the
-- checkpoint's event and hash. signed_at is the checkpoint's time in microseconds.
CREATE TABLE audit_checkpoints (
  seq       BIGINT        NOT NULL,
  hash      BYTEA         NOT NULL,
  signed_at BIGINT        NOT NULL,
  issuer    VARCHAR       NOT NULL,
  chain     VARCHAR(200)  NOT NULL,
  kid       VARCHAR(256)  NOT NULL,
  jws       VARCHAR       NOT NULL,
  CONSTRAINT audit_checkpoints_pk PRIMARY KEY (seq, hash)
);
CREATE INDEX audit_checkpoints_signed_at ON audit_checkpoints (signed_at);

-- The audit stream's outbox (decision 009): the audit log is already ordered and durable, so each
-- sink keeps only its cursor (the last seq its far end acknowledged) and the lease of the one node
-- that drains it. held_until is in epoch milliseconds; 0 when never held.
CREATE TABLE audit_sinks (
  name       VARCHAR(200) NOT NULL,
  acked_seq  BIGINT       NOT NULL,
  holder     VARCHAR(200),
  held_until BIGINT       NOT NULL,
  CONSTRAINT audit_sinks_pk PRIMARY KEY (name)
);
