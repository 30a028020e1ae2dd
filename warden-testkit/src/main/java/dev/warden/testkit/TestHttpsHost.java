package dev.warden.testkit;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTPS server on 127.0.0.1 (ephemeral port) with a certificate from its own test CA,
 * serving whatever a test puts at a path: a body with a status, content type and headers,
 * optionally after a delay. Hosts Client ID Metadata Documents in tests; a client trusts it through
 * {@link #caPem()} or {@link #clientContext()}.
 *
 * <pre>{@code
 * try (TestHttpsHost host = TestHttpsHost.start()) {
 *   host.json("/client.json", "{...}");
 *   URI url = host.url("/client.json");
 * }
 * }</pre>
 */
public final class TestHttpsHost implements AutoCloseable {
  /** What a path answers. */
  public record Answer(
      int status, String contentType, byte[] body, Map<String, String> headers, Duration delay) {}

  private final TestTlsCertificates ca = TestTlsCertificates.newCa("test-https-host-ca");
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  private TestHttpsHost() throws Exception {
    TestTlsCertificates.Issued cert = ca.server(List.of("localhost", "127.0.0.1"));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        cert.keys().getPrivate(),
        new char[0],
        new Certificate[] {cert.certificate(), ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    server.setExecutor(executor);
    server.createContext(
        "/",
        ex -> {
          requests.incrementAndGet();
          try (ex) {
            Answer a = answers.get(ex.getRequestURI().getRawPath());
            if (a == null) {
              ex.sendResponseHeaders(404, -1);
              return;
            }
            if (!a.delay().isZero()) {
              try {
                Thread.sleep(a.delay().toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
            if (a.contentType() != null) {
              ex.getResponseHeaders().set("Content-Type", a.contentType());
            }
            a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(a.body());
            }
          }
        });
    server.start();
  }

  public static TestHttpsHost start() {
    try {
      return new TestHttpsHost();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the test HTTPS host", e);
    }
  }

  /** {@code https://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "https://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * {@code https://localhost:<port><path>}, for a URL with a host name (checked against the
   * certificate's DNS name).
   */
  public String urlAsLocalhost(String path) {
    return "https://localhost:" + server.getAddress().getPort() + path;
  }

  /** Serves {@code json} at {@code path} as application/json with status 200. */
  public void json(String path, String json) {
    answer(
        path,
        new Answer(
            200,
            "application/json",
            json.getBytes(StandardCharsets.UTF_8),
            Map.of(),
            Duration.ZERO));
  }

  /** Serves an arbitrary answer at {@code path}. */
  public void answer(String path, Answer a) {
    answers.put(path, a);
  }

  /** How many requests arrived. */
  public int requestCount() {
    return requests.get();
  }

  /** The CA that issued the server's certificate, as PEM. */
  public String caPem() {
    return ca.pem();
  }

  /** A client context that trusts this host. */
  public SSLContext clientContext() {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, tmf.getTrustManagers(), null);
      return c;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
