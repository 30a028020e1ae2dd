-- The console's credentials list (issue 15): every lease, newest issued first, paged by
-- (issued_at, id) instead of OFFSET, so a page costs the same at any depth.
CREATE INDEX leases_issued ON leases (issued_at, id);
