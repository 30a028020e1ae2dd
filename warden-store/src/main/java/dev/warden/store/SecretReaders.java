package dev.warden.store;

import dev.warden.core.secret.BrokeredSecretStore.Read;
import dev.warden.core.secret.BrokeredSecretStore.Reader;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who read which brokered secret, and when: one row per secret and workload, updated in batches
 * from the read path. Apart from {@link JdbcBrokeredSecretStore} because it is written on every
 * read, never under the secret's guards, and has its own ordering rule against deadlocks.
 */
final class SecretReaders {
  private final Db db;

  SecretReaders(Db db) {
    this.db = db;
  }

  void recordReads(List<Read> reads) {
    if (reads.isEmpty()) {
      return;
    }
    List<Read> sorted = new ArrayList<>(reads);
    // one order for every node, so two batches never wait on each other's rows
    sorted.sort(Comparator.comparing(Read::name).thenComparing(Read::workload));
    db.inTransaction(
        "record brokered secret reads",
        c -> {
          for (Read r : sorted) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE brokered_secret_readers SET"
                        + " last_read_at = CASE WHEN last_read_at > ? THEN last_read_at ELSE ? END,"
                        + " last_version = CASE WHEN last_read_at > ? THEN last_version ELSE ? END, read_count = read_count + 1"
                        + " WHERE name = ? AND workload = ?")) {
              long at = Micros.of(r.at());
              ps.setLong(1, at);
              ps.setLong(2, at);
              ps.setLong(3, at);
              ps.setLong(4, r.version());
              ps.setString(5, r.name());
              ps.setString(6, r.workload());
              if (ps.executeUpdate() == 0) {
                // the secret may have been deleted meanwhile: insert only while it exists
                try (PreparedStatement ins =
                    c.prepareStatement(
                        "INSERT INTO brokered_secret_readers (name, workload,"
                            + " last_read_at, last_version, read_count) SELECT name, ?, ?, ?, 1 FROM brokered_secrets"
                            + " WHERE name = ?")) {
                  ins.setString(1, r.workload());
                  ins.setLong(2, at);
                  ins.setLong(3, r.version());
                  ins.setString(4, r.name());
                  ins.executeUpdate();
                }
              }
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE brokered_secrets SET last_read_at = ?,"
                        + " last_read_by = ? WHERE name = ? AND (last_read_at IS NULL OR last_read_at < ?)")) {
              long at = Micros.of(r.at());
              ps.setLong(1, at);
              ps.setString(2, r.workload());
              ps.setString(3, r.name());
              ps.setLong(4, at);
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  List<Reader> readers(String name, Instant since) {
    return readers(since).getOrDefault(name, List.of()).stream().toList();
  }

  Map<String, List<Reader>> readers(Instant since) {
    return db.run(
        "list brokered secret readers",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, workload, last_read_at, last_version, read_count"
                      + " FROM brokered_secret_readers WHERE last_read_at >= ? ORDER BY name, last_read_at DESC, workload")) {
            ps.setLong(1, Micros.of(since));
            Map<String, List<Reader>> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(
                        new Reader(
                            rs.getString(2),
                            Micros.toInstant(rs.getLong(3)),
                            rs.getLong(4),
                            rs.getLong(5)));
              }
            }
            return out;
          }
        });
  }
}
