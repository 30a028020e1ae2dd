-- Chains of delegated actions (issue 13): each hop copies its chain root and transaction id from
-- its details into indexed columns, so GET /v1/audit/chains/<id> finds every hop at once; and a hop
-- looks up the record of the hop before it by event id.
ALTER TABLE audit_events ADD COLUMN chain_root VARCHAR(200);
ALTER TABLE audit_events ADD COLUMN chain_txn VARCHAR(200);
CREATE INDEX audit_events_event_id ON audit_events (event_id);
CREATE INDEX audit_events_chain_root ON audit_events (chain_root);
CREATE INDEX audit_events_chain_txn ON audit_events (chain_txn);
