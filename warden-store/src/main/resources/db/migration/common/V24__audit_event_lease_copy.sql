-- Each audit event keeps its own copy of the lease it records, exactly as hashed (issue 15). Read
-- through the join to leases, every event of a range cost a random probe of leases_pk (1,000 events
-- at 10M: 4,000 buffers, over 1 s when not cached), and a lease renewed since (extend) read back
-- with its new end, so its event no longer re-hashed. lease_kind is null for events written before
-- this migration: those still read their lease from leases.
ALTER TABLE audit_events ADD COLUMN lease_kind VARCHAR;
ALTER TABLE audit_events ADD COLUMN lease_workload VARCHAR;
ALTER TABLE audit_events ADD COLUMN lease_resource VARCHAR;
ALTER TABLE audit_events ADD COLUMN lease_issued_at BIGINT;
ALTER TABLE audit_events ADD COLUMN lease_expires_at BIGINT;
ALTER TABLE audit_events ADD COLUMN lease_fingerprint VARCHAR(128);
