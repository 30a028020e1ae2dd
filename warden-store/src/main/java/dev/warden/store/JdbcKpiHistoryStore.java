package dev.warden.store;

import dev.warden.core.inventory.KpiHistoryStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Daily KPI snapshots; the day is the primary key, so a second node's insert is a no-op. */
final class JdbcKpiHistoryStore implements KpiHistoryStore {
  private final Db db;

  JdbcKpiHistoryStore(Db db) {
    this.db = db;
  }

  @Override
  public boolean recordIfAbsent(Snapshot s) {
    return db.write(
        "record the KPI snapshot of " + s.day(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO kpi_daily (snapshot_day, computed_at, kpi) VALUES (?, ?, ?)")) {
            ps.setString(1, s.day());
            ps.setLong(2, Micros.of(s.computedAt()));
            ps.setString(3, s.json());
            ps.executeUpdate();
            return true;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              return false;
            }
            throw e;
          }
        });
  }

  @Override
  public boolean has(String day) {
    return db.run(
        "read the KPI snapshot of " + day,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT 1 FROM kpi_daily WHERE snapshot_day = ?")) {
            ps.setString(1, day);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  @Override
  public List<Snapshot> since(String fromDay) {
    return db.run(
        "read KPI history",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT snapshot_day, computed_at, kpi FROM kpi_daily WHERE snapshot_day >= ? ORDER BY snapshot_day")) {
            ps.setString(1, fromDay);
            try (ResultSet rs = ps.executeQuery()) {
              List<Snapshot> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new Snapshot(
                        rs.getString(1), Micros.toInstant(rs.getLong(2)), rs.getString(3)));
              }
              return out;
            }
          }
        });
  }
}
