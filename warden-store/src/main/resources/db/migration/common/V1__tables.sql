-- Warden store schema. One file for H2 and PostgreSQL: only types and statements both accept.
-- Times are BIGINT epoch microseconds; JSON is stored as text (VARCHAR without a length is
-- unbounded on PostgreSQL and 1,000,000,000 characters on H2). Indexes that differ between the two
-- databases are in db/migration/{h2,postgresql}/V2__indexes.sql.

-- Configuration objects (trust providers, workloads, resources, policies) as canonical JSON specs.
-- A deleted object keeps its row with spec NULL (a tombstone) so versions keep counting.
CREATE TABLE config_objects (
  kind       VARCHAR(32)   NOT NULL,
  name       VARCHAR(2048) NOT NULL,
  version    BIGINT        NOT NULL,
  spec       VARCHAR,
  updated_at BIGINT        NOT NULL,
  updated_by VARCHAR       NOT NULL,
  CONSTRAINT config_objects_pk PRIMARY KEY (kind, name)
);

-- Every revision, including deletions (spec NULL). The key makes a second writer of one version fail.
CREATE TABLE config_history (
  kind       VARCHAR(32)   NOT NULL,
  name       VARCHAR(2048) NOT NULL,
  version    BIGINT        NOT NULL,
  spec       VARCHAR,
  changed_at BIGINT        NOT NULL,
  changed_by VARCHAR       NOT NULL,
  CONSTRAINT config_history_pk PRIMARY KEY (kind, name, version)
);

-- One counter per kind of cached data, bumped in the transaction of each change.
CREATE TABLE change_counters (
  name    VARCHAR(32) NOT NULL,
  counter BIGINT      NOT NULL,
  CONSTRAINT change_counters_pk PRIMARY KEY (name)
);
INSERT INTO change_counters (name, counter) VALUES ('TrustProvider', 0);
INSERT INTO change_counters (name, counter) VALUES ('Workload', 0);
INSERT INTO change_counters (name, counter) VALUES ('Resource', 0);
INSERT INTO change_counters (name, counter) VALUES ('AccessPolicy', 0);
INSERT INTO change_counters (name, counter) VALUES ('signing_keys', 0);

-- The audit chain head: one row, locked (SELECT ... FOR UPDATE) for the length of each append so
-- appends from every node serialize into one chain. last_hash NULL means the genesis hash.
CREATE TABLE audit_head (
  id        INTEGER NOT NULL,
  last_seq  BIGINT  NOT NULL,
  last_hash BYTEA,
  CONSTRAINT audit_head_pk PRIMARY KEY (id),
  CONSTRAINT audit_head_single_row CHECK (id = 1)
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, NULL);

-- Append-only audit events. No column has a length limit: an event must never be refused for a
-- long value, since a refused batch fails every request waiting on it.
CREATE TABLE audit_events (
  seq        BIGINT  NOT NULL,
  event_id   VARCHAR NOT NULL,
  event_time BIGINT  NOT NULL,
  event_type VARCHAR NOT NULL,
  outcome    VARCHAR NOT NULL,
  reason     VARCHAR NOT NULL,
  actor      VARCHAR NOT NULL,
  workload   VARCHAR,
  resource   VARCHAR,
  details    VARCHAR NOT NULL,
  lease_id   VARCHAR,
  prev_hash  BYTEA   NOT NULL,
  hash       BYTEA   NOT NULL,
  CONSTRAINT audit_events_pk PRIMARY KEY (seq)
);

-- Leases of issued credentials, written in the transaction of their issuance event.
CREATE TABLE leases (
  id            VARCHAR(512) NOT NULL,
  kind          VARCHAR      NOT NULL,
  workload      VARCHAR,
  resource      VARCHAR,
  issued_at     BIGINT       NOT NULL,
  expires_at    BIGINT       NOT NULL,
  revoked_at    BIGINT,
  revoke_reason VARCHAR,
  fingerprint   VARCHAR(128) NOT NULL,
  CONSTRAINT leases_pk PRIMARY KEY (id)
);
CREATE INDEX leases_fingerprint ON leases (fingerprint);

CREATE TABLE admin_tokens (
  id          VARCHAR(256) NOT NULL,
  name        VARCHAR,
  secret_hash BYTEA        NOT NULL,
  scopes      VARCHAR      NOT NULL,
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT,
  revoked_at  BIGINT,
  created_by  VARCHAR,
  CONSTRAINT admin_tokens_pk PRIMARY KEY (id)
);

CREATE TABLE signing_keys (
  kid                   VARCHAR(256) NOT NULL,
  algorithm             VARCHAR(32)  NOT NULL,
  state                 VARCHAR(16)  NOT NULL,
  public_jwk            VARCHAR      NOT NULL,
  encrypted_private_key BYTEA,
  created_at            BIGINT       NOT NULL,
  activated_at          BIGINT,
  retired_at            BIGINT,
  destroy_after         BIGINT,
  CONSTRAINT signing_keys_pk PRIMARY KEY (kid)
);

CREATE TABLE settings (
  name          VARCHAR(256) NOT NULL,
  setting_value BYTEA        NOT NULL,
  CONSTRAINT settings_pk PRIMARY KEY (name)
);
