package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The agent's health over plain HTTP, for a kubelet probe or a Prometheus scrape, on an address the
 * operator chooses (loopback by default in the examples): {@code /healthz} (the process runs),
 * {@code /readyz} (200 while every workload it serves has an unexpired SVID, even with the server
 * unreachable; 503 once one has none, with the reason) and {@code /metrics} (Prometheus text).
 * Nothing secret is shown: SPIFFE IDs are not listed, only counts and times.
 */
@SuppressForbidden(
    "the JDK's own HTTP server (module jdk.httpserver, in every OpenJDK): three plain probe endpoints"
        + " do not justify a web framework in the agent")
public final class AgentStatus implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer http;
  private final AgentRuntime agent;

  private AgentStatus(HttpServer http, AgentRuntime agent) {
    this.http = http;
    this.agent = agent;
  }

  /**
   * Serves the agent's health on {@code address}.
   *
   * @throws UncheckedIOException when the address cannot be bound (in use, not local)
   */
  public static AgentStatus start(InetSocketAddress address, AgentRuntime agent) {
    HttpServer http;
    try {
      http = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the agent's status on " + address + ": " + e.getMessage(), e);
    }
    AgentStatus s = new AgentStatus(http, agent);
    http.createContext("/healthz", x -> s.send(x, 200, "application/json", "{\"status\":\"ok\"}"));
    http.createContext("/readyz", s::ready);
    http.createContext("/metrics", s::metrics);
    http.setExecutor(null);
    http.start();
    return s;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  private void ready(HttpExchange x) throws IOException {
    AgentRuntime.Health h = agent.health();
    ObjectNode o = JSON.createObjectNode();
    o.put("status", h.condition() == AgentRuntime.Condition.EXPIRED ? "not ready" : "ready");
    o.put("condition", h.condition().name().toLowerCase(Locale.ROOT));
    o.put("server", h.unreachableSince() == null ? "reachable" : "unreachable");
    o.put("svidsValid", h.valid());
    o.put("svidsMissing", h.missing());
    put(o, "lastSync", h.lastSync());
    put(o, "unreachableSince", h.unreachableSince());
    put(o, "nextExpiry", h.nextExpiry());
    o.put(
        "message",
        switch (h.condition()) {
          case SYNCED -> "the server answers; SVIDs are renewed at half-life";
          case SERVING_CACHED ->
              "the server is unreachable since "
                  + h.unreachableSince()
                  + " ("
                  + h.serverError()
                  + "); serving cached SVIDs, the first of which expires at "
                  + h.nextExpiry()
                  + "; retrying with backoff";
          case EXPIRED ->
              "the server is unreachable since "
                  + h.unreachableSince()
                  + " ("
                  + h.serverError()
                  + ") and "
                  + h.missing()
                  + " workload SVIDs expired meanwhile: those workloads get no identity until the server is"
                  + " back; retrying with backoff";
        });
    send(
        x,
        h.condition() == AgentRuntime.Condition.EXPIRED ? 503 : 200,
        "application/json",
        JSON.writeValueAsString(o));
  }

  private static void put(ObjectNode o, String field, @Nullable Instant t) {
    if (t != null) {
      o.put(field, t.toString());
    }
  }

  private void metrics(HttpExchange x) throws IOException {
    AgentRuntime.Health h = agent.health();
    StringBuilder b = new StringBuilder();
    gauge(
        b,
        "warden_agent_server_reachable",
        "1 while the Warden server answers the agent",
        null,
        h.unreachableSince() == null ? 1 : 0);
    b.append(
            "# HELP warden_agent_svids workload X.509-SVIDs by state: valid, or missing (expired or never issued)\n")
        .append("# TYPE warden_agent_svids gauge\n")
        .append("warden_agent_svids{state=\"valid\"} ")
        .append(h.valid())
        .append('\n')
        .append("warden_agent_svids{state=\"missing\"} ")
        .append(h.missing())
        .append('\n');
    gauge(
        b,
        "warden_agent_last_sync_timestamp_seconds",
        "when the agent last synced with the server",
        null,
        h.lastSync() == null ? 0 : h.lastSync().getEpochSecond());
    gauge(
        b,
        "warden_agent_svid_next_expiry_timestamp_seconds",
        "when the first cached X.509-SVID expires",
        null,
        h.nextExpiry() == null ? 0 : h.nextExpiry().getEpochSecond());
    send(x, 200, "text/plain; version=0.0.4; charset=utf-8", b.toString());
  }

  private static void gauge(
      StringBuilder b, String name, String help, @Nullable String labels, long value) {
    b.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(name)
        .append(" gauge\n")
        .append(name)
        .append(labels == null ? "" : labels)
        .append(' ')
        .append(value)
        .append('\n');
  }

  private void send(HttpExchange x, int status, String type, String body) throws IOException {
    try (x) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", type);
      x.getResponseHeaders().set("Cache-Control", "no-store");
      x.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
