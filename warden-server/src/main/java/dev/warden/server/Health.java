package dev.warden.server;

import dev.warden.core.store.Store;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Liveness, readiness (the database answers) and the Prometheus scrape. */
final class Health {
  private final Store store;
  private final ServerMetrics metrics;

  Health(Store store, ServerMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  void live(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    res.send("{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
  }

  void ready(ServerRequest req, ServerResponse res) {
    boolean ok = store.isReachable(Duration.ofSeconds(2));
    res.status(ok ? 200 : 503);
    res.header("Content-Type", "application/json");
    res.send((ok ? "{\"status\":\"ready\",\"database\":\"up\"}" : "{\"status\":\"not ready\",\"database\":\"down\"}")
        .getBytes(StandardCharsets.UTF_8));
  }

  void metrics(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
