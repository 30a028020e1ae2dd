-- The reaper's periodic queries over leases that live at a target (expired ones, counts by state,
-- open targets) filtered "target IS NOT NULL" through the (state, expires_at) index or a full scan.
-- Warden's own token leases stay 'active' once expired and are the vast majority, so each run read
-- all of them: at 1,400 grants/s the reaper's expiry query took 130 ms a second five minutes in and
-- grew with every grant. The queries now name the kinds that live at a target first.
CREATE INDEX leases_kind_state_expires ON leases (kind, state, expires_at);
-- Removals due are found through the new index too (kind, then the two removal states: few rows,
-- sorted by due time), so every grant still maintains the same number of lease indexes.
DROP INDEX leases_state_due;
