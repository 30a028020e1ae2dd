-- Audit query indexes: each filter column with seq, so "filter, newest first, before a cursor"
-- is one backward index range scan. workload and resource hold outside input of any length, and a
-- PostgreSQL B-tree entry may not exceed about 2,700 bytes, so only their first 200 characters are
-- indexed; queries compare left(col, 200) and then the whole column (see JdbcAuditStore).
CREATE INDEX audit_events_time ON audit_events (event_time);
CREATE INDEX audit_events_workload ON audit_events (left(workload, 200), seq);
CREATE INDEX audit_events_resource ON audit_events (left(resource, 200), seq);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq);
CREATE INDEX leases_workload ON leases (left(workload, 200), expires_at);
