package dev.warden.store;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.ChainFields;
import dev.warden.core.model.Lease;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The hash-chained audit log.
 *
 * <p>Design note. An append is one transaction: lock the single {@code audit_head} row, read the
 * last sequence number and hash, link each event to the one before, insert the events and their
 * leases as JDBC batches, move the head, commit. The row lock is what makes several server nodes on
 * one PostgreSQL produce one chain rather than two interleaved ones; it is held only for the
 * hashing and the inserts, so the JSON rendering is done before the lock is taken. When this node
 * wrote the head last, the lock and the move are one statement: the head is moved only from where
 * this node left it ({@code WHERE last_seq = ? AND last_hash = ?}), which takes the same row lock;
 * if another node moved it meanwhile, nothing is moved and the append falls back to the locking
 * read (and keeps to it for the next {@value #PESSIMISTIC_AFTER_MISS} appends). Event times are
 * stored in microseconds and lease times are hashed in milliseconds, so a record read back hashes
 * exactly as it did when it was written. The lease of an event reads back as issued (never revoked,
 * never extended): each event row keeps its own copy of its lease as hashed (V24), since revocation
 * and renewal are the lease store's business, and an audit record does not change.
 *
 * <p>Why it is over 400 lines: the append and the reads share the normalisation that makes a record
 * read back hash exactly as it was written; keeping them together keeps that one rule in one place.
 */
final class JdbcAuditStore implements AuditStore {
  private static final String INSERT_EVENT =
      "INSERT INTO audit_events (seq, event_id, event_time, event_type, outcome, reason, actor, workload, resource,"
          + " details, lease_id, prev_hash, hash, chain_root, chain_txn, lease_kind, lease_workload,"
          + " lease_resource, lease_issued_at, lease_expires_at, lease_fingerprint)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * An event with its lease: the event's own copy of it (V24), else, for an event written before
   * that copy was kept, the row in {@code leases}. The join's key is null for an event with a copy,
   * so PostgreSQL does not probe {@code leases_pk} for it: a range of the chain reads only pages of
   * {@code audit_events}, in order, where one random probe per lease cost ~4 buffers each.
   */
  private static final String SELECT =
      "SELECT e.seq, e.event_id, e.event_time, e.event_type, e.outcome, e.reason, e.actor, e.workload, e.resource,"
          + " e.details, e.prev_hash, e.hash, l.id, l.kind, l.workload, l.resource, l.issued_at, l.expires_at,"
          + " l.fingerprint, e.lease_id, e.lease_kind, e.lease_workload, e.lease_resource, e.lease_issued_at,"
          + " e.lease_expires_at, e.lease_fingerprint FROM audit_events e LEFT JOIN leases l"
          + " ON l.id = CASE WHEN e.lease_kind IS NULL THEN e.lease_id END";

  /** How many appends lock the head first after another node was found to have moved it. */
  private static final int PESSIMISTIC_AFTER_MISS = 100;

  private final Db db;

  /** The head this node's last append left, or null when unknown (start, failure). */
  private volatile @Nullable Head expected;

  // only the audit writer's thread appends; a race here costs a round trip, never correctness
  private int pessimisticLeft;

  JdbcAuditStore(Db db) {
    this.db = db;
  }

  @Override
  public List<AuditRecord> append(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    int n = events.size();
    AuditEvent[] normalized = new AuditEvent[n];
    String[] details = new String[n];
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      AuditEvent e = Objects.requireNonNull(events.get(i), "event");
      normalized[i] = normalized(e);
      details[i] = JsonColumns.write(e.details());
      if (e.lease() != null) {
        leases.add(JdbcLeaseStore.normalized(e.lease()));
      }
    }
    Head tried = optimisticHead();
    try {
      List<AuditRecord> out =
          db.inTransaction(
              "append " + n + " audit events",
              c -> {
                // the head this node wrote last, moved only if nobody moved it since: one round
                // trip instead of a locking read and an update
                if (tried != null) {
                  Chained chained = chain(tried, normalized);
                  if (moveHead(c, chained, tried)) {
                    insert(c, normalized, details, leases, chained);
                    return chained.records();
                  }
                  missed();
                }
                Head head = lockHead(c);
                Chained chained = chain(head, normalized);
                insert(c, normalized, details, leases, chained);
                moveHead(c, chained, null);
                return chained.records();
              });
      expected = new Head(out.getLast().seq(), out.getLast().hash());
      return out;
    } catch (RuntimeException e) {
      expected = null;
      throw e;
    }
  }

  /** A chain head: the last sequence number and its hash. */
  private record Head(long seq, byte[] hash) {}

  /** The events of one append linked to a head, and the head they leave. */
  private record Chained(List<AuditRecord> records, Head last) {}

  private @Nullable Head optimisticHead() {
    if (pessimisticLeft > 0) {
      pessimisticLeft--;
      return null;
    }
    return expected;
  }

  /** Another node moved the head: lock it first for a while, since it will likely move again. */
  private void missed() {
    pessimisticLeft = PESSIMISTIC_AFTER_MISS;
  }

  private static Head lockHead(java.sql.Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException(
            "the audit chain head row is missing; the schema is damaged", "55000");
      }
      byte[] hash = rs.getBytes(2);
      return new Head(rs.getLong(1), hash == null ? AuditChain.GENESIS.clone() : hash);
    }
  }

  private static Chained chain(Head head, AuditEvent[] events) {
    List<AuditRecord> out = new ArrayList<>(events.length);
    byte[] prev = head.hash();
    for (int i = 0; i < events.length; i++) {
      long seq = head.seq() + 1 + i;
      byte[] hash = AuditChain.link(prev, seq, events[i]);
      out.add(new AuditRecord(seq, events[i], prev, hash));
      prev = hash;
    }
    return new Chained(out, new Head(head.seq() + events.length, prev));
  }

  /**
   * Moves the head to where {@code chained} leaves it: only from {@code from} when given (false,
   * moving nothing, when the head is elsewhere now — the update then waited for and re-read the row
   * another transaction changed), else unconditionally under the lock already taken.
   */
  private static boolean moveHead(java.sql.Connection c, Chained chained, @Nullable Head from)
      throws SQLException {
    String sql =
        from == null
            ? "UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1"
            : "UPDATE audit_head SET last_seq = ?, last_hash = ?"
                + " WHERE id = 1 AND last_seq = ? AND last_hash = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, chained.last().seq());
      ps.setBytes(2, chained.last().hash());
      if (from != null) {
        ps.setLong(3, from.seq());
        ps.setBytes(4, from.hash());
      }
      return ps.executeUpdate() == 1;
    }
  }

  private static void insert(
      java.sql.Connection c,
      AuditEvent[] normalized,
      String[] details,
      List<Lease> leases,
      Chained chained)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
      for (int i = 0; i < normalized.length; i++) {
        AuditEvent e = normalized[i];
        AuditRecord r = chained.records().get(i);
        ps.setLong(1, r.seq());
        ps.setString(2, e.id());
        ps.setLong(3, Micros.of(e.time()));
        ps.setString(4, e.type());
        ps.setString(5, e.outcome());
        ps.setString(6, e.reason());
        ps.setString(7, e.actor());
        Db.setText(ps, 8, e.workload());
        Db.setText(ps, 9, e.resource());
        ps.setString(10, details[i]);
        Db.setText(ps, 11, e.lease() == null ? null : e.lease().id());
        ps.setBytes(12, r.prevHash());
        ps.setBytes(13, r.hash());
        // the chain keys are indexed copies of two details, so every hop of a chain is found at
        // once
        Db.setText(ps, 14, chainKey(e.details().get(ChainFields.ROOT)));
        Db.setText(ps, 15, chainKey(e.details().get(ChainFields.TXN)));
        Lease l = e.lease();
        Db.setText(ps, 16, l == null ? null : l.kind().wire());
        Db.setText(ps, 17, l == null ? null : l.workload());
        Db.setText(ps, 18, l == null ? null : l.resource());
        Db.setMicros(ps, 19, l == null ? null : l.issuedAt());
        Db.setMicros(ps, 20, l == null ? null : l.expiresAt());
        Db.setText(ps, 21, l == null ? null : l.fingerprint());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    JdbcLeaseStore.insertAll(c, leases.stream().filter(l -> !l.kind().livesAtTarget()).toList());
    JdbcTargetLeaseStore.activate(
        c, leases.stream().filter(l -> l.kind().livesAtTarget()).toList());
  }

  /** The event as it will read back: times truncated to microseconds, lease as issued. */
  private static AuditEvent normalized(AuditEvent e) {
    Lease l = e.lease();
    Lease nl = l == null ? null : asIssued(JdbcLeaseStore.normalized(l));
    if (e.time().getNano() % 1_000 == 0 && nl == l) {
      return e;
    }
    return new AuditEvent(
        e.id(),
        Micros.truncate(e.time()),
        e.type(),
        e.outcome(),
        e.reason(),
        e.actor(),
        e.workload(),
        e.resource(),
        e.details(),
        nl);
  }

  private static Lease asIssued(Lease l) {
    return l.revokedAt() == null && l.revokeReason() == null
        ? l
        : new Lease(
            l.id(),
            l.kind(),
            l.workload(),
            l.resource(),
            l.issuedAt(),
            l.expiresAt(),
            null,
            null,
            l.fingerprint());
  }

  @Override
  public List<AuditRecord> query(AuditQuery q) {
    StringBuilder sql = new StringBuilder(SELECT);
    List<Object> args = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (q.from() != null) {
      where.add("e.event_time >= ?");
      args.add(Micros.of(q.from()));
    }
    if (q.to() != null) {
      where.add("e.event_time < ?");
      args.add(Micros.of(q.to()));
    }
    // workload, resource, type, reason, actor: the PostgreSQL prefix indexes of V2 and V20
    if (q.workload() != null) {
      where.add(db.equalsLong("e.workload", q.workload(), args));
    }
    if (q.resource() != null) {
      where.add(db.equalsLong("e.resource", q.resource(), args));
    }
    if (q.outcome() != null) {
      where.add("e.outcome = ?");
      args.add(q.outcome());
    }
    for (String[] f :
        new String[][] {
          {"e.event_type", q.type()}, {"e.reason", q.reason()}, {"e.actor", q.actor()}
        }) {
      if (f[1] != null) {
        where.add(db.equalsLong(f[0], f[1], args));
      }
    }
    // A time window is paged by (event_time, seq), newest first: one backward range scan of the
    // (event_time, seq) index, where "by seq" would walk back from the head to the window first.
    // Events are appended in time order but for clock skew between nodes, so the order is the same
    // but for such neighbours.
    boolean byTime = q.from() != null || q.to() != null;
    if (q.beforeSeq() != null) {
      if (byTime) {
        String at = "(SELECT c.event_time FROM audit_events c WHERE c.seq = ?)";
        where.add("e.event_time <= " + at + " AND (e.event_time < " + at + " OR e.seq < ?)");
        args.add(q.beforeSeq());
        args.add(q.beforeSeq());
      } else {
        where.add("e.seq < ?");
      }
      args.add(q.beforeSeq());
    }
    if (!where.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", where));
    }
    sql.append(
        byTime
            ? " ORDER BY e.event_time DESC, e.seq DESC LIMIT ?"
            : " ORDER BY e.seq DESC LIMIT ?");
    args.add(q.limit());
    return db.run(
        "query the audit log",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              ps.setObject(i + 1, args.get(i));
            }
            return read(ps);
          }
        });
  }

  /** Only values Warden writes (UUIDs) are indexed: anything longer is not a chain key. */
  private static @Nullable String chainKey(@Nullable String v) {
    return v == null || v.isEmpty() || v.length() > 200 ? null : v;
  }

  @Override
  public Optional<AuditRecord> byEventId(String eventId) {
    if (eventId == null || eventId.isEmpty() || eventId.length() > 200) {
      return Optional.empty();
    }
    return db.run(
        "read audit event " + eventId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE e.event_id = ? ORDER BY e.seq LIMIT 1")) {
            ps.setString(1, eventId);
            return read(ps).stream().findFirst();
          }
        });
  }

  @Override
  public List<AuditRecord> chainOf(String key, int limit) {
    if (limit <= 0 || key == null || key.isEmpty() || key.length() > 200) {
      return List.of();
    }
    return db.run(
        "read the audit chain of " + key,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT
                      + " WHERE e.event_id = ? OR e.chain_root = ? OR e.chain_txn = ? ORDER BY e.seq LIMIT ?")) {
            ps.setString(1, key);
            ps.setString(2, key);
            ps.setString(3, key);
            ps.setInt(4, limit);
            return read(ps);
          }
        });
  }

  @Override
  public List<AuditRecord> readChain(long fromSeq, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    // Sequence numbers are dense, so [from, from + limit - 1] normally holds exactly limit events.
    // Asked as a closed range, PostgreSQL plans a plain index range scan; as an open one (seq >= ?)
    // it estimates millions of rows and picks a parallel plan whose start alone costs ~100 ms
    // (1,000
    // events at 10M: 45 ms instead of 330 ms). Fewer rows than asked means the end of the chain or
    // a
    // gap (a removed event, which verification must see past): the rest comes from an open range
    // after it, so the answer is exactly that of "seq >= from ORDER BY seq LIMIT limit".
    long last = fromSeq > Long.MAX_VALUE - (limit - 1) ? Long.MAX_VALUE : fromSeq + (limit - 1);
    return db.run(
        "read the audit chain from " + fromSeq,
        c -> {
          List<AuditRecord> out;
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT + " WHERE e.seq >= ? AND e.seq <= ? ORDER BY e.seq LIMIT ?")) {
            ps.setLong(1, fromSeq);
            ps.setLong(2, last);
            ps.setInt(3, limit);
            out = read(ps);
          }
          if (out.size() < limit && last < Long.MAX_VALUE) {
            try (PreparedStatement ps =
                c.prepareStatement(SELECT + " WHERE e.seq > ? ORDER BY e.seq LIMIT ?")) {
              ps.setLong(1, last);
              ps.setInt(2, limit - out.size());
              out.addAll(read(ps));
            }
          }
          return out;
        });
  }

  @Override
  public dev.warden.core.audit.ChainHead head() {
    return db.run(
        "read the audit chain head",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new SQLException(
                  "the audit chain head row is missing; the schema is damaged", "55000");
            }
            byte[] hash = rs.getBytes(2);
            return new dev.warden.core.audit.ChainHead(
                rs.getLong(1), hash == null ? AuditChain.GENESIS : hash);
          }
        });
  }

  private static List<AuditRecord> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<AuditRecord> out = new ArrayList<>();
      while (rs.next()) {
        String copiedKind = rs.getString(21);
        String leaseId = copiedKind != null ? rs.getString(20) : rs.getString(13);
        // columns 21-26 are the event's copy of its lease, 14-19 the row of leases before V24
        int at = copiedKind != null ? 21 : 14;
        Lease lease =
            leaseId == null
                ? null
                : new Lease(
                    leaseId,
                    dev.warden.core.model.CredentialKind.fromWire(rs.getString(at)),
                    rs.getString(at + 1),
                    rs.getString(at + 2),
                    Micros.toInstant(rs.getLong(at + 3)),
                    Micros.toInstant(rs.getLong(at + 4)),
                    null,
                    null,
                    rs.getString(at + 5));
        AuditEvent e =
            new AuditEvent(
                rs.getString(2),
                Micros.toInstant(rs.getLong(3)),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                JsonColumns.stringMap(rs.getString(10)),
                lease);
        out.add(new AuditRecord(rs.getLong(1), e, rs.getBytes(11), rs.getBytes(12)));
      }
      return out;
    }
  }
}
