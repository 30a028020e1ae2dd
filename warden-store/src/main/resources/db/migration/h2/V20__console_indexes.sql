-- The console (issue 15): every audit and lease filter it offers is one backward index range scan
-- (see postgresql/V20__console_indexes.sql for the figures). H2 has no key-size limit.
CREATE INDEX audit_events_reason ON audit_events (reason, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_type ON audit_events (event_type, seq);
-- a time window is paged newest first by (event_time, seq)
CREATE INDEX audit_events_time_seq ON audit_events (event_time, seq);
DROP INDEX audit_events_time;
CREATE INDEX leases_kind_issued ON leases (kind, issued_at, id);
CREATE INDEX leases_resource_issued ON leases (resource, issued_at, id);
