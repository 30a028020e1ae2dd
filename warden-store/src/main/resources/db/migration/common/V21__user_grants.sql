-- The signed-in user behind each access token of the authorization code grant (decision 661): what
-- the MCP gateway decides a tool call on when an MCP client acts for that user. Keyed by the token's
-- jti (only Warden mints it), written at the authorization endpoint, kept until the latest moment
-- that token can expire. selectors: JSON array of type:key=value; claims: the verified ID token's
-- claims as JSON.
CREATE TABLE user_grants (
  token_id   VARCHAR(64)   NOT NULL,
  subject    VARCHAR(4096) NOT NULL,
  provider   VARCHAR(256)  NOT NULL,
  client_id  VARCHAR(2048) NOT NULL,
  selectors  VARCHAR       NOT NULL,
  claims     VARCHAR       NOT NULL,
  expires_at BIGINT        NOT NULL,
  CONSTRAINT user_grants_pk PRIMARY KEY (token_id)
);
CREATE INDEX user_grants_expires ON user_grants (expires_at);
