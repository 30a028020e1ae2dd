package dev.warden.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.TargetException;
import dev.warden.core.upstream.UpstreamTokenClient;
import dev.warden.core.upstream.UpstreamTokenResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport's rules against a real loopback server: capped bodies, deadlines, no redirects,
 * https only.
 */
class HttpUpstreamTokenClientTest {
  final HttpUpstreamTokenClient client =
      new HttpUpstreamTokenClient(Duration.ofMillis(500), Duration.ofMillis(500));
  final AtomicInteger elsewhere = new AtomicInteger();
  HttpServer server;

  String serve(int status, byte[] body, long delayMillis, String location) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/token",
        x -> {
          try (x) {
            x.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
              Thread.sleep(delayMillis);
            }
            if (location != null) {
              x.getResponseHeaders().set("Location", location);
            }
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = x.getResponseBody()) {
              out.write(body);
            }
          } catch (InterruptedException | IOException e) {
            // the client hung up: what the deadline is for
          }
        });
    server.createContext(
        "/elsewhere",
        x -> {
          elsewhere.incrementAndGet();
          x.sendResponseHeaders(200, -1);
          x.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static UpstreamTokenClient.Request request(String url) {
    return new UpstreamTokenClient.Request(
        URI.create(url), Secret.of("grant_type=client_credentials"), Secret.of("Basic eDp5"));
  }

  @Test
  void hugeBodyIsReadOnlyUpToOneByteBeyondTheLimit() throws Exception {
    byte[] big = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');
    String base = serve(200, big, 0, null);

    UpstreamTokenClient.Response r = client.post(request(base + "/token"));

    assertThat(r.body()).hasSize(UpstreamTokenResponse.MAX_BODY_BYTES + 1);
    assertThatThrownBy(() -> UpstreamTokenResponse.parse(r)).hasMessageContaining("longer than");
  }

  @Test
  void aSlowServerIsCutOffAtTheDeadline() throws Exception {
    String base = serve(200, "{}".getBytes(StandardCharsets.UTF_8), 3000, null);
    long start = System.nanoTime();

    assertThatThrownBy(() -> client.post(request(base + "/token")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aRedirectIsAnAnswerNotFollowed() throws Exception {
    String base = serve(307, new byte[0], 0, "/elsewhere");

    UpstreamTokenClient.Response r = client.post(request(base + "/token"));

    assertThat(r.status()).isEqualTo(307);
    assertThat(elsewhere).hasValue(0);
  }

  @Test
  void refusedConnectionNamesTheHostNotTheRequest() {
    int port = dev.warden.testkit.FreePorts.next(); // nothing listens there

    assertThatThrownBy(() -> client.post(request("http://127.0.0.1:" + port + "/token")))
        .isInstanceOfSatisfying(TargetException.class, e -> assertThat(e.unreachable()).isTrue())
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageNotContaining("eDp5")
        .hasMessageNotContaining("client_credentials");
  }

  @Test
  void plainHttpToAnotherHostIsNeverSent() {
    assertThatThrownBy(() -> client.post(request("http://login.saas.test/token")))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("must be https");
  }
}
