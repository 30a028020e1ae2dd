-- Workload PKI and agents (issue #3). CA private keys only as AEAD ciphertext; join tokens and
-- agent sessions only as SHA-256 of their secrets.
CREATE TABLE ca_authorities (
  id                    VARCHAR(64)  NOT NULL,
  state                 VARCHAR(16)  NOT NULL,
  chain_der             BYTEA        NOT NULL,
  roots_der             BYTEA        NOT NULL,
  encrypted_private_key BYTEA,
  not_before            BIGINT       NOT NULL,
  not_after             BIGINT       NOT NULL,
  created_at            BIGINT       NOT NULL,
  activated_at          BIGINT,
  CONSTRAINT ca_authorities_pk PRIMARY KEY (id)
);
INSERT INTO change_counters (name, counter) VALUES ('ca_authorities', 0);

CREATE TABLE join_tokens (
  id          VARCHAR(64)  NOT NULL,
  secret_hash BYTEA        NOT NULL,
  selectors   VARCHAR      NOT NULL,
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  used_at     BIGINT,
  created_by  VARCHAR,
  CONSTRAINT join_tokens_pk PRIMARY KEY (id)
);

CREATE TABLE agents (
  spiffe_id          VARCHAR(2048) NOT NULL,
  node_selectors     VARCHAR       NOT NULL,
  attestation        VARCHAR(300)  NOT NULL,
  session_hash       BYTEA         NOT NULL,
  session_expires_at BIGINT        NOT NULL,
  attested_at        BIGINT        NOT NULL,
  renewed_at         BIGINT,
  banned_at          BIGINT,
  CONSTRAINT agents_pk PRIMARY KEY (spiffe_id)
);
CREATE UNIQUE INDEX agents_session ON agents (session_hash);
