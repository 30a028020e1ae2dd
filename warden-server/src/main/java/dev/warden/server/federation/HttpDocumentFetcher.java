package dev.warden.server.federation;

import dev.warden.core.trust.DocumentFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches discovery documents and JWK sets for trust providers: https only (http on loopback for
 * tests), no redirects at all (a redirect could lead to another host), 2 s to connect, 5 s per
 * request, at most 1 MiB read.
 */
public final class HttpDocumentFetcher implements DocumentFetcher {
  static final int MAX_BYTES = 1 << 20;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  @Override
  public byte[] fetch(URI uri) throws IOException {
    checkUri(uri);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
        .header("Accept", "application/json").GET().build();
    HttpResponse<InputStream> res;
    try {
      res = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + uri, e);
    }
    try (InputStream in = res.body()) {
      if (res.statusCode() != 200) {
        throw new IOException(uri + " answered HTTP " + res.statusCode());
      }
      byte[] body = in.readNBytes(MAX_BYTES + 1);
      if (body.length > MAX_BYTES) {
        throw new IOException(uri + " returned more than " + MAX_BYTES + " bytes");
      }
      return body;
    }
  }

  static void checkUri(URI uri) throws IOException {
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("refusing to fetch " + uri + ": no host");
    }
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1");
    if (!"https".equals(scheme) && !("http".equals(scheme) && loopback)) {
      throw new IOException("refusing to fetch " + uri + ": https is required (http only on loopback)");
    }
  }
}
