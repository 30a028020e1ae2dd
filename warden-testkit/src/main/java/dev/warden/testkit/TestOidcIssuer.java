package dev.warden.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A real OIDC issuer on loopback for tests: serves {@code /.well-known/openid-configuration} and a
 * JWKS over HTTP on 127.0.0.1 (ephemeral port), holds freshly generated keys, and mints tokens
 * shaped like those of Kubernetes, GitHub Actions and GitLab CI — or any broken variant through
 * {@link TokenBuilder}.
 *
 * <pre>{@code
 * try (TestOidcIssuer issuer = TestOidcIssuer.builder().clock(clock).start()) {
 *   String jwt = issuer.kubernetesToken("payments", "api", "api-7d9f");
 * }
 * }</pre>
 *
 * <p>Failure modes are explicit switches on this fake ({@link #simulateOutage}, {@link
 * #serveJwks}), and it counts what was fetched ({@link #jwksFetchCount()}) so tests can assert that
 * a verifier did not fetch more than it should.
 *
 * <p>Why it is over 400 lines: it is one fake with one fluent API for tests (the issuer, its JWKS,
 * and the token shapes of each platform with their broken variants), which tests find and use as
 * one type.
 */
public final class TestOidcIssuer implements AutoCloseable {
  /** The audience tokens carry unless a test says otherwise. */
  public static final String DEFAULT_AUDIENCE = "warden";

  /** The path of the JWKS below the issuer URL. */
  public static final String JWKS_PATH = "/jwks";

  private final HttpServer server;
  private final ExecutorService executor;
  private final String issuer;
  private final String audience;
  private final Clock clock;
  private final KeyType keyType;
  private final CopyOnWriteArrayList<TestKey> keys = new CopyOnWriteArrayList<>();
  private volatile TestKey signingKey;
  private volatile boolean outage;
  private volatile @Nullable String jwksOverride;
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger discoveryFetches = new AtomicInteger();

  private TestOidcIssuer(Builder b) throws IOException {
    this.clock = b.clock;
    this.keyType = b.keyType;
    this.audience = b.audience;
    this.signingKey = TestKey.generate(keyType);
    keys.add(signingKey);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    this.issuer = "http://127.0.0.1:" + server.getAddress().getPort() + b.path;
    server.createContext(
        b.path + "/.well-known/openid-configuration",
        ex -> {
          discoveryFetches.incrementAndGet();
          respond(ex, discoveryJson());
        });
    server.createContext(
        b.path + JWKS_PATH,
        ex -> {
          jwksFetches.incrementAndGet();
          String override = jwksOverride;
          respond(ex, override != null ? override : jwksJson());
        });
    server.start();
  }

  /**
   * Starts an issuer with an RSA 2048 key (RS256), the system clock and audience {@value
   * #DEFAULT_AUDIENCE}.
   */
  public static TestOidcIssuer start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for a {@link TestOidcIssuer}. */
  public static final class Builder {
    private KeyType keyType = KeyType.RSA_2048;
    private Clock clock = Clock.systemUTC();
    private String audience = DEFAULT_AUDIENCE;
    private String path = "";

    private Builder() {}

    /** The kind of signing key (RSA 2048 by default). */
    public Builder keyType(KeyType keyType) {
      this.keyType = keyType;
      return this;
    }

    /**
     * The clock that stamps {@code iat}/{@code nbf}/{@code exp}; share it with the code under test.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The audience minted tokens carry by default. */
    public Builder audience(String audience) {
      this.audience = audience;
      return this;
    }

    /** A path below the host, e.g. {@code /tenant-a}, so the issuer URL has one. */
    public Builder path(String path) {
      if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
        throw new IllegalArgumentException("path must start with '/' and not end with one");
      }
      this.path = path;
      return this;
    }

    public TestOidcIssuer start() {
      try {
        return new TestOidcIssuer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the test OIDC issuer", e);
      }
    }
  }

  /**
   * The issuer URL, {@code http://127.0.0.1:<port>[path]}, exactly as tokens carry it in {@code
   * iss}.
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The same issuer spelled with {@code localhost}: a different issuer string for the same server.
   */
  public String issuerAsLocalhost() {
    return issuer.replace("127.0.0.1", "localhost");
  }

  public String audience() {
    return audience;
  }

  public String jwksUri() {
    return issuer + JWKS_PATH;
  }

  public String discoveryUri() {
    return issuer + "/.well-known/openid-configuration";
  }

  public Clock clock() {
    return clock;
  }

  /** The key tokens are signed with now. */
  public TestKey signingKey() {
    return signingKey;
  }

  public String currentKid() {
    return signingKey.kid();
  }

  /** Every published key, oldest first. */
  public List<TestKey> keys() {
    return List.copyOf(keys);
  }

  /**
   * Rotates: generates a new key of the same type with a new {@code kid}, publishes it and signs
   * with it from now on. The old key stays published (as a real issuer keeps it for overlap).
   */
  public TestKey rotateKey() {
    TestKey k = TestKey.generate(keyType);
    keys.add(k);
    signingKey = k;
    return k;
  }

  /**
   * Stops publishing the key with this {@code kid} (it may still sign, if it is the signing key).
   */
  public void unpublishKey(String kid) {
    keys.removeIf(k -> k.kid().equals(kid));
  }

  /**
   * The JWKS as this issuer serves it (public keys only); usable as an inline JWKS in
   * configuration.
   */
  public String jwksJson() {
    List<Object> list = new ArrayList<>();
    for (TestKey k : keys) {
      list.add(k.publicJwkMap());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keys", list);
    return JSONObjectUtils.toJSONString(m);
  }

  /** While on, every request is answered 503 (the issuer is down). */
  public void simulateOutage(boolean down) {
    this.outage = down;
  }

  /**
   * Serves this text as the JWKS instead of the real one; {@code null} goes back to the real one.
   */
  public void serveJwks(@Nullable String body) {
    this.jwksOverride = body;
  }

  /** How many times the JWKS was requested. */
  public int jwksFetchCount() {
    return jwksFetches.get();
  }

  /** How many times the discovery document was requested. */
  public int discoveryFetchCount() {
    return discoveryFetches.get();
  }

  /** Requests of any kind: discovery plus JWKS. */
  public int fetchCount() {
    return jwksFetches.get() + discoveryFetches.get();
  }

  // ---- tokens ----

  /**
   * A generic OIDC token: {@code iss}, {@code sub=test-subject}, {@code aud}, {@code iat}/{@code
   * nbf}=now, {@code exp}=now+10m, {@code jti}.
   */
  public TokenBuilder token() {
    Instant now = clock.instant();
    return new TokenBuilder(signingKey)
        .typ("JWT")
        .issuer(issuer)
        .subject("test-subject")
        .audience(audience)
        .issuedAt(now)
        .notBefore(now)
        .expiresAt(now.plus(Duration.ofMinutes(10)))
        .claim("jti", UUID.randomUUID().toString());
  }

  /**
   * A Kubernetes projected service-account token, shaped as the API server mints it (see
   * https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/ and "Configure
   * Service Accounts for Pods"): header without {@code typ}, {@code sub} {@code
   * system:serviceaccount:<ns>:<sa>}, {@code aud} as an array, one hour of validity, and the
   * private {@code kubernetes.io} claim with namespace, service account, pod and node (name and
   * uid). The uids are {@link #kubernetesUid derived} from the names so tests can predict them. The
   * node is {@code node-1}.
   */
  public TokenBuilder kubernetes(String namespace, String serviceAccount, String podName) {
    return kubernetes(namespace, serviceAccount, podName, "node-1");
  }

  /** As {@link #kubernetes(String, String, String)}, on the given node. */
  public TokenBuilder kubernetes(
      String namespace, String serviceAccount, String podName, String nodeName) {
    Instant now = clock.instant();
    Map<String, Object> k8s = new LinkedHashMap<>();
    k8s.put("namespace", namespace);
    k8s.put("node", named(nodeName, kubernetesUid("node", "", nodeName)));
    k8s.put("pod", named(podName, kubernetesUid("pod", namespace, podName)));
    k8s.put(
        "serviceaccount",
        named(serviceAccount, kubernetesUid("serviceaccount", namespace, serviceAccount)));
    return new TokenBuilder(signingKey)
        .claim("aud", new ArrayList<>(List.of(audience)))
        .expiresAt(now.plus(Duration.ofHours(1)))
        .issuedAt(now)
        .issuer(issuer)
        .claim("jti", UUID.randomUUID().toString())
        .claim("kubernetes.io", k8s)
        .notBefore(now)
        .subject("system:serviceaccount:" + namespace + ":" + serviceAccount);
  }

  /** Minted {@link #kubernetes(String, String, String)}. */
  public String kubernetesToken(String namespace, String serviceAccount, String podName) {
    return kubernetes(namespace, serviceAccount, podName).mint();
  }

  /** Minted {@link #kubernetes(String, String, String, String)}. */
  public String kubernetesToken(
      String namespace, String serviceAccount, String podName, String nodeName) {
    return kubernetes(namespace, serviceAccount, podName, nodeName).mint();
  }

  /**
   * The uid this kit gives a Kubernetes object: a name-based UUID of {@code kind/namespace/name}.
   */
  public static String kubernetesUid(String kind, String namespace, String name) {
    return UUID.nameUUIDFromBytes(
            (kind + "/" + namespace + "/" + name).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /**
   * A GitHub Actions OIDC token with the documented claim set (see
   * https://docs.github.com/en/actions/reference/security/oidc): header {@code typ: JWT} and an
   * {@code x5t}; ids as strings, as GitHub sends them; {@code nbf} ten minutes before {@code iat}
   * and five minutes of validity, as in GitHub's example. Defaults: owner = the part of {@code
   * repository} before '/', {@code repository_id} 2000002, {@code repository_owner_id} 1000001,
   * {@code actor} octocat ({@code actor_id} 3000003), {@code run_id} 4000004, {@code workflow} ci
   * with {@code workflow_ref} and {@code job_workflow_ref} {@code
   * <repository>/.github/workflows/ci.yml@<ref>}, {@code event_name} push, {@code ref_type} branch
   * (tag for {@code refs/tags/…}), {@code repository_visibility} private, {@code
   * runner_environment} github-hosted, empty {@code head_ref}/{@code base_ref}, {@code sha} derived
   * from repository and ref ({@link #fakeSha}); no {@code environment} (add one with {@code
   * claim}).
   */
  public TokenBuilder githubActions(String repository, String ref) {
    Instant now = clock.instant();
    String owner =
        repository.contains("/") ? repository.substring(0, repository.indexOf('/')) : repository;
    String sha = fakeSha(repository + "@" + ref);
    String workflowRef = repository + "/.github/workflows/ci.yml@" + ref;
    return new TokenBuilder(signingKey)
        .typ("JWT")
        .header("x5t", "dGVzdC10aHVtYnByaW50")
        .claim("jti", UUID.randomUUID().toString())
        .subject("repo:" + repository + ":ref:" + ref)
        .audience(audience)
        .claim("ref", ref)
        .claim("sha", sha)
        .claim("repository", repository)
        .claim("repository_owner", owner)
        .claim("actor_id", "3000003")
        .claim("repository_visibility", "private")
        .claim("repository_id", "2000002")
        .claim("repository_owner_id", "1000001")
        .claim("run_id", "4000004")
        .claim("run_number", "7")
        .claim("run_attempt", "1")
        .claim("runner_environment", "github-hosted")
        .claim("actor", "octocat")
        .claim("workflow", "ci")
        .claim("head_ref", "")
        .claim("base_ref", "")
        .claim("event_name", "push")
        .claim("ref_protected", "false")
        .claim("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch")
        .claim("workflow_ref", workflowRef)
        .claim("workflow_sha", sha)
        .claim("job_workflow_ref", workflowRef)
        .claim("job_workflow_sha", sha)
        .issuer(issuer)
        .notBefore(now.minus(Duration.ofMinutes(10)))
        .expiresAt(now.plus(Duration.ofMinutes(5)))
        .issuedAt(now);
  }

  /** Minted {@link #githubActions}. */
  public String githubActionsToken(String repository, String ref) {
    return githubActions(repository, ref).mint();
  }

  /**
   * A GitLab CI ID token with the documented payload (see
   * https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload): header {@code typ:
   * JWT}; ids as strings except {@code runner_id}, a number (as GitLab sends it); {@code nbf} five
   * seconds before {@code iat}, one hour of validity; {@code sub} {@code
   * project_path:<path>:ref_type:branch:ref:<ref>}. Defaults: {@code namespace_path} = the part of
   * the path before the last '/', {@code namespace_id} 1000001, {@code project_id} 2000002, {@code
   * user_id} 3000003 / {@code user_login} gitlab-user, {@code pipeline_id} 4000004, {@code
   * pipeline_source} push, {@code job_id} 5000005, {@code ref_protected} "true", {@code runner_id}
   * 6000006, {@code runner_environment} gitlab-hosted, {@code ci_config_ref_uri} {@code
   * gitlab.example.com/<path>//.gitlab-ci.yml@refs/heads/<ref>}; no environment (add {@code
   * environment}, {@code environment_protected} and {@code deployment_tier} with {@code claim}).
   */
  public TokenBuilder gitlab(String projectPath, String ref) {
    Instant now = clock.instant();
    String ns =
        projectPath.contains("/")
            ? projectPath.substring(0, projectPath.lastIndexOf('/'))
            : projectPath;
    String sha = fakeSha(projectPath + "@" + ref);
    return new TokenBuilder(signingKey)
        .typ("JWT")
        .claim("namespace_id", "1000001")
        .claim("namespace_path", ns)
        .claim("project_id", "2000002")
        .claim("project_path", projectPath)
        .claim("user_id", "3000003")
        .claim("user_login", "gitlab-user")
        .claim("user_email", "gitlab-user@example.com")
        .claim("user_access_level", "developer")
        .claim("pipeline_id", "4000004")
        .claim("pipeline_source", "push")
        .claim("job_id", "5000005")
        .claim("ref", ref)
        .claim("ref_type", "branch")
        .claim("ref_path", "refs/heads/" + ref)
        .claim("ref_protected", "true")
        .claim("runner_id", 6000006L)
        .claim("runner_environment", "gitlab-hosted")
        .claim("sha", sha)
        .claim("project_visibility", "private")
        .claim(
            "ci_config_ref_uri",
            "gitlab.example.com/" + projectPath + "//.gitlab-ci.yml@refs/heads/" + ref)
        .claim("ci_config_sha", sha)
        .claim("jti", UUID.randomUUID().toString())
        .issuer(issuer)
        .issuedAt(now)
        .notBefore(now.minusSeconds(5))
        .expiresAt(now.plus(Duration.ofHours(1)))
        .subject("project_path:" + projectPath + ":ref_type:branch:ref:" + ref)
        .audience(audience);
  }

  /** Minted {@link #gitlab}. */
  public String gitlabToken(String projectPath, String ref) {
    return gitlab(projectPath, ref).mint();
  }

  /** A stable 40-hex-digit "commit" derived from {@code seed} (SHA-1 of it). */
  public static String fakeSha(String seed) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "TestOidcIssuer[" + issuer + "]";
  }

  // ---- HTTP ----

  private String discoveryJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", issuer);
    m.put("jwks_uri", jwksUri());
    m.put("response_types_supported", List.of("id_token"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of(keyType.defaultAlgorithm()));
    m.put("claims_supported", List.of("sub", "aud", "exp", "iat", "iss", "jti", "nbf"));
    return JSONObjectUtils.toJSONString(m);
  }

  private void respond(HttpExchange ex, String body) throws IOException {
    try (ex) {
      if (outage) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static Map<String, Object> named(String name, String uid) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("uid", uid);
    return m;
  }
}
