-- Change counters for what the MCP gateway caches per node (decision 662): a lease revoked and a
-- brokered secret whose current version changed, was deleted or destroyed bump theirs in the same
-- transaction, so the change_counters trigger (V17) notifies every node once the change commits and
-- each node's poll of the counters stays the fallback.
INSERT INTO change_counters (name, counter) VALUES ('leases', 0);
INSERT INTO change_counters (name, counter) VALUES ('brokered_secrets', 0);
