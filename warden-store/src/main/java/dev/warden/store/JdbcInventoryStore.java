package dev.warden.store;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.inventory.ImportedNhi;
import dev.warden.core.inventory.InventoryStore;
import dev.warden.core.inventory.LeakRecord;
import dev.warden.core.inventory.LeaseSummary;
import dev.warden.core.inventory.Usage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inventory over {@code inventory_items} and {@code departed_owners} (V3__inventory.sql), plus
 * grouped reads of {@code leases} and {@code audit_events}; the reads of who was issued what
 * ({@link IssuanceReads}) and the rows of imported items ({@link ImportedRows}) are beside it.
 *
 * <p>Why it is over 400 lines: it implements the whole {@code InventoryStore} contract, one short
 * method per read; the grouped issuance reads and the imported rows are apart already.
 */
final class JdbcInventoryStore implements InventoryStore {
  private final Db db;

  JdbcInventoryStore(Db db) {
    this.db = db;
  }

  @Override
  public List<Upserted> upsert(List<ImportedNhi> items, Instant at) {
    Objects.requireNonNull(at, "at");
    if (items.isEmpty()) {
      return List.of();
    }
    return db.inTransaction(
        "import " + items.size() + " inventory items", c -> ImportedRows.upsert(c, items, at));
  }

