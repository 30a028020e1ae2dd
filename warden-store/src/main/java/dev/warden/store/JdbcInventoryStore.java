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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The inventory over {@code inventory_items} and {@code departed_owners} (V3__inventory.sql), plus
 * grouped reads of {@code leases} and {@code audit_events}.
 */
final class JdbcInventoryStore implements InventoryStore {
  /** Addresses kept per (workload, resource): enough to spot a workstation, bounded in memory. */
  static final int MAX_ADDRESSES = 64;

  private static final String COLUMNS =
      "SELECT id, source, kind, name, owner, team, environment, location, fingerprint,"
          + " created_at, expires_at, rotated_at, last_used_at, attributes FROM inventory_items";

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
        "import " + items.size() + " inventory items",
        c -> {
          List<Upserted> out = new ArrayList<>(items.size());
          try (PreparedStatement get = c.prepareStatement(COLUMNS + " WHERE id = ?");
              PreparedStatement ins =
                  c.prepareStatement(
                      "INSERT INTO inventory_items (id, source, kind, name, owner, team,"
                          + " environment, location, fingerprint, created_at, expires_at, rotated_at, last_used_at, attributes,"
                          + " first_imported, last_imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
              PreparedStatement upd =
                  c.prepareStatement(
                      "UPDATE inventory_items SET owner = ?, team = ?, environment = ?,"
                          + " location = ?, fingerprint = ?, created_at = ?, expires_at = ?, rotated_at = ?, last_used_at = ?,"
                          + " attributes = ?, last_imported = ? WHERE id = ?")) {
            for (ImportedNhi raw : items) {
              ImportedNhi n = normalized(raw);
              get.setString(1, n.id());
              ImportedNhi cur;
              try (ResultSet rs = get.executeQuery()) {
                cur = rs.next() ? read(rs) : null;
              }
              if (cur == null) {
                ins.setString(1, n.id());
                ins.setString(2, n.source());
                ins.setString(3, n.kind());
                ins.setString(4, n.name());
                bindFields(ins, 5, n);
                ins.setLong(15, Micros.of(at));
                ins.setLong(16, Micros.of(at));
                ins.executeUpdate();
                out.add(new Upserted(n.id(), "created"));
              } else if (cur.equals(n)) {
                out.add(new Upserted(n.id(), "unchanged"));
              } else {
                bindFields(upd, 1, n);
                upd.setLong(11, Micros.of(at));
                upd.setString(12, n.id());
                upd.executeUpdate();
                out.add(new Upserted(n.id(), "updated"));
              }
            }
          }
          return out;
        });
  }

  /** Binds owner .. attributes (10 parameters) from {@code i}. */
  private static void bindFields(PreparedStatement ps, int i, ImportedNhi n) throws SQLException {
    Db.setText(ps, i, n.owner());
    Db.setText(ps, i + 1, n.team());
    Db.setText(ps, i + 2, n.environment());
    Db.setText(ps, i + 3, n.location());
    Db.setText(ps, i + 4, n.fingerprint());
    Db.setMicros(ps, i + 5, n.createdAt());
    Db.setMicros(ps, i + 6, n.expiresAt());
    Db.setMicros(ps, i + 7, n.lastRotatedAt());
    Db.setMicros(ps, i + 8, n.lastUsedAt());
    ps.setString(i + 9, JsonColumns.write(n.attributes()));
  }

  /** The item as it reads back: times at microsecond precision. */
  static ImportedNhi normalized(ImportedNhi n) {
    return new ImportedNhi(
        n.source(),
        n.kind(),
        n.name(),
        n.owner(),
        n.team(),
        n.environment(),
        n.location(),
        n.fingerprint(),
        Micros.truncateNullable(n.createdAt()),
        Micros.truncateNullable(n.expiresAt()),
        Micros.truncateNullable(n.lastRotatedAt()),
        Micros.truncateNullable(n.lastUsedAt()),
        n.attributes());
  }

  private static ImportedNhi read(ResultSet rs) throws SQLException {
    return new ImportedNhi(
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        Db.getMicros(rs, 10),
        Db.getMicros(rs, 11),
        Db.getMicros(rs, 12),
        Db.getMicros(rs, 13),
        JsonColumns.stringMap(rs.getString(14)));
  }

  @Override
  public List<ImportedNhi> listImported() {
    return db.run(
        "list inventory items",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(COLUMNS + " ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            List<ImportedNhi> out = new ArrayList<>();
            while (rs.next()) {
              out.add(read(rs));
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
              c.prepareStatement(COLUMNS + " WHERE last_imported >= ? ORDER BY id")) {
            ps.setLong(1, Micros.of(at));
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              List<ImportedNhi> out = new ArrayList<>();
              while (rs.next()) {
                out.add(read(rs));
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

  private static LeaseSummary summary(ResultSet rs) throws SQLException {
    return new LeaseSummary(
        rs.getString(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getLong(4),
        Micros.toInstant(rs.getLong(5)),
        Micros.toInstant(rs.getLong(6)),
        Duration.ofNanos(rs.getLong(7) * 1_000),
        Micros.toInstant(rs.getLong(8)));
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
    return db.run("summarize leases", c -> leaseSummaries(c, now));
  }

  private static List<LeaseSummary> leaseSummaries(java.sql.Connection c, Instant now)
      throws SQLException {
    long at = Micros.of(now);
    {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT workload, resource, COUNT(*),"
                  + " SUM(CASE WHEN revoked_at IS NULL AND expires_at > ? THEN 1 ELSE 0 END), MIN(issued_at), MAX(issued_at),"
                  + " MAX(expires_at - issued_at), MAX(expires_at) FROM leases GROUP BY workload, resource"
                  + " ORDER BY workload, resource")) {
        ps.setLong(1, at);
        try (ResultSet rs = ps.executeQuery()) {
          List<LeaseSummary> out = new ArrayList<>();
          while (rs.next()) {
            out.add(summary(rs));
          }
          return out;
        }
      }
    }
  }

  @Override
  public List<Usage> usage(Instant since) {
    return db.run("read token issuance events", c -> usage(c, since, Long.MAX_VALUE, true));
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
          try (PreparedStatement ps = c.prepareStatement(COLUMNS + " ORDER BY id")) {
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                imported.add(read(rs));
              }
            }
          }
          List<LeaseSummary> leases = leaseSummaries(c, now);
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
              head, imported, leases, live, usage(c, usageSince, head, withAddresses));
        });
  }

  private static List<Usage> usage(
      java.sql.Connection c, Instant since, long uptoSeq, boolean withAddresses)
      throws SQLException {
    long from = Micros.of(since);
    if (!withAddresses) {
      // grouped by the database: one row per pair crosses the wire instead of one per event
      {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT workload, resource, COUNT(*), MAX(event_time)"
                    + " FROM audit_events WHERE event_type = 'token.issued' AND event_time >= ? AND seq <= ?"
                    + " GROUP BY workload, resource")) {
          ps.setLong(1, from);
          ps.setLong(2, uptoSeq);
          try (ResultSet rs = ps.executeQuery()) {
            List<Usage> out = new ArrayList<>();
            while (rs.next()) {
              out.add(
                  new Usage(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getLong(3),
                      Micros.toInstant(rs.getLong(4)),
                      Set.of()));
            }
            return out;
          }
        }
      }
    }
    {
      record Acc(long[] count, Instant[] last, Set<String> addresses) {}
      Map<String, Acc> groups = new LinkedHashMap<>();
      Map<String, String[]> keys = new HashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT workload, resource, event_time, details FROM audit_events"
                  + " WHERE event_type = 'token.issued' AND event_time >= ? AND seq <= ? ORDER BY event_time")) {
        ps.setLong(1, from);
        ps.setLong(2, uptoSeq);
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String w = rs.getString(1);
            String r = rs.getString(2);
            String k = w + "\0" + r;
            Acc a =
                groups.computeIfAbsent(
                    k, x -> new Acc(new long[1], new Instant[1], new LinkedHashSet<>()));
            keys.putIfAbsent(k, new String[] {w, r});
            a.count()[0]++;
            a.last()[0] = Micros.toInstant(rs.getLong(3));
            if (a.addresses().size() < MAX_ADDRESSES) {
              String addr = JsonColumns.stringMap(rs.getString(4)).get("sourceAddress");
              if (addr != null && !addr.isEmpty()) {
                a.addresses().add(addr);
              }
            }
          }
        }
      }
      List<Usage> out = new ArrayList<>();
      groups.forEach(
          (k, a) -> {
            // the loop above puts every key of groups into keys too
            String[] wr = Objects.requireNonNull(keys.get(k), "keys");
            out.add(new Usage(wr[0], wr[1], a.count()[0], a.last()[0], a.addresses()));
          });
      return out;
    }
  }

  /**
   * How far before a window's start the sequence-number bound is taken: events are stamped when
   * made and numbered when their batch is appended, so time and seq agree only to within a batch's
   * delay. An hour is far more than that and costs nothing against a window of days.
   */
  static final Duration SEQ_SLACK = Duration.ofHours(1);

  @Override
  public List<GrantUse> grantUses(String workload, String resource, Instant since) {
    if (workload == null && resource == null) {
      throw new IllegalArgumentException("name a workload or a resource");
    }
    return db.run(
        "read grant events",
        c -> {
          // the (workload, seq) and (resource, seq) indexes are ranged from the first seq of the
          // window,
          // found through the event_time index, instead of reading the subject's whole history
          long fromSeq = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT seq FROM audit_events WHERE event_time >= ? ORDER BY event_time LIMIT 1")) {
            ps.setLong(1, Micros.of(since.minus(SEQ_SLACK)));
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return List.of();
              }
              fromSeq = rs.getLong(1);
            }
          }
          StringBuilder sql =
              new StringBuilder(
                  "SELECT e.workload, e.resource, l.kind, COUNT(*), MAX(e.event_time)"
                      + " FROM audit_events e LEFT JOIN leases l ON l.id = e.lease_id"
                      + " WHERE e.event_type = 'token.issued' AND e.seq >= ? AND e.event_time >= ?");
          List<Object> args = new ArrayList<>(List.of(fromSeq, Micros.of(since)));
          if (workload != null) {
            // left(...) matches the PostgreSQL prefix index (V2__indexes.sql); H2 uses workload = ?
            sql.append(" AND left(e.workload, 200) = left(?, 200) AND e.workload = ?");
            args.add(workload);
            args.add(workload);
          }
          if (resource != null) {
            sql.append(" AND left(e.resource, 200) = left(?, 200) AND e.resource = ?");
            args.add(resource);
            args.add(resource);
          }
          sql.append(
              " GROUP BY e.workload, e.resource, l.kind ORDER BY e.workload, e.resource, l.kind");
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
              List<GrantUse> out = new ArrayList<>();
              while (rs.next()) {
                String kind = rs.getString(3);
                out.add(
                    new GrantUse(
                        rs.getString(1),
                        rs.getString(2),
                        kind == null ? "unknown" : kind,
                        rs.getLong(4),
                        Micros.toInstant(rs.getLong(5))));
              }
              return out;
            }
          }
        });
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
