package dev.warden.store;

import dev.warden.core.recert.Campaign;
import dev.warden.core.recert.CampaignItem;
import dev.warden.core.recert.RecertStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Recertification campaigns; a decision is a compare-and-set on the pending state. */
final class JdbcRecertStore implements RecertStore {
  private static final String CAMPAIGN_COLUMNS =
      "SELECT id, scope, created_at, due_at, created_by, webhook_url,"
          + " last_reminder_at, closed_at FROM recert_campaigns";

  private final Db db;

  JdbcRecertStore(Db db) {
    this.db = db;
  }

  @Override
  public void create(Campaign c, List<CampaignItem> items) {
    db.inTransaction(
        "create recertification campaign " + c.id(),
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "INSERT INTO recert_campaigns (id, scope, created_at, due_at,"
                      + " created_by, webhook_url, last_reminder_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, c.id());
            ps.setString(2, JsonColumns.write(new java.util.TreeMap<>(c.scope())));
            ps.setLong(3, Micros.of(c.createdAt()));
            ps.setLong(4, Micros.of(c.dueAt()));
            Db.setText(ps, 5, c.createdBy());
            Db.setText(ps, 6, c.webhookUrl());
            Db.setMicros(ps, 7, c.lastReminderAt());
            Db.setMicros(ps, 8, c.closedAt());
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "INSERT INTO recert_items (campaign_id, workload, owner,"
                      + " decision, decided_at, decided_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (CampaignItem i : items) {
              ps.setString(1, c.id());
              ps.setString(2, i.workload());
              Db.setText(ps, 3, i.owner());
              ps.setString(4, i.decision().name());
              Db.setMicros(ps, 5, i.decidedAt());
              Db.setText(ps, 6, i.decidedBy());
              Db.setText(ps, 7, i.note());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<Campaign> campaigns() {
    return db.run(
        "list recertification campaigns",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(CAMPAIGN_COLUMNS + " ORDER BY created_at, id")) {
            return readCampaigns(ps);
          }
        });
  }

  @Override
  public Optional<Campaign> campaign(String id) {
    return db.run(
        "read recertification campaign",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(CAMPAIGN_COLUMNS + " WHERE id = ?")) {
            ps.setString(1, id);
            List<Campaign> l = readCampaigns(ps);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
          }
        });
  }

  @Override
  public List<CampaignItem> items(String campaignId) {
    return db.run(
        "read recertification items",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT campaign_id, workload, owner, decision, decided_at,"
                      + " decided_by, note FROM recert_items WHERE campaign_id = ? ORDER BY workload")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
              List<CampaignItem> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new CampaignItem(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        CampaignItem.Decision.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)),
                        Db.getMicros(rs, 5),
                        rs.getString(6),
                        rs.getString(7)));
              }
              return out;
            }
          }
        });
  }

  @Override
  public boolean decide(
      String campaignId,
      String workload,
      CampaignItem.Decision decision,
      Instant at,
      String by,
      @Nullable String note) {
    return db.write(
        "record recertification decision",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE recert_items SET decision = ?, decided_at = ?,"
                      + " decided_by = ?, note = ? WHERE campaign_id = ? AND workload = ? AND decision = 'PENDING'")) {
            ps.setString(1, decision.name());
            ps.setLong(2, Micros.of(at));
            Db.setText(ps, 3, by);
            Db.setText(ps, 4, note);
            ps.setString(5, campaignId);
            ps.setString(6, workload);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void markReminded(String campaignId, Instant at) {
    update("UPDATE recert_campaigns SET last_reminder_at = ? WHERE id = ?", campaignId, at);
  }

  @Override
  public void close(String campaignId, Instant at) {
    update(
        "UPDATE recert_campaigns SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
        campaignId,
        at);
  }

  private void update(String sql, String id, Instant at) {
    db.write(
        "update recertification campaign",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, id);
            return ps.executeUpdate();
          }
        });
  }

  private static List<Campaign> readCampaigns(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<Campaign> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new Campaign(
                rs.getString(1),
                JsonColumns.stringMap(rs.getString(2)),
                Micros.toInstant(rs.getLong(3)),
                Micros.toInstant(rs.getLong(4)),
                rs.getString(5),
                rs.getString(6),
                Db.getMicros(rs, 7),
                Db.getMicros(rs, 8)));
      }
      return out;
    }
  }
}
