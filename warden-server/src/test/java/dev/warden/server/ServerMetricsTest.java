package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Metrics that read a supplier keep reading it after garbage collection. */
class ServerMetricsTest {

  @Test
  void databaseRemovalCountersStillReadTheirSupplierAfterAGarbageCollection() throws Exception {
    ServerMetrics m = new ServerMetrics();
    Map<String, Long> totals = Map.of("removed", 3L, "failed", 1L);
    // a capturing lambda: a new object only the metrics will hold (a method reference to a static
    // method may be a cached singleton, which would never be collected)
    Supplier<Map<String, Long>> supplier = () -> totals;
    WeakReference<Object> probe = new WeakReference<>(supplier);
    m.databaseLeases(Map::of, supplier);
    supplier = null;
    for (int i = 0; i < 20 && probe.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(probe.get()).as("the metrics hold the supplier").isNotNull();
    // only the metrics still hold it; before the fix the counter went NaN once it was collected
    assertThat(m.scrape()).contains("warden_database_removals_total{outcome=\"removed\"} 3.0");
  }
}
