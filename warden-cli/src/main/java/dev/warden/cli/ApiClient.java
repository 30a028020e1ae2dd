package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A small client of the admin API. Errors become {@link CliException} with the server's message.
 */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String USER_AGENT = dev.warden.core.WardenVersion.userAgent("cli");
  private final HttpClient http;
  private final String server;
  private final @Nullable String token;

  ApiClient(String server, @Nullable String token) {
    this(server, token, null);
  }

  /**
   * @param caFile PEM CA certificates to trust for an HTTPS server instead of the JDK's trust store
   *     ({@code WARDEN_CA_FILE}: for example the bundle of a server with {@code tls.selfIssued})
   */
  ApiClient(String server, @Nullable String token, java.nio.file.@Nullable Path caFile) {
    this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (caFile != null) {
      b.sslContext(trusting(caFile));
    }
    this.http = b.build();
  }

  private static javax.net.ssl.SSLContext trusting(java.nio.file.Path pem) {
    try (var in = java.nio.file.Files.newInputStream(pem)) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (var c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      if (i == 0) {
        throw new CliException(2, "WARDEN_CA_FILE " + pem + " holds no certificate");
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new CliException(2, "cannot read WARDEN_CA_FILE " + pem + ": " + e.getMessage());
    }
  }

  String server() {
    return server;
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body);
  }

  JsonNode put(String path, JsonNode body) {
    return send("PUT", path, body);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, @Nullable JsonNode body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + path))
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      try {
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (IOException e) {
        throw new CliException(2, "cannot encode request: " + e.getMessage());
      }
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new CliException(
          2,
          "cannot connect to "
              + server
              + " (is 'warden server' running? set --server or WARDEN_SERVER)");
    } catch (IOException e) {
      throw new CliException(2, "request to " + server + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(2, "interrupted");
    }
    JsonNode json;
    try {
      json = res.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(res.body());
    } catch (IOException e) {
      throw new CliException(
          2, "the server answered " + res.statusCode() + " with a body that is not JSON");
    }
    if (res.statusCode() >= 400) {
      String msg = json.path("message").asText(json.path("error_description").asText(""));
      String hint = res.statusCode() == 401 ? " (run 'warden login')" : "";
      throw new CliException(
          res.statusCode() == 404 ? 3 : 2,
          "server: " + json.path("error").asText("error") + ": " + msg + hint);
    }
    return json;
  }
}
