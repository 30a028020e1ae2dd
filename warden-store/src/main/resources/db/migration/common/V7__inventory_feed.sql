-- The posture index (issue #5, scale) follows changes instead of re-reading everything:
-- imported rows written at or after an import's time, and leases still live now.
CREATE INDEX inventory_items_last_imported ON inventory_items (last_imported);
CREATE INDEX leases_expires ON leases (expires_at);
-- owner filters and reassignment by owner
CREATE INDEX inventory_items_owner ON inventory_items (owner, id);
