package dev.warden.agent.edge.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.warden.testkit.TestTlsCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A destination for the HTTP proxy's tests: the JDK's HTTP(S) server answering every request with
 * what it received (method, target, the credential-bearing and hop-by-hop fields, the body), one
 * {@code name: value} per line, and remembering each request.
 */
final class EchoServer implements AutoCloseable {
  /** What one request carried. */
  record Seen(
      String method,
      String target,
      String authorization,
      String apiKey,
      String body,
      String headers) {}

  private final HttpServer server;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  private EchoServer(HttpServer server) {
    this.server = server;
    server.createContext("/", this::answer);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  static EchoServer plain() throws IOException {
    return new EchoServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
  }

  /** HTTPS with a certificate for localhost and 127.0.0.1 from {@code ca}. */
  static EchoServer tls(TestTlsCertificates ca) throws Exception {
    return tls(ca, null);
  }

  /**
   * HTTPS asking for a client certificate (optional) that chains to {@code clientCas}: the echo
   * then also says the certificate's SHA-256 and URI name.
   */
  static EchoServer tls(TestTlsCertificates ca, java.nio.file.Path clientCas) throws Exception {
    TestTlsCertificates.Issued leaf = ca.server(List.of("localhost", "127.0.0.1"));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "leaf",
        leaf.keys().getPrivate(),
        new char[0],
        new X509Certificate[] {leaf.certificate(), ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    javax.net.ssl.TrustManager[] trust = null;
    if (clientCas != null) {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      int i = 0;
      try (var in = java.nio.file.Files.newInputStream(clientCas)) {
        for (var c :
            java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ts.setCertificateEntry("ca" + i++, c);
        }
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
      tmf.init(ts);
      trust = tmf.getTrustManagers();
    }
    ctx.init(kmf.getKeyManagers(), trust, null);
    HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    boolean want = clientCas != null;
    s.setHttpsConfigurator(
        new HttpsConfigurator(ctx) {
          @Override
          public void configure(com.sun.net.httpserver.HttpsParameters params) {
            javax.net.ssl.SSLParameters p = ctx.getDefaultSSLParameters();
            p.setWantClientAuth(want);
            params.setSSLParameters(p);
          }
        });
    return new EchoServer(s);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void answer(HttpExchange x) throws IOException {
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    StringBuilder headers = new StringBuilder();
    x.getRequestHeaders()
        .forEach(
            (k, v) ->
                headers
                    .append(k.toLowerCase(Locale.ROOT))
                    .append(": ")
                    .append(String.join(",", v))
                    .append('\n'));
    Seen s =
        new Seen(
            x.getRequestMethod(),
            x.getRequestURI().toString(),
            x.getRequestHeaders().getFirst("Authorization"),
            x.getRequestHeaders().getFirst("X-Api-Key"),
            body,
            headers.toString());
    seen.add(s);
    String client = "";
    if (x instanceof com.sun.net.httpserver.HttpsExchange hx) {
      try {
        var peer = (X509Certificate) hx.getSSLSession().getPeerCertificates()[0];
        client =
            "client-cert-sha256: "
                + java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                        java.security.MessageDigest.getInstance("SHA-256")
                            .digest(peer.getEncoded()))
                + "\nclient-cert-uri: "
                + peer.getSubjectAlternativeNames().stream()
                    .filter(n -> (Integer) n.get(0) == 6)
                    .map(n -> String.valueOf(n.get(1)))
                    .findFirst()
                    .orElse("")
                + "\n";
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        client = "client-cert: none\n";
      } catch (Exception e) {
        client = "client-cert: " + e + "\n";
      }
    }
    byte[] out =
        (client
                + "method: "
                + s.method()
                + "\ntarget: "
                + s.target()
                + "\nauthorization: "
                + s.authorization()
                + "\nx-api-key: "
                + s.apiKey()
                + "\nbody: "
                + body
                + "\npeer-port: "
                + x.getRemoteAddress().getPort()
                + "\n--\n"
                + headers)
            .getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain");
    x.sendResponseHeaders(200, out.length);
    x.getResponseBody().write(out);
    x.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
