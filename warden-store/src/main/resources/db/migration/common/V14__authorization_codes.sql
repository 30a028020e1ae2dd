-- Authorization codes of the authorization code grant (MCP clients acting for a user, docs/agents.md):
-- shared by every node, keyed by the SHA-256 of the code (the code itself is never stored), redeemed
-- once (used_at set by one conditional UPDATE), kept an hour past expiry so that a late reuse still
-- finds the token to revoke. token_id is the jti (and lease id) of the token the code is redeemed for.
CREATE TABLE authorization_codes (
  code_hash      BYTEA         NOT NULL,
  client_id      VARCHAR(2048) NOT NULL,
  redirect_uri   VARCHAR(2048) NOT NULL,
  resource       VARCHAR(256)  NOT NULL,
  audience       VARCHAR(2048) NOT NULL,
  scope          VARCHAR,
  code_challenge VARCHAR(128)  NOT NULL,
  subject        VARCHAR(4096) NOT NULL,
  policy         VARCHAR(256)  NOT NULL,
  issued_at      BIGINT        NOT NULL,
  expires_at     BIGINT        NOT NULL,
  token_ttl_s    BIGINT        NOT NULL,
  token_id       VARCHAR(64)   NOT NULL,
  used_at        BIGINT,
  reused_at      BIGINT,
  CONSTRAINT authorization_codes_pk PRIMARY KEY (code_hash)
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);
