package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.agent.edge.CredentialFetcher;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.crypto.Secret;
import dev.warden.core.model.DatabaseEngine;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Fetches credentials from the server's {@code /v1/credentials} as the workload itself: the request
 * is authenticated by the workload's X.509-SVID over mTLS, so the server attests, decides and
 * audits exactly as if the workload had asked — the agent holds no power of its own here. One HTTP
 * client per SVID (a new one after each rotation), reusing its TLS connections.
 */
public final class WorkloadCredentials implements CredentialFetcher {
  private final String base;
  private final @Nullable Path serverCa;
  private final Clock clock;
  private final Map<BigInteger, HttpClient> clients =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<BigInteger, HttpClient> e) {
          return size() > 256;
        }
      };

  /**
   * @throws IllegalArgumentException when the server URL is not HTTPS: the workload's SVID can only
   *     authenticate over TLS
   */
  public WorkloadCredentials(String serverUrl, @Nullable Path serverCa, Clock clock) {
    if (!serverUrl.startsWith("https://")) {
      throw new IllegalArgumentException(
          "proxies need the server over HTTPS: the agent asks for each workload's "
              + "credential with that workload's X.509-SVID (mTLS); "
              + serverUrl
              + " is not https");
    }
    this.base =
        serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
    this.serverCa = serverCa;
    this.clock = clock;
  }

  @Override
  public EdgeCredential fetch(X509Svid workload, String resource) throws EdgeException {
    Instant now = clock.instant();
    Answer res =
        post(
            workload,
            "/v1/credentials",
            "resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8),
            "the Warden server");
    JsonNode json = res.json();
    if (res.statusCode() == 400
        && json.path("error_description").asText().contains("credential_kind_unsupported")) {
      // what the policy grants is not served here; a Warden access token is served by the token
      // endpoint (RFC 8705 mTLS), which gives its own reason if that is not it either
      return accessToken(workload, resource, now);
    }
    if (res.statusCode() != 200) {
      String why = refused("a credential", resource, workload, res);
      EdgeException.Kind kind =
          switch (res.statusCode()) {
            case 400, 401, 403, 404, 429 -> EdgeException.Kind.DENIED;
            case 502, 503, 504 -> EdgeException.Kind.UNAVAILABLE;
            default -> EdgeException.Kind.FAILED;
          };
      throw new EdgeException(kind, why);
    }
    return credential(json, resource, now);
  }

  /**
   * A Warden access token for the resource: client_credentials at {@code /oauth2/token},
   * authenticated by the SVID.
   */
  private EdgeCredential accessToken(X509Svid workload, String resource, Instant now)
      throws EdgeException {
    Answer res =
        post(
            workload,
            "/oauth2/token",
            "grant_type=client_credentials&resource="
                + URLEncoder.encode(resource, StandardCharsets.UTF_8),
            "the Warden token endpoint");
    JsonNode json = res.json();
    if (res.statusCode() != 200 || !json.hasNonNull("access_token")) {
      throw new EdgeException(
          res.statusCode() >= 500 ? EdgeException.Kind.UNAVAILABLE : EdgeException.Kind.DENIED,
          refused("an access token", resource, workload, res));
    }
    return token(
        ACCESS_TOKEN,
        null,
        json.path("access_token").asText(),
        now,
        now.plusSeconds(Math.max(1, json.path("expires_in").asLong(60))));
  }

  /** A server's answer: its HTTP status and JSON body. */
  private record Answer(int statusCode, JsonNode json) {}

  /**
   * POSTs {@code form} to {@code path} as the workload (its SVID over mTLS).
   *
   * @param answerer who answers there, for the message when the answer is not JSON
   */
  private Answer post(X509Svid workload, String path, String form, String answerer)
      throws EdgeException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", dev.warden.core.WardenVersion.userAgent("agent"))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    HttpResponse<byte[]> res;
    try {
      res = client(workload).send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new EdgeException(
          EdgeException.Kind.UNAVAILABLE,
          "cannot reach the Warden server at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EdgeException(EdgeException.Kind.UNAVAILABLE, "interrupted");
    }
    try {
      return new Answer(res.statusCode(), ServerClient.JSON.readTree(res.body()));
    } catch (IOException e) {
      throw new EdgeException(
          EdgeException.Kind.FAILED,
          answerer + " did not answer JSON (HTTP " + res.statusCode() + ")");
    }
  }

  /** Why the server refused {@code what}, in its own words (its OAuth error and description). */
  private static String refused(String what, String resource, X509Svid workload, Answer res) {
    return "Warden refused "
        + what
        + " for "
        + resource
        + " to "
        + workload.id()
        + ": "
        + res.json().path("error").asText("error")
        + ": "
        + res.json().path("error_description").asText("HTTP " + res.statusCode());
  }

  /** The engine name an HTTP credential carries: its kind, so a database proxy refuses it. */
  public static final String ACCESS_TOKEN = "access_token";

  public static final String UPSTREAM_TOKEN = "upstream_token";
  public static final String BROKERED_SECRET = "brokered_secret";

  private static EdgeCredential token(
      String kind, @Nullable String leaseId, String value, Instant now, Instant expires) {
    return new EdgeCredential(leaseId, "", Secret.of(value), "", 0, null, now, expires, kind);
  }

  /**
   * The credential in a {@code /v1/credentials} answer (CredentialResponses on the server) for any
   * database engine.
   */
  static EdgeCredential credential(JsonNode json, String resource, Instant now)
      throws EdgeException {
    String type = json.path("credential_type").asText("");
    // the HTTP credentials: a brokered secret's value, an upstream token's access_token
    String field =
        type.equals(BROKERED_SECRET)
            ? "value"
            : type.equals(UPSTREAM_TOKEN) ? "access_token" : null;
    if (field != null && json.hasNonNull(field)) {
      return token(
          type,
          json.path("lease_id").asText(null),
          json.path(field).asText(),
          now,
          Instant.parse(json.path("expires_at").asText()));
    }
    if (!json.hasNonNull("username") || !json.hasNonNull("password") || !json.hasNonNull("host")) {
      throw new EdgeException(
          EdgeException.Kind.FAILED,
          "resource "
              + resource
              + " answers a "
              + json.path("credential_type").asText("?")
              + ", not a database user: the proxy cannot log in with it");
    }
    Instant expires = Instant.parse(json.path("expires_at").asText());
    String engine = json.path("engine").asText(null);
    if (engine == null) {
      // the URL's scheme says it too (jdbc_url for SQL engines, url for Redis)
      DatabaseEngine e =
          DatabaseEngine.ofUrl(json.path("jdbc_url").asText(json.path("url").asText(null)));
      engine = e == null ? null : e.kind();
    }
    return new EdgeCredential(
        json.path("lease_id").asText(null),
        json.path("username").asText(),
        Secret.of(json.path("password").asText()),
        json.path("host").asText(),
        json.path("port").asInt(defaultPort(engine)),
        json.path("database").asText(null),
        now,
        expires,
        engine);
  }

  /**
   * The port when the server names none: the engine's default (3306 for MariaDB, 6379 for Redis);
   * PostgreSQL's when the engine is not named either, as servers before engines were added
   * answered.
   */
  static int defaultPort(@Nullable String engine) {
    DatabaseEngine e = DatabaseEngine.ofKind(engine);
    return e == null ? DatabaseEngine.POSTGRES.defaultPort() : e.defaultPort();
  }

  private HttpClient client(X509Svid svid) throws EdgeException {
    X509Certificate leaf = svid.chain().getFirst();
    synchronized (clients) {
      HttpClient c = clients.get(leaf.getSerialNumber());
      if (c != null) {
        return c;
      }
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = new char[0];
        ks.setKeyEntry("svid", svid.privateKey(), pw, svid.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(serverCa == null ? null : trustStore(serverCa));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        c = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
        clients.put(leaf.getSerialNumber(), c);
        return c;
      } catch (IOException | GeneralSecurityException e) {
        throw new EdgeException(
            EdgeException.Kind.FAILED,
            "cannot set up mTLS with the SVID of " + svid.id() + ": " + e.getMessage());
      }
    }
  }

  private static KeyStore trustStore(Path pem) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (var in = java.nio.file.Files.newInputStream(pem)) {
      for (var c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
    }
    return ks;
  }
}
