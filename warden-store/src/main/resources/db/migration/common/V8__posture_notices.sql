-- New posture findings are sent to the webhook once per (rule, item), whichever node notices first.
CREATE TABLE posture_notices (
  notice_key VARCHAR(64)   NOT NULL,
  rule_id    VARCHAR(200)  NOT NULL,
  item_id    VARCHAR(2048) NOT NULL,
  first_at   BIGINT        NOT NULL,
  CONSTRAINT posture_notices_pk PRIMARY KEY (notice_key)
);
