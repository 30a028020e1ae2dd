package dev.warden.server.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import dev.warden.testkit.FixedClock;
import dev.warden.testkit.TestOidcIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpDocumentFetcherTest {
  static final FixedClock CLOCK = FixedClock.atDefault();
  static TestOidcIssuer issuer;
  static HttpServer server;
  static ExecutorService executor;
  static String base;
  static final AtomicInteger elsewhereHits = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    issuer = TestOidcIssuer.builder().clock(CLOCK).start();
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    int port = server.getAddress().getPort();
    base = "http://127.0.0.1:" + port;
    server.createContext("/ok", ex -> send(ex, 200, "{\"ok\":true}"));
    server.createContext("/missing", ex -> send(ex, 404, "{}"));
    server.createContext("/big-announced", ex -> send(ex, 200, "x".repeat(2 * 1024 * 1024)));
    server.createContext(
        "/big-chunked",
        ex -> {
          try (ex) {
            ex.sendResponseHeaders(200, 0); // chunked: no Content-Length
            try (OutputStream out = ex.getResponseBody()) {
              byte[] chunk = new byte[64 * 1024];
              for (int i = 0; i < 32; i++) {
                out.write(chunk);
              }
            } catch (IOException expected) {
              // the client hung up, as it should
            }
          }
        });
    server.createContext(
        "/slow",
        ex -> {
          sleep(3000);
          send(ex, 200, "{}");
        });
    server.createContext(
        "/trickle",
        ex -> {
          try (ex) {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
              for (int i = 0; i < 30; i++) {
                out.write('x');
                out.flush();
                sleep(100);
              }
            } catch (IOException expected) {
              // cut off
            }
          }
        });
    server.createContext("/redirect-same", ex -> redirect(ex, "/ok"));
    server.createContext(
        "/redirect-other-host", ex -> redirect(ex, "http://localhost:" + port + "/elsewhere"));
    server.createContext("/redirect-other-port", ex -> redirect(ex, issuer.jwksUri()));
    server.createContext("/redirect-loop", ex -> redirect(ex, "/redirect-loop"));
    server.createContext(
        "/elsewhere",
        ex -> {
          elsewhereHits.incrementAndGet();
          send(ex, 200, "{}");
        });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    executor.shutdownNow();
    issuer.close();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void send(HttpExchange ex, int status, String body) throws IOException {
    try (ex) {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      } catch (IOException expected) {
        // client gave up (size limit)
      }
    }
  }

  static void redirect(HttpExchange ex, String location) throws IOException {
    try (ex) {
      ex.getResponseHeaders().set("Location", location);
      ex.sendResponseHeaders(302, -1);
    }
  }

  private final HttpDocumentFetcher fetcher = new HttpDocumentFetcher();
  private final HttpDocumentFetcher quick =
      new HttpDocumentFetcher(Duration.ofSeconds(1), Duration.ofMillis(500), 1024 * 1024);

  @Test
  void fetchesDiscoveryDocumentAndJwks() throws IOException {
    assertThat(new String(fetcher.fetch(URI.create(issuer.discoveryUri())), StandardCharsets.UTF_8))
        .contains("\"jwks_uri\"");
    assertThat(new String(fetcher.fetch(URI.create(issuer.jwksUri())), StandardCharsets.UTF_8))
        .contains(issuer.currentKid());
  }

  @Test
  void trustProvidersVerifyTokensWithKeysFetchedByThisFetcher() {
    TrustProviders p =
        TrustProviders.build(
            List.of(
                new TrustProviderSpec(
                    "cluster",
                    ProviderType.KUBERNETES,
                    issuer.issuer(),
                    null,
                    null,
                    List.of(TestOidcIssuer.DEFAULT_AUDIENCE),
                    List.of("RS256"),
                    null,
                    null,
                    null,
                    null)),
            fetcher,
            CLOCK);
    AttestedIdentity id = p.verify(issuer.kubernetesToken("payments", "api", "api-1"));
    assertThat(id.selectors())
        .extracting(Object::toString)
        .contains("k8s:ns=payments", "trust:provider=cluster");
  }

  @Test
  void jkuInATokenIsNeverFetched() {
    TrustProviders p =
        TrustProviders.build(
            List.of(
                new TrustProviderSpec(
                    "cluster",
                    ProviderType.KUBERNETES,
                    issuer.issuer(),
                    issuer.jwksUri(),
                    null,
                    List.of(TestOidcIssuer.DEFAULT_AUDIENCE),
                    List.of("RS256"),
                    null,
                    null,
                    null,
                    null)),
            fetcher,
            CLOCK);
    int before = elsewhereHits.get();
    assertThatThrownBy(
            () ->
                p.verify(
                    issuer
                        .kubernetes("payments", "api", "p")
                        .kid("attacker")
                        .jku(base + "/elsewhere")
                        .x5u(base + "/elsewhere")
                        .mint()))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KID));
    assertThat(elsewhereHits.get()).isEqualTo(before);
  }

  @Test
  void plainHttpToANonLoopbackHostIsRefusedWithoutConnecting() {
    assertThatThrownBy(() -> fetcher.fetch(URI.create("http://issuer.example/jwks")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("only https");
    assertThatThrownBy(() -> fetcher.fetch(URI.create("file:///etc/passwd")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> fetcher.fetch(URI.create("ftp://issuer.example/jwks")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> fetcher.fetch(URI.create("https://user:pw@issuer.example/jwks")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("user info");
    assertThatThrownBy(() -> fetcher.fetch(URI.create("/relative")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void statusOtherThan200IsAnError() {
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/missing")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void bodyOverTheLimitIsRefusedWhetherAnnouncedOrNot() {
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/big-announced")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than " + HttpDocumentFetcher.MAX_BYTES);
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/big-chunked")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than " + HttpDocumentFetcher.MAX_BYTES);
  }

  @Test
  void redirectWithinTheOriginIsFollowed() throws IOException {
    assertThat(
            new String(fetcher.fetch(URI.create(base + "/redirect-same")), StandardCharsets.UTF_8))
        .contains("ok");
  }

  @Test
  void redirectToAnotherHostOrPortIsRefused() {
    int before = elsewhereHits.get();
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/redirect-other-host")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another origin");
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/redirect-other-port")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another origin");
    assertThat(elsewhereHits.get()).isEqualTo(before);
  }

  @Test
  void redirectLoopStops() {
    assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/redirect-loop")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("redirects");
  }

  @Test
  void slowServerTimesOut() {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> quick.fetch(URI.create(base + "/slow")))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void tricklingBodyIsCutOffAtTheDeadline() {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> quick.fetch(URI.create(base + "/trickle")))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void productionLimitsAreThoseOfTheDesign() {
    assertThat(HttpDocumentFetcher.CONNECT_TIMEOUT_SECONDS).isEqualTo(2);
    assertThat(HttpDocumentFetcher.REQUEST_TIMEOUT_SECONDS).isEqualTo(5);
    assertThat(HttpDocumentFetcher.MAX_BYTES).isEqualTo(1 << 20);
  }
}
