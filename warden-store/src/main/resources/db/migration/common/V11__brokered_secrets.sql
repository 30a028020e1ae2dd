-- Brokered static secrets (issue 11, provider 2): values a workload reads at /v1/credentials.
--
-- Each version is an envelope: its own data key (wrapped_key, AEAD under the master key) and the
-- value encrypted under it (ciphertext); both layers have 'brokered-secret|<name>|<version>' as
-- associated data, so a ciphertext moved to another row does not decrypt. Destroying a version
-- erases both columns. Timestamps are microseconds since the epoch, as everywhere.
CREATE TABLE brokered_secrets (
  name                VARCHAR(128)  NOT NULL,
  owner               VARCHAR(256)  NOT NULL,
  description         VARCHAR(1024),
  rotation_interval_s BIGINT,
  max_versions        INTEGER       NOT NULL,
  rotation_connector  VARCHAR(64),
  rotation_resource   VARCHAR(128),
  rotation_account    VARCHAR(64),
  current_version     BIGINT        NOT NULL,
  created_at          BIGINT        NOT NULL,
  created_by          VARCHAR       NOT NULL,
  updated_at          BIGINT        NOT NULL,
  updated_by          VARCHAR       NOT NULL,
  last_rotated_at     BIGINT        NOT NULL,
  last_read_at        BIGINT,
  last_read_by        VARCHAR,
  rotation_notice_at  BIGINT,
  CONSTRAINT brokered_secrets_pk PRIMARY KEY (name),
  CONSTRAINT brokered_secrets_versions_ck CHECK (max_versions BETWEEN 1 AND 100)
);

CREATE TABLE brokered_secret_versions (
  name         VARCHAR(128) NOT NULL,
  version      BIGINT       NOT NULL,
  state        VARCHAR(16)  NOT NULL,
  wrapped_key  BYTEA,
  ciphertext   BYTEA,
  fingerprint  VARCHAR(128) NOT NULL,
  created_at   BIGINT       NOT NULL,
  created_by   VARCHAR      NOT NULL,
  deleted_at   BIGINT,
  destroyed_at BIGINT,
  CONSTRAINT brokered_secret_versions_pk PRIMARY KEY (name, version),
  CONSTRAINT brokered_secret_versions_fk FOREIGN KEY (name) REFERENCES brokered_secrets (name) ON DELETE CASCADE,
  CONSTRAINT brokered_secret_versions_state_ck CHECK (state IN ('active', 'deleted', 'destroyed')),
  CONSTRAINT brokered_secret_versions_erased_ck CHECK ((state = 'destroyed') = (ciphertext IS NULL))
);

-- who read what: one row per secret and workload, written in batches off the request path
CREATE TABLE brokered_secret_readers (
  name         VARCHAR(128) NOT NULL,
  workload     VARCHAR(512) NOT NULL,
  last_read_at BIGINT       NOT NULL,
  last_version BIGINT       NOT NULL,
  read_count   BIGINT       NOT NULL,
  CONSTRAINT brokered_secret_readers_pk PRIMARY KEY (name, workload),
  CONSTRAINT brokered_secret_readers_fk FOREIGN KEY (name) REFERENCES brokered_secrets (name) ON DELETE CASCADE
);
CREATE INDEX brokered_secret_readers_time ON brokered_secret_readers (last_read_at);
