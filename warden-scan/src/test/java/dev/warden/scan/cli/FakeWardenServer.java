package dev.warden.scan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.warden.scan.FingerprintKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback fake of the Warden server's scan endpoints: serves a fingerprint key, accepts leak
 * reports, answers which fingerprints match its leases, and keeps every request body so a test can
 * check what was sent. A fake, not a mock: it implements the contract.
 */
final class FakeWardenServer implements AutoCloseable {
  final FingerprintKey key = FingerprintKey.generate(new java.security.SecureRandom());
  final String token = "test-token-" + System.nanoTime();
  final List<String> reports = new CopyOnWriteArrayList<>();
  final List<String> authHeaders = new CopyOnWriteArrayList<>();
  final List<String> userAgents = new CopyOnWriteArrayList<>();
  volatile Set<String> leaseFingerprints = Set.of();
  volatile int leaksStatus = 200;
  private final HttpServer server;

  FakeWardenServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/scan/fingerprint-key", this::key);
    server.createContext("/v1/leaks", this::leaks);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private boolean authorized(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    authHeaders.add(String.valueOf(auth));
    userAgents.add(String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
    if (!("Bearer " + token).equals(auth)) {
      send(ex, 401, "{\"error\":\"unauthorized\"}");
      return false;
    }
    return true;
  }

  private void key(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    send(ex, 200, "{\"key\":\"" + key.toBase64Url() + "\",\"keyId\":\"k-2024\"}");
  }

  private void leaks(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      send(ex, 405, "{}");
      return;
    }
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    reports.add(body);
    if (leaksStatus != 200) {
      send(ex, leaksStatus, "{}");
      return;
    }
    JsonNode doc = new ObjectMapper().readTree(body);
    StringBuilder matched = new StringBuilder();
    int unmatched = 0;
    for (JsonNode f : doc.get("findings")) {
      String fp = f.get("fingerprint").asText();
      if (leaseFingerprints.contains(fp)) {
        matched
            .append(matched.length() == 0 ? "" : ",")
            .append("{\"fingerprint\":\"")
            .append(fp)
            .append("\",\"leaseId\":\"lease-1\",\"revoked\":true}");
      } else {
        unmatched++;
      }
    }
    send(
        ex,
        200,
        "{\"received\":"
            + doc.get("findings").size()
            + ",\"matched\":["
            + matched
            + "],\"unmatched\":"
            + unmatched
            + "}");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
