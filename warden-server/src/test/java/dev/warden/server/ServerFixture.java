package dev.warden.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.testkit.TestOidcIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real server on a free loopback port with its own data directory, and an HTTP client for it;
 * optionally (see {@link #startWithGithub}) with a GitHub Actions issuer of the test's own and one
 * workload of it allowed one resource, the set-up of most grant tests.
 */
final class ServerFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern TOKEN = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");

  final WardenServer server;
  final String base;
  final String adminToken;
  final HttpClient http = HttpClient.newHttpClient();

  /** The GitHub Actions issuer of {@link #startWithGithub}, or null; closed with the server. */
  final TestOidcIssuer github;

  /** The workload {@link #grant()} asks for, or null. */
  private final GithubWorkload workload;

  private ServerFixture(
      WardenServer server, String adminToken, TestOidcIssuer github, GithubWorkload workload) {
    this.server = server;
    this.base = "http://127.0.0.1:" + server.port();
    this.adminToken = adminToken;
    this.github = github;
    this.workload = workload;
  }

  /**
   * One workload of a GitHub Actions repository allowed one resource: a trust provider {@code
   * github} for the test's issuer (audience {@value #WARDEN_AUDIENCE}, RS256), the resource, the
   * workload selected by its repository, and the policy.
   *
   * @param resourceSpec what the resource's spec says besides its audience, e.g. {@code ",
   *     sensitivity: critical"}; empty for nothing
   */
  record GithubWorkload(
      String spiffeId,
      String repository,
      String resource,
      String audience,
      String resourceSpec,
      String policy) {
    /** {@code acme/orders} allowed {@code orders}. */
    static final GithubWorkload ORDERS =
        new GithubWorkload(
            "spiffe://acme.test/orders",
            "acme/orders",
            "orders",
            "https://orders.acme.test",
            "",
            "orders");

    /** The release pipeline {@code acme/release} allowed {@code vault}. */
    static final GithubWorkload RELEASE =
        new GithubWorkload(
            "spiffe://acme.test/ci/release",
            "acme/release",
            "vault",
            "https://vault.acme.test",
            "",
            "release-to-vault");

    GithubWorkload withResourceSpec(String spec) {
      return new GithubWorkload(spiffeId, repository, resource, audience, spec, policy);
    }

    String yaml(String issuer) {
      return """
          kind: TrustProvider
          metadata: {name: github}
          spec: {type: github-actions, issuer: %s, audiences: [%s], algorithms: [RS256]}
          ---
          kind: Resource
          metadata: {name: %s}
          spec: {audience: %s%s}
          ---
          kind: Workload
          spec: {spiffeId: %s, selectors: ["github:repository=%s"], owner: o@acme.test}
          ---
          kind: AccessPolicy
          metadata: {name: %s}
          spec: {workloads: {spiffeIds: [%s]}, resources: [%s]}
          """
          .formatted(
              issuer,
              WARDEN_AUDIENCE,
              resource,
              audience,
              resourceSpec,
              spiffeId,
              repository,
              policy,
              spiffeId,
              resource);
    }
  }

  /** The audience the GitHub Actions issuer of {@link #startWithGithub} puts in its tokens. */
  static final String WARDEN_AUDIENCE = "https://warden.acme.test";

  /**
   * Starts a GitHub Actions issuer, then a server with {@code extra} flags, and applies {@code w}.
   * Closing the fixture closes the server, then the issuer.
   */
  static ServerFixture startWithGithub(Path dataDir, Map<String, String> extra, GithubWorkload w) {
    TestOidcIssuer gh = TestOidcIssuer.builder().audience(WARDEN_AUDIENCE).start();
    ServerFixture node;
    try {
      node = start(dataDir, extra, Clock.systemUTC(), gh, w);
    } catch (RuntimeException | Error e) {
      gh.close();
      throw e;
    }
    try {
      node.apply(w.yaml(gh.issuer()));
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    return node;
  }

  /**
   * A client-credentials grant for the workload of {@link #startWithGithub}, with a fresh GitHub
   * Actions token of its repository on {@code refs/heads/main}.
   */
  Response grant() {
    return token(grantForm());
  }

  /** The form {@link #grant()} posts, its GitHub Actions token minted now. */
  Map<String, String> grantForm() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.put(
        "client_assertion", github.githubActionsToken(workload.repository(), "refs/heads/main"));
    form.put("resource", workload.audience());
    return form;
  }

  /** The {@code jti} of a signed JWT, read without verifying it. */
  static String jti(String jwt) {
    try {
      return JSON.readTree(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]))
          .path("jti")
          .asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ServerFixture start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  static ServerFixture start(Path dataDir, Map<String, String> extra) {
    return start(dataDir, extra, Clock.systemUTC());
  }

  /** A node whose clock the test controls. */
  static ServerFixture start(Path dataDir, Map<String, String> extra, Clock clock) {
    return start(dataDir, extra, clock, null, null);
  }

  private static ServerFixture start(
      Path dataDir,
      Map<String, String> extra,
      Clock clock,
      TestOidcIssuer github,
      GithubWorkload workload) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(freePort()));
    flags.put("server.dataDir", dataDir.toString());
    flags.putAll(extra);
    ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WardenServer s =
        WardenServer.start(cfg, clock, new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m = TOKEN.matcher(out.toString(StandardCharsets.UTF_8));
    return new ServerFixture(s, m.find() ? m.group(1) : null, github, workload);
  }

  /** A free port, so that the issuer URL names the port the server really binds. */
  static int freePort() {
    return dev.warden.testkit.FreePorts.next();
  }

  record Response(int status, JsonNode json, Map<String, String> headers) {}

  Response token(Map<String, String> form) {
    StringJoiner j = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return tokenRaw(j.toString(), "application/x-www-form-urlencoded");
  }

  /** A token request with an Authorization header (which Warden's token endpoint refuses). */
  Response token(Map<String, String> form, String authorization) {
    StringJoiner j = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send(
        HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(j.toString()))
            .build());
  }

  /** A token request with extra headers (a {@code Txn-Token}, a {@code traceparent}). */
  Response tokenWithHeaders(Map<String, String> form, Map<String, String> headers) {
    StringJoiner j = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded");
    headers.forEach(b::header);
    return send(b.POST(HttpRequest.BodyPublishers.ofString(j.toString())).build());
  }

  Response tokenRaw(String body, String contentType) {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  Response admin(String method, String path, String jsonBody) {
    return admin(method, path, jsonBody, adminToken);
  }

  Response admin(String method, String path, String jsonBody, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (jsonBody != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        jsonBody == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody));
    return send(b.build());
  }

  /** A form POST with an optional bearer token. */
  Response send(String path, String form, String bearer) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
  }

  /** Applies YAML documents through the admin API; fails the test if the server refuses. */
  JsonNode apply(String yaml) {
    try {
      var docs = JSON.createArrayNode();
      try (var it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
        while (it.hasNext()) {
          JsonNode d = (JsonNode) it.next();
          if (d != null && !d.isNull()) {
            docs.add(d);
          }
        }
      }
      var body = JSON.createObjectNode();
      body.set("documents", docs);
      Response r = admin("POST", "/v1/apply", JSON.writeValueAsString(body));
      if (r.status() != 200) {
        throw new AssertionError("apply failed: " + r.status() + " " + r.json());
      }
      return r.json();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The newest audit event. */
  JsonNode lastAuditEvent() {
    Response r = admin("GET", "/v1/audit?limit=1", null);
    return r.json().path("events").path(0);
  }

  private Response send(HttpRequest req) {
    try {
      HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
      JsonNode json = res.body().isEmpty() ? JSON.createObjectNode() : parseOrText(res.body());
      Map<String, String> headers = new HashMap<>();
      res.headers()
          .map()
          .forEach(
              (k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      return new Response(res.statusCode(), json, headers);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonNode parseOrText(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(body);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      if (github != null) {
        github.close();
      }
    }
  }
}
