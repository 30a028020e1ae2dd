-- Audit query indexes: each filter column with seq, so "filter, newest first, before a cursor"
-- is one backward index range scan. H2 has no key-size limit, so whole columns are indexed.
CREATE INDEX audit_events_time ON audit_events (event_time);
CREATE INDEX audit_events_workload ON audit_events (workload, seq);
CREATE INDEX audit_events_resource ON audit_events (resource, seq);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq);
CREATE INDEX leases_workload ON leases (workload, expires_at);
