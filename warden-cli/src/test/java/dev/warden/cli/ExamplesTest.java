package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code examples/<name>/run.sh}, run as a user would: against a fresh {@code warden server}
 * started as its own process, with the real CLI (the same main class the jar runs) and curl. The
 * README's walkthrough is {@code examples/quickstart/run.sh}, so the README and the examples cannot
 * rot silently: a step that stops working fails the build.
 */
class ExamplesTest {
  private static final Pattern TOKEN = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");

  @TempDir static Path tmp;

  static Path root;
  static Path cli;
  static Process server;
  static String url;
  static String adminToken;
  static final StringBuilder serverLog = new StringBuilder();

  @BeforeAll
  static void startServer() throws Exception {
    root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    assertThat(root.resolve("examples")).isDirectory();
    cli = tmp.resolve("warden");
    // the real CLI, from this build's classes: the examples call it as $WARDEN_CLI
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        cli,
        "#!/bin/sh\nexec '"
            + java
            + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            + " --sun-misc-unsafe-memory-access=allow -cp '"
            + System.getProperty("java.class.path")
            + "' dev.warden.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (Runtime.version().feature() < 24) {
      Files.writeString(
          cli, Files.readString(cli).replace(" --sun-misc-unsafe-memory-access=allow", ""));
    }
    int port = dev.warden.testkit.FreePorts.next();
    // HTTPS, as production runs it (and as the agent's proxies need: they ask as each workload over
    // mTLS); the examples trust the server's own bundle through WARDEN_CA_FILE and CURL_CA_BUNDLE
    url = "https://localhost:" + port;
    ProcessBuilder pb =
        new ProcessBuilder(
                cli.toString(),
                "server",
                "--port",
                Integer.toString(port),
                "--data-dir",
                tmp.resolve("data").toString())
            .redirectErrorStream(true);
    isolate(pb.environment());
    pb.environment().put("WARDEN_TLS_SELF_ISSUED", "true");
    server = pb.start();
    CompletableFuture<String> token = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon(true)
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (serverLog) {
                    serverLog.append(line).append('\n');
                  }
                  Matcher m = TOKEN.matcher(line);
                  if (m.find()) {
                    token.complete(m.group(1));
                  }
                }
              } catch (IOException e) {
                token.completeExceptionally(e);
              }
              token.completeExceptionally(
                  new AssertionError("the server exited before printing a bootstrap token"));
            });
    try {
      adminToken = token.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no bootstrap token from 'warden server'; it printed:\n" + log(), e);
    }
    HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/readyz")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          break;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server did not become ready; it printed:\n" + log());
      }
      Thread.sleep(200);
    }
    // the trust bundle, fetched once the way an operator bootstraps trust
    com.fasterxml.jackson.databind.JsonNode b =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(url + "/v1/bundle")).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
    StringBuilder pem = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonNode k : b.path("keys")) {
      if (k.path("use").asText().equals("x509-svid")) {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(k.path("x5c").get(0).asText())
            .append("\n-----END CERTIFICATE-----\n");
      }
    }
    bundle = tmp.resolve("bundle.pem");
    Files.writeString(bundle, pem);
  }

  static Path bundle;

  static javax.net.ssl.SSLContext trustAll() throws Exception {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new javax.net.ssl.TrustManager[] {
          new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
              return new java.security.cert.X509Certificate[0];
            }
          }
        },
        null);
    return ctx;
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Nothing a test runs may read or write the real user's configuration. */
  static void isolate(Map<String, String> env) {
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("home/.config").toString());
    env.put("WARDEN_CONFIG_DIR", tmp.resolve("home/.config/warden").toString());
  }

  static String log() {
    synchronized (serverLog) {
      return serverLog.toString();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExampleRunsEndToEndAgainstAFreshServer() throws IOException {
    List<Path> scripts = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root.resolve("examples"))) {
      dirs.sorted()
          .forEach(
              d -> {
                if (Files.isRegularFile(d.resolve("run.sh"))) {
                  scripts.add(d.resolve("run.sh"));
                }
              });
    }
    assertThat(scripts).as("examples with a run.sh").isNotEmpty();
    return scripts.stream()
        .map(s -> DynamicTest.dynamicTest(root.relativize(s).toString(), () -> run(s)));
  }

  private static void run(Path script) throws Exception {
    Path out = tmp.resolve(script.getParent().getFileName() + ".log");
    ProcessBuilder pb =
        new ProcessBuilder("bash", script.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    Map<String, String> env = pb.environment();
    isolate(env);
    env.put("WARDEN_SERVER", url);
    env.put("WARDEN_TOKEN", adminToken);
    env.put("WARDEN_CLI", cli.toString());
    env.put("WARDEN_CA_FILE", bundle.toString());
    env.put("CURL_CA_BUNDLE", bundle.toString());
    Process p = pb.start();
    boolean done = p.waitFor(Duration.ofMinutes(5).toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String printed = Files.readString(out);
    assertThat(done).as("%s finished within 5 minutes; it printed:%n%s", script, printed).isTrue();
    assertThat(p.exitValue())
        .as("%s exit status; it printed:%n%s%nserver log:%n%s", script, printed, log())
        .isZero();
  }
}
