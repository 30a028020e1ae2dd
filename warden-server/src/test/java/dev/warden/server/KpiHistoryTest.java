package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server records one KPI snapshot per UTC day and serves the history. */
class KpiHistoryTest {
  @TempDir Path dir;

  @Test
  void todaysSnapshotIsRecordedOnceAndServedAsHistory() throws Exception {
    try (ServerFixture f = ServerFixture.start(dir, Map.of("keys.checkInterval", "100ms"))) {
      JsonNode days = null;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        days = f.admin("GET", "/v1/report/kpi/history?days=7", null).json().get("days");
        if (days.size() > 0) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(days).hasSize(1);
      assertThat(days.get(0).get("day").asText())
          .isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
      assertThat(days.get(0).get("kpi").has("ownerShare")).isTrue();
      Thread.sleep(400); // more timer ticks: still one snapshot for the day
      assertThat(f.admin("GET", "/v1/report/kpi/history", null).json().get("days")).hasSize(1);
      assertThat(f.admin("GET", "/v1/report/kpi/history?days=0", null).status()).isEqualTo(400);
    }
  }
}
