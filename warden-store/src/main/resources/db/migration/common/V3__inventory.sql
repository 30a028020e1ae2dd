-- Inventory (issue #5): imported NHIs and departed owners. Names and metadata only; a credential
-- appears at most as its HMAC fingerprint. id is a hash of (source, kind, name), so the key stays
-- short on PostgreSQL whatever the length of the names.
CREATE TABLE inventory_items (
  id              VARCHAR(64) NOT NULL,
  source          VARCHAR     NOT NULL,
  kind            VARCHAR     NOT NULL,
  name            VARCHAR     NOT NULL,
  owner           VARCHAR,
  team            VARCHAR,
  environment     VARCHAR,
  location        VARCHAR,
  fingerprint     VARCHAR(128),
  created_at      BIGINT,
  expires_at      BIGINT,
  rotated_at      BIGINT,
  last_used_at    BIGINT,
  attributes      VARCHAR     NOT NULL,
  first_imported  BIGINT      NOT NULL,
  last_imported   BIGINT      NOT NULL,
  CONSTRAINT inventory_items_pk PRIMARY KEY (id)
);
CREATE INDEX inventory_items_fingerprint ON inventory_items (fingerprint);

CREATE TABLE departed_owners (
  owner_hash  VARCHAR(64) NOT NULL,
  owner       VARCHAR     NOT NULL,
  departed_at BIGINT      NOT NULL,
  action      VARCHAR     NOT NULL,
  CONSTRAINT departed_owners_pk PRIMARY KEY (owner_hash)
);

-- usage and leak reads filter audit events by type and time
CREATE INDEX audit_events_type_time ON audit_events (event_type, event_time);
