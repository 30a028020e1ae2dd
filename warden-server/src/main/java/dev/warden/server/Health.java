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
  private final java.util.function.Supplier<java.util.List<DisabledObject>> disabled;
  private final java.util.function.Supplier<dev.warden.store.ChangeFeed.Status> changes;

  Health(Store store, ServerMetrics metrics, java.util.function.Supplier<java.util.List<DisabledObject>> disabled,
      java.util.function.Supplier<dev.warden.store.ChangeFeed.Status> changes) {
    this.store = store;
    this.metrics = metrics;
    this.disabled = disabled;
    this.changes = changes;
  }

  void live(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    res.send("{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * 200 while the database answers, 503 when it does not. Disabled configuration objects do not
   * make the node unready (every node would drop out alike, and the rest of the configuration
   * works): they are listed, and {@code configuration} says {@code degraded}. Nor does a change feed
   * that is reconnecting ({@code changes}): the poll still brings other nodes' changes, only later.
   */
  void ready(ServerRequest req, ServerResponse res) {
    boolean ok = store.isReachable(Duration.ofSeconds(2));
    com.fasterxml.jackson.databind.node.ObjectNode o = dev.warden.server.http.Json.object();
    o.put("status", ok ? "ready" : "not ready");
    o.put("database", ok ? "up" : "down");
    // listening | reconnecting | none: how soon this node sees changes made on other nodes
    o.put("changes", changes.get().state().name().toLowerCase(java.util.Locale.ROOT));
    java.util.List<DisabledObject> off = disabled.get();
    o.put("configuration", off.isEmpty() ? "ok" : "degraded");
    if (!off.isEmpty()) {
      com.fasterxml.jackson.databind.node.ArrayNode a = o.putArray("disabled");
      for (DisabledObject d : off) {
        // unauthenticated: names only; the reason is for admins (warden get, the audit log)
        a.addObject().put("kind", d.kind().wire()).put("name", d.name());
      }
    }
    res.status(ok ? 200 : 503);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "no-store");
    res.send(dev.warden.server.http.Json.bytes(o));
  }

  void metrics(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
