package dev.warden.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.JSONStringUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Warden's grant beside Keycloak's client-credentials grant, in one run on one machine, so the
 * ratio means something even when the machine is shared: both servers stay up for the whole run and
 * rounds of the same {@code wrk} load (2 threads, same connections, same duration) alternate
 * between them, the order reversed every other round so a drift in machine load does not favour
 * either side.
 *
 * <ul>
 *   <li><b>warden</b>: exactly {@link GrantLoad}'s grant ({@link GrantLoad.Target}): client
 *       credentials with an RFC 7523 assertion (reused platform tokens), CEL policy, signed token,
 *       audit event and lease durable before the response.
 *   <li><b>kc-secret</b>: Keycloak's client credentials with {@code client_secret_basic}.
 *   <li><b>kc-jwt</b>: Keycloak's client credentials with {@code private_key_jwt}, an ES256 client
 *       assertion. Keycloak refuses a reused assertion ({@code jti}), so each request carries a
 *       fresh one, minted between rounds (never while a round is measured).
 * </ul>
 *
 * Keycloak's realm signs access tokens with the same algorithm as Warden ({@code alg}), and its JVM
 * gets this JVM's heap size and collector (G1, which {@code kc.sh} selects).
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl warden-bench -am
 * java -Xms2g -Xmx2g -XX:+UseG1GC -cp warden-bench/target/warden-bench.jar dev.warden.bench.KeycloakLoad \
 *      [seconds=30] [connections=16] [rounds=3] [tokens=1000] [alg=ES256] [keycloak-version=26.7.3] [warmup-seconds=30]
 * </pre>
 *
 * System properties: {@code keycloak.cache} (default {@code /tmp/warden-keycloak-cache}, where the
 * distribution is downloaded and unpacked), {@code keycloak.javaHome} (default: this JVM's).
 *
 * <p>Why it is over 400 lines: a benchmark driver whose realm set-up, rounds and report are steps
 * of one comparison run; nothing else calls them.
 */
public final class KeycloakLoad {
  private static final int WRK_THREADS = 2;

  private KeycloakLoad() {}

  /** One measured round of one target. */
  record Row(int round, String target, Wrk.Result result, String loadAverage) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    String alg = args.length > 4 ? args[4] : "ES256";
    String version = args.length > 5 ? args[5] : "26.7.3";
    // Keycloak's JIT needs longer than Warden's to reach its steady rate on 2 busy cores
    int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 30;
    Path cache = Path.of(System.getProperty("keycloak.cache", "/tmp/warden-keycloak-cache"));
    Path javaHome =
        Path.of(System.getProperty("keycloak.javaHome", System.getProperty("java.home")));
    Path dir = Files.createTempDirectory("warden-keycloak-load");

    Path home = KeycloakServer.distribution(version, cache);
    String heap = heapOptions();
    System.out.printf(
        "driver+warden JVM: java %s, collectors %s, %s%n",
        System.getProperty("java.version"), collectors(), heap);
    int port = 18080 + (int) (ProcessHandle.current().pid() % 1000);
    try (GrantLoad.Target warden = GrantLoad.Target.start(dir, port, tokens, alg, null);
        KeycloakServer kc = KeycloakServer.start(home, version, javaHome, heap, "", dir)) {
      System.out.println("keycloak JVM: " + kc.jvmCommandLine());
      ECKey clientKey =
          new ECKeyGenerator(Curve.P_256)
              .keyID("bench")
              .keyUse(KeyUse.SIGNATURE) // Keycloak ignores a JWKS key without "use": "sig"
              .algorithm(JWSAlgorithm.ES256)
              .generate();
      String secret = UUID.randomUUID().toString();
      setUpRealm(kc, alg, secret, clientKey);
      Path secretLua = dir.resolve("kc-secret.lua");
      Files.writeString(secretLua, secretLua(secret));
      probe(kc, alg, "Basic " + basic(secret), "grant_type=client_credentials");
      boolean jwt;
      try {
        probe(kc, alg, null, assertionBody(kc, clientKey));
        jwt = true;
      } catch (IllegalStateException e) {
        // the secret comparison still stands on its own; say why the other is missing
        System.out.println("kc-jwt left out: " + e.getMessage());
        jwt = false;
      }
      System.out.printf(
          "%s; wrk %d threads, %d connections, %d s rounds, %d rounds, %d distinct platform tokens"
              + " for warden%n",
          wrkVersion(), WRK_THREADS, connections, seconds, rounds, tokens);

      System.out.println("=== warmup (" + warmup + " s each)");
      Wrk.run(warden.tokenUrl(), warden.lua(), warmup, connections);
      Wrk.Result s = Wrk.run(kc.tokenUrl("bench"), secretLua, warmup, connections);
      double kcRate = s.perSecond();
      if (jwt) {
        Wrk.run(
            kc.tokenUrl("bench"),
            assertionLua(kc, clientKey, dir, kcRate, warmup),
            warmup,
            connections);
      }
      List<String> targets =
          jwt ? List.of("warden", "kc-secret", "kc-jwt") : List.of("warden", "kc-secret");

      long storeBefore = kc.storeBytes();
      List<Row> rows = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = round % 2 == 1 ? targets : targets.reversed();
        for (String target : order) {
          // minted before the round is timed, so minting never competes with a measured server
          Path jwtLua =
              target.equals("kc-jwt") ? assertionLua(kc, clientKey, dir, kcRate, seconds) : null;
          String load = loadAverage();
          System.out.printf("=== round %d: %s (load average %s)%n", round, target, load);
          Wrk.Result r =
              switch (target) {
                case "warden" -> Wrk.run(warden.tokenUrl(), warden.lua(), seconds, connections);
                case "kc-secret" -> Wrk.run(kc.tokenUrl("bench"), secretLua, seconds, connections);
                default -> Wrk.run(kc.tokenUrl("bench"), jwtLua, seconds, connections);
              };
          if (!target.equals("warden")) {
            kcRate = Math.max(kcRate, r.perSecond());
          }
          rows.add(new Row(round, target, r, load));
        }
      }
      report(rows, rounds, version, alg, targets);
      System.out.printf(
          "keycloak H2 store: %,d bytes before the measured rounds, %,d after (%,d grants)%n",
          storeBefore,
          kc.storeBytes(),
          rows.stream()
              .filter(r -> !r.target().equals("warden"))
              .mapToLong(r -> r.result().requests())
              .sum());
    }
  }

  /** Realm {@code bench} signing with {@code alg}, and the two confidential clients. */
  private static void setUpRealm(KeycloakServer kc, String alg, String secret, ECKey clientKey)
      throws IOException, InterruptedException {
    kc.admin(
        "POST",
        "/realms",
        """
        {"id": "bench", "realm": "bench", "enabled": true, "defaultSignatureAlgorithm": "%s"}"""
            .formatted(alg));
    String key =
        switch (alg) {
          case "ES256" ->
              "\"providerId\": \"ecdsa-generated\", \"config\": {\"priority\": [\"200\"],"
                  + " \"ecdsaEllipticCurveKey\": [\"P-256\"]}";
          case "EdDSA" ->
              "\"providerId\": \"eddsa-generated\", \"config\": {\"priority\": [\"200\"],"
                  + " \"eddsaEllipticCurveKey\": [\"Ed25519\"]}";
          default -> null; // RS256: the realm's default RSA key
        };
    if (key != null) {
      kc.admin(
          "POST",
          "/realms/bench/components",
          "{\"name\": \"bench-signing\", \"providerType\": \"org.keycloak.keys.KeyProvider\","
              + " \"parentId\": \"bench\", "
              + key
              + "}");
    }
    kc.admin(
        "POST",
        "/realms/bench/clients",
        """
        {"clientId": "bench-secret", "enabled": true, "protocol": "openid-connect",
         "publicClient": false, "serviceAccountsEnabled": true, "standardFlowEnabled": false,
         "directAccessGrantsEnabled": false, "clientAuthenticatorType": "client-secret",
         "secret": "%s"}"""
            .formatted(secret));
    kc.admin(
        "POST",
        "/realms/bench/clients",
        """
        {"clientId": "bench-jwt", "enabled": true, "protocol": "openid-connect",
         "publicClient": false, "serviceAccountsEnabled": true, "standardFlowEnabled": false,
         "directAccessGrantsEnabled": false, "clientAuthenticatorType": "client-jwt",
         "attributes": {"use.jwks.string": "true", "jwks.string": %s,
                        "token.endpoint.auth.signing.alg": "ES256"}}"""
            .formatted(
                JSONStringUtils.toJSONString(new JWKSet(clientKey.toPublicJWK()).toString())));
  }

  /** One grant before measuring, so a wrong setup fails loudly instead of measuring errors. */
  private static void probe(KeycloakServer kc, String alg, String authorization, String body)
      throws IOException, InterruptedException, ParseException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(kc.tokenUrl("bench")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("keycloak probe grant failed: " + r.body());
    }
    SignedJWT token =
        SignedJWT.parse(JSONObjectUtils.parse(r.body()).get("access_token").toString());
    if (!token.getHeader().getAlgorithm().getName().equals(alg)) {
      throw new IllegalStateException(
          "keycloak signed with " + token.getHeader().getAlgorithm() + ", not " + alg);
    }
    System.out.printf(
        "keycloak probe (%s): 200, access token %s, %d bytes, claims %s%n",
        authorization == null ? "private_key_jwt" : "client_secret_basic",
        token.getHeader().getAlgorithm(),
        token.serialize().length(),
        token.getJWTClaimsSet().getClaims().keySet());
  }

  private static String basic(String secret) {
    return Base64.getEncoder()
        .encodeToString(("bench-secret:" + secret).getBytes(StandardCharsets.UTF_8));
  }

  private static String secretLua(String secret) {
    return """
        wrk.method = "POST"
        wrk.body = "grant_type=client_credentials"
        wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
        wrk.headers["Authorization"] = "Basic %s"
        """
        .formatted(basic(secret));
  }

  /** A request body with one fresh ES256 client assertion for {@code bench-jwt}. */
  private static String assertionBody(KeycloakServer kc, ECKey key) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("bench-jwt")
            .subject("bench-jwt")
            .audience(kc.issuer("bench"))
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a client assertion", e);
    }
    return "grant_type=client_credentials&client_assertion_type="
        + GrantLoad.enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        + "&client_assertion="
        + jwt.serialize();
  }

  /**
   * Mints enough fresh assertions for one {@code seconds}-long round at up to twice the fastest
   * Keycloak rate seen so far, and a script in which each {@code wrk} thread takes its own share
   * (thread {@code t} uses lines t, t+2, ...), so no {@code jti} is sent twice. Should a round
   * outrun them, the reused ones come back as errors in the round's count rather than going unseen.
   */
  private static Path assertionLua(KeycloakServer kc, ECKey key, Path dir, double rate, int seconds)
      throws IOException {
    int n = (int) Math.min(400_000, Math.max(5_000, 2 * Math.max(rate, 1_000) * seconds));
    long t0 = System.nanoTime();
    String bodies =
        IntStream.range(0, n)
            .parallel()
            .mapToObj(i -> assertionBody(kc, key))
            .collect(Collectors.joining("\n", "", "\n"));
    Path file = dir.resolve("kc-assertions.txt");
    Files.writeString(file, bodies);
    System.out.printf("minted %d client assertions in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    Path lua = dir.resolve("kc-jwt.lua");
    Files.writeString(
        lua,
        """
        local next_id = 0
        function setup(thread)
          thread:set("tid", next_id)
          next_id = next_id + 1
        end
        local bodies = {}
        local i = 0
        function init(args)
          for line in io.lines("%s") do bodies[#bodies + 1] = line end
        end
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
        function request()
          local n = i * %d + tid
          i = i + 1
          return wrk.format(nil, nil, nil, bodies[(n %% #bodies) + 1])
        end
        """
            .formatted(file, WRK_THREADS));
    return lua;
  }

  private static void report(
      List<Row> rows, int rounds, String version, String alg, List<String> targets) {
    System.out.printf(
        "%n=== Warden vs Keycloak %s, client credentials, tokens signed %s%n", version, alg);
    System.out.println(
        "| round | target | grants/s | p50 | p90 | p99 | errors | load average at start |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %d | %s | %,.0f | %.1f ms | %.1f ms | %.1f ms | %d | %s |%n",
          r.round(),
          r.target(),
          r.result().perSecond(),
          r.result().p50Ms(),
          r.result().p90Ms(),
          r.result().p99Ms(),
          r.result().errors(),
          r.loadAverage());
    }
    for (String kc : targets.subList(1, targets.size())) {
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        ratios.add(rate(rows, round, "warden") / rate(rows, round, kc));
      }
      System.out.printf(
          Locale.ROOT,
          "warden / %s, per round: %s; median %.2f%n",
          kc,
          ratios.stream()
              .map(d -> String.format(Locale.ROOT, "%.2f", d))
              .collect(Collectors.joining(", ")),
          median(ratios));
    }
    for (String t : targets) {
      System.out.printf(
          Locale.ROOT,
          "%s: median %,.0f grants/s, median p50 %.1f ms, median p99 %.1f ms%n",
          t,
          median(
              rows.stream()
                  .filter(r -> r.target().equals(t))
                  .map(r -> r.result().perSecond())
                  .toList()),
          median(
              rows.stream()
                  .filter(r -> r.target().equals(t))
                  .map(r -> r.result().p50Ms())
                  .toList()),
          median(
              rows.stream()
                  .filter(r -> r.target().equals(t))
                  .map(r -> r.result().p99Ms())
                  .toList()));
    }
    if (rows.stream().anyMatch(r -> r.result().errors() > 0)) {
      System.out.println(
          "WARNING: a round had errors; its rate does not measure successful grants");
    }
  }

  private static double rate(List<Row> rows, int round, String target) {
    return rows.stream()
        .filter(r -> r.round() == round && r.target().equals(target))
        .findFirst()
        .orElseThrow()
        .result()
        .perSecond();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * This JVM's heap flags, for Keycloak's {@code JAVA_OPTS_KC_HEAP} (which replaces kc.sh's default
   * of 70 % of RAM); the collector must be G1, the one kc.sh selects.
   */
  private static String heapOptions() {
    List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String a : in) {
      if (a.matches("-XX:\\+Use\\w+GC") && !a.equals("-XX:+UseG1GC")) {
        throw new IllegalStateException(
            a + ": Keycloak's kc.sh runs G1; run this driver with -XX:+UseG1GC so both match");
      }
    }
    String heap =
        in.stream()
            .filter(a -> a.startsWith("-Xms") || a.startsWith("-Xmx"))
            .collect(Collectors.joining(" "));
    return heap.contains("-Xmx")
        ? heap
        : (heap + " -Xmx" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "m").strip();
  }

  private static String collectors() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", "));
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static String wrkVersion() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.lines().findFirst().orElse("wrk (version unknown)").strip();
  }
}
