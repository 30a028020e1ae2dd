-- The console (issue 15) at 10M audit events and millions of leases: every filter it offers is one
-- backward index range scan instead of a walk back through the whole table. Measured before (bench
-- ConsoleRender, docs/benchmarks.md): a rare reason or actor 3.5 s, a one-day window 45 days back
-- 2.5 s, a rare credential kind 1 s. reason, actor and resource may hold long values and a B-tree
-- entry may not exceed about 2,700 bytes, so only their first 200 characters are indexed; queries
-- compare left(col, 200) and then the whole column (see JdbcAuditStore, JdbcLeaseStore).
CREATE INDEX audit_events_reason ON audit_events (left(reason, 200), seq);
CREATE INDEX audit_events_actor ON audit_events (left(actor, 200), seq);
CREATE INDEX audit_events_type ON audit_events (left(event_type, 200), seq);
-- a time window is paged newest first by (event_time, seq)
CREATE INDEX audit_events_time_seq ON audit_events (event_time, seq);
DROP INDEX audit_events_time;
CREATE INDEX leases_kind_issued ON leases (kind, issued_at, id);
CREATE INDEX leases_resource_issued ON leases (left(resource, 200), issued_at, id);
