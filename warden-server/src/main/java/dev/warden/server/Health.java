package dev.warden.server;

import dev.warden.core.store.Store;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Liveness, readiness (the database answers) and the Prometheus scrape. */
final class Health {
  private final Store store;
  private final ServerMetrics metrics;
  private final java.util.function.Supplier<java.util.List<DisabledObject>> disabled;
  private final java.util.function.Supplier<dev.warden.store.ChangeFeed.Status> changes;
  private final java.util.function.Supplier<dev.warden.core.audit.AuditWriter.Health> audit;

  Health(
      Store store,
      ServerMetrics metrics,
      java.util.function.Supplier<java.util.List<DisabledObject>> disabled,
      java.util.function.Supplier<dev.warden.store.ChangeFeed.Status> changes,
      java.util.function.Supplier<dev.warden.core.audit.AuditWriter.Health> audit) {
    this.store = store;
    this.metrics = metrics;
    this.disabled = disabled;
    this.changes = changes;
    this.audit = audit;
  }

  void live(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "application/json");
    res.send("{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * 200 while the database answers and the audit log takes writes, 503 when either fails: a node
   * that cannot make an audit event durable issues nothing, so it must not get traffic. {@code
   * audit} says {@code failing} (with {@code auditError}: why, e.g. the disk is full) or {@code
   * stalled} (a write runs longer than {@code audit.timeout}: the database is slow or locked); it
   * turns {@code ok} by itself once a write goes through. Disabled configuration objects do not
   * make the node unready (every node would drop out alike, and the rest of the configuration
   * works): they are listed, and {@code configuration} says {@code degraded}. Nor does a change
   * feed that is reconnecting ({@code changes}): the poll still brings other nodes' changes, only
   * later.
   */
  void ready(ServerRequest req, ServerResponse res) {
    boolean up = store.isReachable(Duration.ofSeconds(2));
    dev.warden.core.audit.AuditWriter.Health written = audit.get();
    boolean ok = up && written.state() == dev.warden.core.audit.AuditWriter.State.OK;
    com.fasterxml.jackson.databind.node.ObjectNode o = dev.warden.server.http.HttpJson.object();
    o.put("status", ok ? "ready" : "not ready");
    o.put("database", up ? "up" : "down");
    o.put("audit", written.state().name().toLowerCase(java.util.Locale.ROOT));
    String why = auditError(written);
    if (why != null) {
      o.put("auditError", why);
    }
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
    res.send(dev.warden.server.http.HttpJson.bytes(o));
  }

  /**
   * Why audit writes fail, for an unauthenticated probe: the I/O error if there is one (it names
   * the condition, such as "No space left on device"), never the database URL or SQL; the server
   * log has the whole failure.
   */
  static @Nullable String auditError(dev.warden.core.audit.AuditWriter.Health h) {
    return switch (h.state()) {
      case OK -> null;
      case STALLED ->
          "an audit write has run for "
              + h.stalledMillis()
              + " ms, longer than requests wait"
              + " (audit.timeout): the database is slow or the audit table locked; nothing is issued meanwhile";
      case FAILING -> {
        String io = null;
        for (Throwable t = h.failure();
            t != null && io == null;
            t = t.getCause() == t ? null : t.getCause()) {
          if (t instanceof java.io.IOException e && e.getMessage() != null) {
            io = e.getMessage();
          }
        }
        yield "the audit log cannot be written ("
            + (io != null ? io : "the database refused or is unreachable; see" + " the server log")
            + "); nothing is issued until it can, and the node recovers by itself";
      }
    };
  }

  void metrics(ServerRequest req, ServerResponse res) {
    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
