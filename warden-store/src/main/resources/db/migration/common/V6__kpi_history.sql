-- Daily KPI snapshots (issue #5): one row per UTC day.
CREATE TABLE kpi_daily (
  snapshot_day VARCHAR(10) NOT NULL,
  computed_at BIGINT      NOT NULL,
  kpi         VARCHAR     NOT NULL,
  CONSTRAINT kpi_daily_pk PRIMARY KEY (snapshot_day)
);
