-- Every bump of a change counter also sends NOTIFY warden_changes with the counter's name as the
-- payload. A trigger rather than each writer: no writer can forget it, and PostgreSQL delivers a
-- notification only when (and if) the bumping transaction commits, so a node never reloads ahead
-- of the data. Nodes LISTEN and reload at once; their poll of the counters stays as the fallback.
CREATE FUNCTION warden_notify_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('warden_changes', NEW.name);
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER change_counters_notify AFTER UPDATE ON change_counters
  FOR EACH ROW EXECUTE FUNCTION warden_notify_change();
