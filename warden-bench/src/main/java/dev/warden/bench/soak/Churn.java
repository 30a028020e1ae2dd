package dev.warden.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The changes an operator makes while the soak's grants run, each through the admin API as {@code
 * warden} would make them: the access-token signing key rotated at once (the old key retired), a
 * second policy applied and deleted in turn (every node's snapshot is rebuilt), and recently issued
 * tokens revoked. Each round also checks that the changes took effect: a token issued after the
 * rotation carries the new {@code kid} and verifies against {@code /oauth2/jwks}, and a revoked
 * token introspects as inactive. A refused change or a failed check is a control error, reported
 * beside the request errors.
 */
final class Churn {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Tokens kept for revocation and checks: every {@link #SAMPLE_EVERY}th, the newest {@link #KEPT}.
   */
  private static final int SAMPLE_EVERY = 50;

  private static final int KEPT = 2_000;

  record Sample(String token, long receivedNanos) {}

  private final HttpClient http;
  private final String base;
  private final String adminToken;
  private final String introspectToken;
  private final String policyDocument;
  private final int revokePerRound;
  private final Deque<Sample> samples = new ConcurrentLinkedDeque<>();
  private final AtomicLong seen = new AtomicLong();
  final LongAdder errors = new LongAdder();
  final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
  private int round;
  private long rotatedAtNanos;
  private String activeKid;

  Churn(
      HttpClient http,
      String base,
      String adminToken,
      String introspectToken,
      String policyDocument,
      int revokePerRound) {
    this.http = http;
    this.base = base;
    this.adminToken = adminToken;
    this.introspectToken = introspectToken;
    this.policyDocument = policyDocument;
    this.revokePerRound = revokePerRound;
  }

  /** Keeps a sample of the tokens the load receives (called for every one: cheap). */
  void onToken(String token) {
    if (seen.incrementAndGet() % SAMPLE_EVERY == 0) {
      samples.addLast(new Sample(token, System.nanoTime()));
      if (samples.size() > KEPT) {
        samples.pollFirst();
      }
    }
  }

  /** Rotates the access-token key at once; later rounds check that new tokens carry its kid. */
  void rotateKey() {
    timed(
        "rotate access-token key (immediate)",
        () -> {
          JsonNode r = admin("POST", "/v1/keys:rotate?immediate=true", null, 200);
          activeKid = r.path("kid").asText();
          rotatedAtNanos = System.nanoTime();
          return "new kid " + activeKid + ", retired " + r.path("retired").asText("-");
        });
  }

  /** Applies the churn policy on even rounds and deletes it on odd ones. */
  void changePolicy() {
    boolean apply = round % 2 == 0;
    timed(
        apply ? "apply policy soak-churn" : "delete policy soak-churn",
        () -> {
          if (apply) {
            admin("POST", "/v1/apply", policyDocument, 200);
          } else {
            admin("DELETE", "/v1/policies/soak-churn", null, 200);
          }
          return "ok";
        });
  }

  /**
   * Revokes recent tokens' leases, checks one introspects inactive and one newer than the rotation
   * verifies.
   */
  void revokeAndCheck() {
    timed(
        "revoke " + revokePerRound + " leases, check",
        () -> {
          List<Sample> picked = new ArrayList<>();
          for (int i = 0; i < revokePerRound; i++) {
            Sample s = samples.pollFirst();
            if (s == null) {
              throw new IllegalStateException(
                  "only " + picked.size() + " sampled tokens to revoke");
            }
            picked.add(s);
          }
          for (Sample s : picked) {
            String jti = claim(s.token(), "jti");
            JsonNode r =
                admin(
                    "POST",
                    "/v1/leases/" + URLEncoder.encode(jti, StandardCharsets.UTF_8) + ":revoke",
                    "{}",
                    200);
            if (!r.path("revoked").asBoolean()) {
              throw new IllegalStateException("lease " + jti + " was not revoked: " + r);
            }
          }
          if (introspectActive(picked.get(0).token())) {
            throw new IllegalStateException("a revoked token still introspects as active");
          }
          String checked = checkNewestToken();
          return picked.size() + " revoked, revoked token inactive; " + checked;
        });
    round++;
  }

  /**
   * The newest sampled token, issued a second or more after the last rotation, has the new kid and
   * verifies.
   */
  private String checkNewestToken() throws Exception {
    Sample newest = samples.peekLast();
    if (activeKid == null
        || newest == null
        || newest.receivedNanos() - rotatedAtNanos < 1_000_000_000L) {
      return "no token newer than the rotation to check";
    }
    JWSObject jws = JWSObject.parse(newest.token());
    String kid = jws.getHeader().getKeyID();
    if (!activeKid.equals(kid)) {
      throw new IllegalStateException(
          "a token issued after the rotation is signed by " + kid + ", not " + activeKid);
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/oauth2/jwks")).build(),
            HttpResponse.BodyHandlers.ofString());
    JWK key = JWKSet.parse(r.body()).getKeyByKeyId(kid);
    if (!(key instanceof ECKey ec) || !jws.verify(new ECDSAVerifier(ec))) {
      throw new IllegalStateException(
          "a token signed by " + kid + " does not verify against /oauth2/jwks");
    }
    return "new token signed by " + kid + " verifies against /oauth2/jwks";
  }

  private boolean introspectActive(String token) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/oauth2/introspect"))
                .header("Authorization", "Bearer " + introspectToken)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("introspection answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("active").asBoolean();
  }

  JsonNode admin(String method, String path, String body, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  static String claim(String jwt, String name) throws IOException {
    String payload = jwt.substring(jwt.indexOf('.') + 1, jwt.lastIndexOf('.'));
    return JSON.readTree(Base64.getUrlDecoder().decode(payload)).path(name).asText();
  }

  private interface Action {
    String run() throws Exception;
  }

  private void timed(String what, Action a) {
    long t0 = System.nanoTime();
    String result;
    try {
      result = a.run();
    } catch (Exception e) {
      errors.increment();
      result = "FAILED: " + e.getMessage();
    }
    String line =
        String.format(
            Locale.ROOT, "%s: %s (%d ms)", what, result, (System.nanoTime() - t0) / 1_000_000);
    log.add(line);
    System.out.println("  [churn] " + line);
  }
}
