package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The server's public agent API over HTTP (see docs/agent.md for the wire format). */
final class ServerClient {
  static final ObjectMapper JSON = new ObjectMapper();

  record SvidRequest(String spiffeId, byte[] csr) {}

  private final String base;
  private final java.nio.file.@Nullable Path serverCa;
  private volatile HttpClient http;
  private volatile boolean mtls;

  ServerClient(String base, java.nio.file.@Nullable Path serverCa) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.serverCa = serverCa;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (serverCa != null) {
      b.sslContext(trusting(serverCa, null, null));
    }
    this.http = b.build();
  }

  /**
   * From now on, over HTTPS, the agent authenticates with this X.509-SVID (mTLS) instead of its
   * session token (kept only to renew the session). A new client each time: connections opened with
   * the SVID a renewal replaced must not be reused, since the server accepts only the current one.
   */
  void useIdentity(
      java.util.List<java.security.cert.X509Certificate> chain, java.security.PrivateKey key) {
    if (!base.startsWith("https://")) {
      return; // no TLS, no client certificate: the session token it is
    }
    http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(trusting(serverCa, chain, key))
            .build();
    mtls = true;
  }

  private static javax.net.ssl.SSLContext trusting(
      java.nio.file.@Nullable Path pem,
      java.util.@Nullable List<java.security.cert.X509Certificate> chain,
      java.security.@Nullable PrivateKey key) {
    try {
      javax.net.ssl.KeyManager @Nullable [] km = null;
      if (chain != null) {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
            "svid", key, new char[0], chain.toArray(new java.security.cert.X509Certificate[0]));
        javax.net.ssl.KeyManagerFactory kmf =
            javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        km = kmf.getKeyManagers();
      }
      javax.net.ssl.TrustManager @Nullable [] tm = null;
      if (pem != null) {
        tm = trustManagers(pem);
      }
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(km, tm, null);
      return ctx;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS to the server: " + e.getMessage(), e);
    }
  }

  private static javax.net.ssl.TrustManager[] trustManagers(java.nio.file.Path pem) {
    try {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (var c :
          java.security.cert.CertificateFactory.getInstance("X.509")
              .generateCertificates(java.nio.file.Files.newInputStream(pem))) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException(pem + " holds no certificate");
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf.getTrustManagers();
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the server CA file " + pem + ": " + e.getMessage(), e);
    }
  }

  JsonNode attestWithJoinToken(String joinToken, byte[] csr) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    b.put("join_token", joinToken);
    b.put("csr", Base64.getEncoder().encodeToString(csr));
    return call("POST", "/v1/agent/attest", null, b);
  }

  JsonNode attestWithPlatformToken(String token, byte[] csr) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    b.put("token", token);
    b.put("csr", Base64.getEncoder().encodeToString(csr));
    return call("POST", "/v1/agent/attest", null, b);
  }

  JsonNode renew(String session, byte[] csr) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    b.put("csr", Base64.getEncoder().encodeToString(csr));
    return call("POST", "/v1/agent/renew", session, b);
  }

  /**
   * @param proxiesVersion the version of the declared proxies the agent holds, or null for none
   */
  JsonNode sync(
      String session,
      long since,
      @Nullable String pageToken,
      int limit,
      @Nullable String proxiesVersion)
      throws ServerException {
    StringBuilder q =
        new StringBuilder("/v1/agent/sync?since=").append(since).append("&limit=").append(limit);
    if (pageToken != null) {
      q.append("&page_token=").append(URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
    }
    if (proxiesVersion != null) {
      q.append("&proxies_version=")
          .append(URLEncoder.encode(proxiesVersion, StandardCharsets.UTF_8));
    }
    return call("GET", q.toString(), session, null);
  }

  JsonNode x509Svids(String session, List<SvidRequest> requests) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode a = b.putArray("requests");
    for (SvidRequest r : requests) {
      ObjectNode o = a.addObject();
      o.put("spiffe_id", r.spiffeId());
      o.put("csr", Base64.getEncoder().encodeToString(r.csr()));
    }
    return call("POST", "/v1/agent/x509-svids", session, b);
  }

  JsonNode jwtSvid(String session, String spiffeId, List<String> audience) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    b.put("spiffe_id", spiffeId);
    audience.forEach(b.putArray("audience")::add);
    return call("POST", "/v1/agent/jwt-svids", session, b);
  }

  JsonNode connections(String session, List<dev.warden.core.agent.ProxiedConnection> events)
      throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode a = b.putArray("events");
    events.forEach(e -> a.add(AuditSpool.json(e)));
    return call("POST", "/v1/agent/connections", session, b);
  }

  JsonNode edgeCertificate(String session, byte[] csr, String resource) throws ServerException {
    return edgeCertificate(session, csr, resource, null);
  }

  /**
   * With a destination: a certificate naming that outside host, for the HTTP egress proxy (decision
   * 406).
   */
  JsonNode edgeCertificate(
      String session, byte[] csr, String resource, @Nullable String destination)
      throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    b.put("csr", Base64.getEncoder().encodeToString(csr));
    b.put("resource", resource);
    if (destination != null) {
      b.put("destination", destination);
    }
    return call("POST", "/v1/agent/edge-certificates", session, b);
  }

  JsonNode leaseStates(String session, List<String> leaseIds) throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    leaseIds.forEach(b.putArray("lease_ids")::add);
    return call("POST", "/v1/agent/lease-states", session, b);
  }

  JsonNode proxyStatus(String session, List<dev.warden.core.agent.ProxyStatus> statuses)
      throws ServerException {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode a = b.putArray("proxies");
    for (dev.warden.core.agent.ProxyStatus p : statuses) {
      ObjectNode o = a.addObject();
      o.put("name", p.name());
      o.put("version", p.version());
      o.put("state", p.state().wire());
      if (p.message() != null) {
        o.put("message", p.message());
      }
      o.put("since", p.since().toString());
    }
    return call("POST", "/v1/agent/proxy-status", session, b);
  }

  JsonNode bundle() throws ServerException {
    return call("GET", "/v1/bundle", null, null);
  }

  private JsonNode call(
      String method, String path, @Nullable String bearer, @Nullable JsonNode body)
      throws ServerException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(15))
            .header("User-Agent", dev.warden.core.WardenVersion.userAgent("agent"));
    // over mTLS the SVID authenticates; the session token goes only to renew the session
    if (bearer != null && (!mtls || path.startsWith("/v1/agent/renew"))) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      try {
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ServerException(0, "unreachable", "cannot reach " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerException(0, "interrupted", "interrupted");
    }
    JsonNode json;
    try {
      json = res.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(res.body());
    } catch (IOException e) {
      throw new ServerException(
          res.statusCode() >= 500 ? res.statusCode() : 502,
          "bad_response",
          "the server at " + base + " did not answer JSON (HTTP " + res.statusCode() + ")");
    }
    if (res.statusCode() / 100 != 2) {
      throw new ServerException(
          res.statusCode(),
          json.path("error").asText("error"),
          json.path("message").asText("HTTP " + res.statusCode()));
    }
    return json;
  }
}
