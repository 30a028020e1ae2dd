-- Proxies declared for agents (EdgeProxy documents, decision 407) are configuration objects like the
-- other kinds: rows of config_objects with their own change counter.
INSERT INTO change_counters (name, counter) VALUES ('EdgeProxy', 0);

-- What each agent last reported about the proxies declared for it: one row per (agent, proxy),
-- replaced as a whole at every report. state is running, failed or refused; since is the agent's clock.
CREATE TABLE agent_proxy_status (
  agent_id    VARCHAR(2048) NOT NULL,
  name        VARCHAR(256)  NOT NULL,
  version     VARCHAR(128)  NOT NULL,
  state       VARCHAR(16)   NOT NULL,
  message     VARCHAR,
  since       BIGINT        NOT NULL,
  reported_at BIGINT        NOT NULL,
  CONSTRAINT agent_proxy_status_pk PRIMARY KEY (agent_id, name)
);