  @Override
  public List<ImportedNhi> listImported() {
    return db.run(
        "list inventory items",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(ImportedRows.COLUMNS + " ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            List<ImportedNhi> out = new ArrayList<>();
            while (rs.next()) {
              out.add(ImportedRows.read(rs));
            }
            return out;
          }
        });
  }

  @Override
  public int reassignOwner(String from, String to, Instant at) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return db.write(
        "reassign inventory items of an owner",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE inventory_items SET owner = ?, last_imported = ? WHERE owner = ?")) {
            ps.setString(1, to);
            ps.setLong(2, Micros.of(at));
            ps.setString(3, from);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public List<ImportedNhi> importedSince(Instant at) {
    return db.run(
        "list changed inventory items",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(ImportedRows.COLUMNS + " WHERE last_imported >= ? ORDER BY id")) {
            ps.setLong(1, Micros.of(at));
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              List<ImportedNhi> out = new ArrayList<>();
              while (rs.next()) {
                out.add(ImportedRows.read(rs));
              }
              return out;
            }
          }
        });
  }

  @Override
  public long auditHead() {
    return db.run(
        "read the audit head",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        });
  }

  /** Audit events in (?, ?], at most ?, with their leases: the posture index's catch-up. */
  static final String CHANGES =
      "SELECT e.seq, e.event_type, e.event_time, e.workload,"
          + " e.resource, e.reason, e.details, e.lease_id, l.issued_at, l.expires_at FROM audit_events e"
          + " LEFT JOIN leases l ON l.id = e.lease_id WHERE e.seq > ? AND e.seq <= ?"
          + " ORDER BY e.seq LIMIT ?";

  @Override
  public List<Change> changesAfter(long seq, int max) {
    if (max <= 0) {
      return List.of();
    }
    // Asked as "seq > ?" with no bound, PostgreSQL's generic plan for the prepared statement (the
    // driver switches to one after five runs) assumes a third of the table matches and hash-joins
    // a sequential scan of both tables: 1 s a call at 500,000 events, every few seconds, growing
    // with the log. Sequence numbers are dense, so the batch is read as a closed range (an index
    // range scan in any plan); when the range held fewer events than asked, MIN(seq) after it
    // finds where the next ones start (none at the head of the log, the usual case; a gap left by
    // a removed event otherwise), so the answer is exactly "seq > ? ORDER BY seq LIMIT max".
    return db.run(
        "read audit events after " + seq,
        c -> {
          List<Change> out = new ArrayList<>();
          long after = seq;
          while (out.size() < max) {
            int want = max - out.size();
            long last = after > Long.MAX_VALUE - want ? Long.MAX_VALUE : after + want;
            readChanges(c, after, last, want, out);
            if (out.size() == max || last == Long.MAX_VALUE) {
              break;
            }
            long next = firstSeqAfter(c, last);
            if (next < 0) {
              break;
            }
            after = next - 1;
          }
          return out;
        });
  }

  private static void readChanges(Connection c, long after, long last, int max, List<Change> out)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(CHANGES)) {
      ps.setLong(1, after);
      ps.setLong(2, last);
      ps.setInt(3, max);
      ps.setFetchSize(Math.min(max, 1000));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Change(
                  rs.getLong(1),
                  rs.getString(2),
                  Micros.toInstant(rs.getLong(3)),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8),
                  Db.getMicros(rs, 9),
                  Db.getMicros(rs, 10)));
        }
      }
    }
  }

  /** The first sequence number after {@code seq}, or -1 when there is none. */
  private static long firstSeqAfter(Connection c, long seq) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT MIN(seq) FROM audit_events WHERE seq > ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return -1;
        }
        long next = rs.getLong(1);
        return rs.wasNull() ? -1 : next;
      }
    }
  }

  @Override
  public void markDeparted(String owner, Instant at, String action) {
    Objects.requireNonNull(owner, "owner");
    String hash = HexFormat.of().formatHex(Hashes.sha256(owner));
    db.write(
        "record a departed owner",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO departed_owners (owner_hash, owner, departed_at, action)"
                      + " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM departed_owners WHERE owner_hash = ?)")) {
            ps.setString(1, hash);
            ps.setString(2, owner);
            ps.setLong(3, Micros.of(at));
            ps.setString(4, action);
            ps.setString(5, hash);
            return ps.executeUpdate();
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              return 0; // another node recorded it first
            }
            throw e;
          }
        });
  }

  @Override
  public Map<String, Instant> departedOwners() {
    return db.run(
        "list departed owners",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT owner, departed_at FROM departed_owners");
              ResultSet rs = ps.executeQuery()) {
            Map<String, Instant> out = new HashMap<>();
            while (rs.next()) {
              out.put(rs.getString(1), Micros.toInstant(rs.getLong(2)));
            }
            return out;
          }
        });
  }

  @Override
  public List<LeaseSummary> leaseSummaries(Instant now) {
    return db.run("summarize leases", c -> IssuanceReads.leaseSummaries(c, now));
  }

  @Override
  public List<Usage> usage(Instant since) {
    return db.run(
        "read token issuance events", c -> IssuanceReads.usage(c, since, Long.MAX_VALUE, true));
  }

  @Override
  public Baseline baseline(Instant now, Instant usageSince, boolean withAddresses) {
    return db.snapshot(
        "read the inventory baseline",
        c -> {
          long head;
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
              ResultSet rs = ps.executeQuery()) {
            head = rs.next() ? rs.getLong(1) : 0L;
          }
          List<ImportedNhi> imported = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(ImportedRows.COLUMNS + " ORDER BY id")) {
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                imported.add(ImportedRows.read(rs));
              }
            }
          }
          List<LeaseSummary> leases = IssuanceReads.leaseSummaries(c, now);
          List<LiveLease> live = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, workload, resource, expires_at FROM leases"
                      + " WHERE expires_at > ? AND revoked_at IS NULL")) {
            ps.setLong(1, Micros.of(now));
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                live.add(
                    new LiveLease(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        Micros.toInstant(rs.getLong(4))));
              }
            }
          }
          return new Baseline(
              head,
              imported,
              leases,
              live,
              IssuanceReads.usage(c, usageSince, head, withAddresses));
        });
  }

  @Override
  public List<GrantUse> grantUses(String workload, String resource, Instant since) {
    if (workload == null && resource == null) {
      throw new IllegalArgumentException("name a workload or a resource");
    }
    return db.run("read grant events", c -> IssuanceReads.grantUses(c, workload, resource, since));
  }

  @Override
  public List<Duration> leaseLifetimes(Instant since, int max) {
    long from = Micros.of(since);
    return db.run(
        "read lease lifetimes",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT expires_at - issued_at FROM leases WHERE issued_at >= ? ORDER BY issued_at DESC")) {
            ps.setLong(1, from);
            ps.setMaxRows(Math.max(1, max));
            try (ResultSet rs = ps.executeQuery()) {
              List<Duration> out = new ArrayList<>();
              while (rs.next()) {
                out.add(Duration.ofNanos(rs.getLong(1) * 1_000));
              }
              return out;
            }
          }
        });
  }

  @Override
  public List<LeakRecord> leaks() {
    return db.run(
        "read leak revocations",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT workload, resource, event_time, details, event_type"
                          + " FROM audit_events WHERE (event_type = 'lease.revoked' AND reason = 'leaked')"
                          + " OR event_type = 'secret.leaked' ORDER BY seq");
              ResultSet rs = ps.executeQuery()) {
            Map<String, LeakRecord> out = new LinkedHashMap<>();
            while (rs.next()) {
              Map<String, String> d = JsonColumns.stringMap(rs.getString(4));
              String fp = d.getOrDefault("fingerprint", "");
              boolean issued = rs.getString(5).equals("lease.revoked");
              String lease = issued ? d.getOrDefault("leaseId", "") : null;
              // the first report is when it leaked; later reports repeat it
              out.putIfAbsent(
                  issued ? "lease:" + lease : "fp:" + fp,
                  new LeakRecord(
                      lease,
                      rs.getString(1),
                      rs.getString(2),
                      fp,
                      Micros.toInstant(rs.getLong(3)),
                      d.get("source"),
                      d.get("path")));
            }
            return new ArrayList<>(out.values());
          }
        });
  }

  @Override
  public Map<String, Instant> firstWritten(String kind) {
    return db.run(
        "read first revisions of " + kind,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, MIN(changed_at) FROM config_history WHERE kind = ? GROUP BY name")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
              Map<String, Instant> out = new HashMap<>();
              while (rs.next()) {
                out.put(rs.getString(1), Micros.toInstant(rs.getLong(2)));
              }
              return out;
            }
          }
        });
  }

  @Override
  public Map<String, Instant> firstWritten(String kind, java.util.Collection<String> names) {
    return db.run(
        "read first revisions of " + names.size() + " " + kind,
        c -> {
          Map<String, Instant> out = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT MIN(changed_at) FROM config_history WHERE kind = ? AND name = ?")) {
            for (String name : names) {
              ps.setString(1, kind);
              ps.setString(2, name);
              try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  long v = rs.getLong(1);
                  if (!rs.wasNull()) {
                    out.put(name, Micros.toInstant(v));
                  }
                }
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean claimNotice(String ruleId, String itemId, Instant at) {
    String key = HexFormat.of().formatHex(Hashes.sha256(ruleId + "\0" + itemId));
    return db.write(
        "record a posture notice",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO posture_notices (notice_key, rule_id, item_id, first_at)"
                      + " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM posture_notices WHERE notice_key = ?)")) {
            ps.setString(1, key);
            ps.setString(2, ruleId);
            ps.setString(3, itemId);
            ps.setLong(4, Micros.of(at));
            ps.setString(5, key);
            return ps.executeUpdate() == 1;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              return false; // another node claimed it at the same moment
            }
            throw e;
          }
        });
  }
}
