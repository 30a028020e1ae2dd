package dev.warden.server.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.oauth.ClientMetadataFetcher;
import dev.warden.testkit.TestHttpsHost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF-safe fetcher of Client ID Metadata Documents, against a real HTTPS server on loopback
 * (which is itself a non-public address: the tests allow 127.0.0.0/8 explicitly, as an operator
 * would allow an internal network).
 */
class ClientMetadataHttpFetcherTest {
  static final String DOC =
      "{\"client_id\":\"x\",\"client_name\":\"n\",\"redirect_uris\":[\"http://127.0.0.1:1/cb\"]}";
  static TestHttpsHost host;
  static SSLContext trust;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    host = TestHttpsHost.start();
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, host.caPem(), StandardCharsets.US_ASCII);
    trust = FetchTrust.context(ca, "oauth.clientMetadata.trustedCas");
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  static ClientMetadataHttpFetcher allowingLoopback() {
    return new ClientMetadataHttpFetcher(trust, List.of("127.0.0.0/8"));
  }

  @Test
  void fetchWhenLoopbackIsAllowedThenReturnsTheBodyAndCacheAge() throws IOException {
    host.answer(
        "/ok.json",
        new TestHttpsHost.Answer(
            200,
            "application/json; charset=utf-8",
            DOC.getBytes(StandardCharsets.UTF_8),
            Map.of("Cache-Control", "public, max-age=120"),
            Duration.ZERO));

    ClientMetadataFetcher.Fetched f = allowingLoopback().fetch(URI.create(host.url("/ok.json")));

    assertThat(new String(f.body(), StandardCharsets.UTF_8)).isEqualTo(DOC);
    assertThat(f.maxAge()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void fetchWhenHostNameResolvesToLoopbackThenTheCertificateIsCheckedForTheName()
      throws IOException {
    host.json("/named.json", DOC);

    assertThat(allowingLoopback().fetch(URI.create(host.urlAsLocalhost("/named.json"))).body())
        .isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://127.0.0.1:%d/ok.json",
        "https://localhost:%d/ok.json",
        "https://[::1]:%d/ok.json"
      })
  void fetchWhenAddressIsNotPublicAndNotAllowedThenRefusedBeforeConnecting(String template) {
    host.json("/ok.json", DOC);
    int before = host.requestCount();
    URI url = URI.create(template.formatted(URI.create(host.url("/")).getPort()));

    assertThatThrownBy(() -> new ClientMetadataHttpFetcher(trust, List.of()).fetch(url))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("non-public address")
        .hasMessageContaining("oauth.clientMetadata.allowedNetworks");
    assertThat(host.requestCount()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void fetchWhenServerRedirectsThenRefusedAndNotFollowed(int status) {
    host.json("/target.json", DOC);
    host.answer(
        "/moved.json",
        new TestHttpsHost.Answer(
            status,
            "application/json",
            new byte[0],
            Map.of("Location", host.url("/target.json")),
            Duration.ZERO));
    int before = host.requestCount();

    assertThatThrownBy(() -> allowingLoopback().fetch(URI.create(host.url("/moved.json"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("redirects are not followed");
    assertThat(host.requestCount()).isEqualTo(before + 1);
  }

  @Test
  void fetchWhenDocumentIsLargerThanFiveKibThenRefused() {
    byte[] big =
        ("{\"client_id\":\"" + "a".repeat(ClientMetadataHttpFetcher.MAX_BYTES) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    host.answer(
        "/big.json",
        new TestHttpsHost.Answer(200, "application/json", big, Map.of(), Duration.ZERO));

    assertThatThrownBy(() -> allowingLoopback().fetch(URI.create(host.url("/big.json"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than 5120 bytes");
  }

  @Test
  void fetchWhenServerIsSlowThenCutOffAtTheDeadline() {
    host.answer(
        "/slow.json",
        new TestHttpsHost.Answer(
            200,
            "application/json",
            DOC.getBytes(StandardCharsets.UTF_8),
            Map.of(),
            Duration.ofSeconds(3)));
    ClientMetadataHttpFetcher fetcher =
        new ClientMetadataHttpFetcher(
            trust, List.of("127.0.0.1/32"), Duration.ofSeconds(1), Duration.ofMillis(500));
    long start = System.nanoTime();

    assertThatThrownBy(() -> fetcher.fetch(URI.create(host.url("/slow.json"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no complete answer within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/html", "text/plain", "application/javascript"})
  void fetchWhenContentTypeIsNotJsonThenRefused(String type) {
    host.answer(
        "/typed",
        new TestHttpsHost.Answer(
            200, type, DOC.getBytes(StandardCharsets.UTF_8), Map.of(), Duration.ZERO));

    assertThatThrownBy(() -> allowingLoopback().fetch(URI.create(host.url("/typed"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("application/json");
  }

  @Test
  void fetchWhenStatusIsNotOkThenRefused() {
    assertThatThrownBy(() -> allowingLoopback().fetch(URI.create(host.url("/missing.json"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void fetchWhenCertificateIsNotTrustedThenRefused() {
    host.json("/ok.json", DOC);
    ClientMetadataHttpFetcher jdkTrustOnly =
        new ClientMetadataHttpFetcher(FetchTrust.context(null, "k"), List.of("127.0.0.0/8"));

    assertThatThrownBy(() -> jdkTrustOnly.fetch(URI.create(host.url("/ok.json"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("TLS");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1/c.json",
        "ftp://example.com/c.json",
        "https://user@example.com/c.json"
      })
  void fetchWhenUrlIsNotPlainHttpsThenRefused(String url) {
    assertThatThrownBy(() -> allowingLoopback().fetch(URI.create(url)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("only https");
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.1,false",
    "172.16.5.4,false",
    "192.168.1.1,false",
    "169.254.169.254,false",
    "100.64.0.1,false",
    "0.0.0.0,false",
    "127.0.0.1,false",
    "224.0.0.1,false",
    "255.255.255.255,false",
    "::1,false",
    "fe80::1,false",
    "fc00::1,false",
    "fd12:3456::1,false",
    "ff02::1,false",
    "::ffff:10.0.0.1,false",
    "::ffff:127.0.0.1,false",
    "::,false",
    "8.8.8.8,true",
    "1.1.1.1,true",
    "2001:4860:4860::8888,true"
  })
  void onlyGloballyRoutableAddressesArePublic(String address, boolean expected) throws IOException {
    assertThat(ClientMetadataHttpFetcher.isPublic(InetAddress.getByName(address)))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "|300",
        "no-store|0",
        "max-age=60, no-cache|0",
        "max-age=60|60",
        "public, max-age=999999|3600",
        "max-age=oops|0",
        "private|300"
      })
  void cacheAgeFollowsCacheControlWithinBounds(String header, long seconds) {
    assertThat(ClientMetadataHttpFetcher.cacheAge(header)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com/8", "10.0.0.0/33", "not-an-address", "10.0.0.0/x"})
  void allowedNetworkWhenNotACidrThenRefused(String cidr) {
    assertThatThrownBy(() -> new ClientMetadataHttpFetcher(trust, List.of(cidr)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(cidr);
  }
}
