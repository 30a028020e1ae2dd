package dev.warden.store;

import dev.warden.core.inventory.ImportedNhi;
import dev.warden.core.inventory.InventoryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of {@code inventory_items}: their columns, how an imported item is written and read
 * back, and the import that creates, updates or leaves each one. Static, on the caller's
 * connection, because the store's import and its baseline snapshot both read these rows.
 */
final class ImportedRows {
  static final String COLUMNS =
      "SELECT id, source, kind, name, owner, team, environment, location, fingerprint,"
          + " created_at, expires_at, rotated_at, last_used_at, attributes FROM inventory_items";

  private ImportedRows() {}

  /** Creates, updates or leaves each item, in the caller's transaction; says which it did. */
  static List<InventoryStore.Upserted> upsert(Connection c, List<ImportedNhi> items, Instant at)
      throws SQLException {
    List<InventoryStore.Upserted> out = new ArrayList<>(items.size());
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
          out.add(new InventoryStore.Upserted(n.id(), "created"));
        } else if (cur.equals(n)) {
          out.add(new InventoryStore.Upserted(n.id(), "unchanged"));
        } else {
          bindFields(upd, 1, n);
          upd.setLong(11, Micros.of(at));
          upd.setString(12, n.id());
          upd.executeUpdate();
          out.add(new InventoryStore.Upserted(n.id(), "updated"));
        }
      }
    }
    return out;
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

  static ImportedNhi read(ResultSet rs) throws SQLException {
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
}
