package dev.warden.store;

import dev.warden.core.inventory.InventoryStore;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The inventory's grouped reads of issuance: lease summaries per (workload, resource), token usage
 * from the audit log (with the addresses it came from, when asked), grants per credential kind and
 * their sequence-number bound. Static, on the caller's connection, because {@link
 * JdbcInventoryStore#baseline} runs several of them in one snapshot; apart from the store because
 * they read {@code leases} and {@code audit_events}, not the inventory's own tables.
 */
final class IssuanceReads {
  /** Addresses kept per (workload, resource): enough to spot a workstation, bounded in memory. */
  static final int MAX_ADDRESSES = 64;

  private IssuanceReads() {}

  /**
   * How far before a window's start the sequence-number bound is taken: events are stamped when
   * made and numbered when their batch is appended, so time and seq agree only to within a batch's
   * delay. An hour is far more than that and costs nothing against a window of days.
   */
  static final Duration SEQ_SLACK = Duration.ofHours(1);

  static LeaseSummary summary(ResultSet rs) throws SQLException {
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

  static List<LeaseSummary> leaseSummaries(Connection c, Instant now) throws SQLException {
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

  static List<Usage> usage(Connection c, Instant since, long uptoSeq, boolean withAddresses)
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

  /** Grants of {@code workload} and/or {@code resource} since {@code since}, by credential kind. */
  static List<InventoryStore.GrantUse> grantUses(
      Connection c, @Nullable String workload, @Nullable String resource, Instant since)
      throws SQLException {
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
    sql.append(" GROUP BY e.workload, e.resource, l.kind ORDER BY e.workload, e.resource, l.kind");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<InventoryStore.GrantUse> out = new ArrayList<>();
        while (rs.next()) {
          String kind = rs.getString(3);
          out.add(
              new InventoryStore.GrantUse(
                  rs.getString(1),
                  rs.getString(2),
                  kind == null ? "unknown" : kind,
                  rs.getLong(4),
                  Micros.toInstant(rs.getLong(5))));
        }
        return out;
      }
    }
  }
}
