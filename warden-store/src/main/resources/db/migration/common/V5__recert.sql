-- Recertification campaigns (issue #5).
CREATE TABLE recert_campaigns (
  id               VARCHAR(64) NOT NULL,
  scope            VARCHAR     NOT NULL,
  created_at       BIGINT      NOT NULL,
  due_at           BIGINT      NOT NULL,
  created_by       VARCHAR,
  webhook_url      VARCHAR,
  last_reminder_at BIGINT,
  closed_at        BIGINT,
  CONSTRAINT recert_campaigns_pk PRIMARY KEY (id)
);

CREATE TABLE recert_items (
  campaign_id VARCHAR(64)   NOT NULL,
  workload    VARCHAR(2048) NOT NULL,
  owner       VARCHAR,
  decision    VARCHAR(32)   NOT NULL,
  decided_at  BIGINT,
  decided_by  VARCHAR,
  note        VARCHAR,
  CONSTRAINT recert_items_pk PRIMARY KEY (campaign_id, workload)
);
