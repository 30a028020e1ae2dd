package dev.warden.bench;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak, the official {@code org.keycloak:keycloak-quarkus-dist} zip from Maven Central,
 * started as its own process for {@link KeycloakLoad}. The zip is downloaded at bench time into a
 * cache directory outside the repository (never committed), checked against the {@code .sha1} that
 * Central publishes beside it, and unpacked once.
 *
 * <p>Keycloak runs in production mode ({@code kc.sh start}) with plain HTTP on loopback, the local
 * (non-clustered) cache and its file-based H2 store, which is what one Keycloak node on one machine
 * is; its data directory is wiped before every start so each run begins with an empty store.
 */
final class KeycloakServer implements AutoCloseable {
  private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30))
          .build();

  private final Process process;
  private final Path home;
  private final Path log;
  private final String base;
  private final String adminPassword;
  final String version;

  private KeycloakServer(
      Process process, Path home, Path log, String base, String adminPassword, String v) {
    this.process = process;
    this.home = home;
    this.log = log;
    this.base = base;
    this.adminPassword = adminPassword;
    this.version = v;
  }

  String base() {
    return base;
  }

  /** The realm's token endpoint. */
  String tokenUrl(String realm) {
    return base + "/realms/" + realm + "/protocol/openid-connect/token";
  }

  /** The realm's issuer, the {@code aud} Keycloak accepts in a client assertion. */
  String issuer(String realm) {
    return base + "/realms/" + realm;
  }

  /**
   * The Keycloak home for {@code version}: downloaded and verified on first use, then reused.
   *
   * @throws IllegalStateException when Central does not serve the version or the digest differs
   */
  static Path distribution(String version, Path cache) throws IOException, InterruptedException {
    Path home = cache.resolve("keycloak-" + version);
    Path verified = home.resolve(".warden-verified-sha1");
    if (Files.isRegularFile(verified)) {
      System.out.printf(
          "keycloak %s: cached at %s (sha1 %s, verified when downloaded)%n",
          version, home, Files.readString(verified).strip());
      return home;
    }
    Files.createDirectories(cache);
    String file = "keycloak-quarkus-dist-" + version + ".zip";
    String url = CENTRAL + "org/keycloak/keycloak-quarkus-dist/" + version + "/" + file;
    Path zip = cache.resolve(file);
    HttpResponse<String> sha1 =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + ".sha1")).build(),
            HttpResponse.BodyHandlers.ofString());
    if (sha1.statusCode() != 200) {
      throw new IllegalStateException(
          "Maven Central has no keycloak-quarkus-dist "
              + version
              + " (HTTP "
              + sha1.statusCode()
              + " for "
              + url
              + ".sha1); pass a version it serves");
    }
    String expected = sha1.body().strip().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
    if (!Files.isRegularFile(zip) || !expected.equals(digest(zip, "SHA-1"))) {
      System.out.printf("keycloak %s: downloading %s%n", version, url);
      Path part = cache.resolve(file + ".part");
      HttpResponse<Path> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofFile(part));
      if (r.statusCode() != 200) {
        throw new IllegalStateException("download of " + url + " failed: HTTP " + r.statusCode());
      }
      Files.move(part, zip, StandardCopyOption.REPLACE_EXISTING);
    }
    String actual = digest(zip, "SHA-1");
    if (!expected.equals(actual)) {
      Files.delete(zip);
      throw new IllegalStateException(
          "SHA-1 of " + file + " is " + actual + ", Central says " + expected + ": not used");
    }
    String sha256 = digest(zip, "SHA-256");
    System.out.printf(
        "keycloak %s: %s, %d bytes, SHA-1 %s (matches Central's .sha1), SHA-256 %s%n",
        version, file, Files.size(zip), actual, sha256);
    deleteTree(home);
    unzip(zip, cache, "keycloak-" + version + "/");
    try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
      scripts
          .filter(p -> p.toString().endsWith(".sh"))
          .forEach(p -> p.toFile().setExecutable(true));
    }
    Files.writeString(verified, actual + "\n");
    return home;
  }

  /**
   * Starts Keycloak from {@code home} on a free loopback port with the given JVM heap and extra
   * options, and waits until its master realm answers.
   *
   * @param javaHome the JDK Keycloak runs on
   * @throws IllegalStateException when it exits or is not ready within 5 minutes (the first start
   *     of a distribution includes Keycloak's build step); its log is in the message
   */
  static KeycloakServer start(
      Path home, String version, Path javaHome, String heapOptions, String extraOptions, Path dir)
      throws IOException, InterruptedException {
    deleteTree(home.resolve("data"));
    int port = freePort();
    int managementPort = freePort();
    String password = UUID.randomUUID().toString();
    Path log = dir.resolve("keycloak.log");
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash",
            home.resolve("bin/kc.sh").toString(),
            "start",
            "--http-enabled=true",
            "--http-host=127.0.0.1",
            "--http-port=" + port,
            "--http-management-port=" + managementPort,
            "--hostname-strict=false",
            "--cache=local",
            "--db=dev-file");
    Map<String, String> env = pb.environment();
    env.put("JAVA_HOME", javaHome.toString());
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", password);
    env.put("JAVA_OPTS_KC_HEAP", heapOptions);
    if (!extraOptions.isBlank()) {
      env.put("JAVA_OPTS_APPEND", extraOptions);
    }
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    System.out.printf(
        "keycloak %s: starting on port %d with JAVA_HOME=%s JAVA_OPTS_KC_HEAP='%s'%s%n",
        version,
        port,
        javaHome,
        heapOptions,
        extraOptions.isBlank() ? "" : " JAVA_OPTS_APPEND='" + extraOptions + "'");
    KeycloakServer kc =
        new KeycloakServer(pb.start(), home, log, "http://127.0.0.1:" + port, password, version);
    try {
      kc.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      kc.close();
      throw e;
    }
    return kc;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    URI probe = URI.create(base + "/realms/master/.well-known/openid-configuration");
    while (true) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(probe).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "keycloak did not become ready (exit "
                + (process.isAlive() ? "none, still running" : process.exitValue())
                + "); its log:\n"
                + tail());
      }
      Thread.sleep(250);
    }
  }

  /** The last lines of Keycloak's log, for error messages. */
  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Bytes in Keycloak's H2 store files: what a run wrote durably shows up here (the store was empty
   * at start).
   */
  long storeBytes() throws IOException {
    Path h2 = home.resolve("data/h2");
    if (!Files.isDirectory(h2)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(h2)) {
      long sum = 0;
      for (Path p : files.toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  /** The command line of Keycloak's JVM (the {@code java} process under {@code kc.sh}). */
  String jvmCommandLine() {
    return Stream.concat(Stream.of(process.toHandle()), process.descendants())
        .map(h -> h.info().commandLine().orElse(""))
        .filter(c -> c.contains("java") && c.contains("-Xm"))
        .findFirst()
        .orElse("(not visible)");
  }

  /**
   * Calls the admin REST API with a fresh admin token (they live 60 s, so one per call).
   *
   * @throws IllegalStateException when Keycloak answers with anything but a 2xx
   */
  void admin(String method, String path, String json) throws IOException, InterruptedException {
    HttpResponse<String> token =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(tokenUrl("master")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username=admin&password="
                            + GrantLoad.enc(adminPassword)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (token.statusCode() != 200) {
      throw new IllegalStateException("keycloak admin login failed: " + token.body());
    }
    String access;
    try {
      access = JSONObjectUtils.parse(token.body()).get("access_token").toString();
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("keycloak admin login answered " + token.body(), e);
    }
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/admin" + path))
                .header("Authorization", "Bearer " + access)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "keycloak admin " + method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String digest(Path file, String alg) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance(alg);
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(alg + " is part of every JDK", e);
    }
  }

  /** Unpacks the entries under {@code prefix}, refusing any that would land outside {@code to}. */
  private static void unzip(Path zip, Path to, String prefix) throws IOException {
    Path root = to.toAbsolutePath().normalize();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (!e.getName().startsWith(prefix)) {
          continue;
        }
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IllegalStateException("zip entry outside the cache: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
