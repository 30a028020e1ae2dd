package dev.warden.core.trust;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small real {@link DocumentFetcher} for tests: java.net.http, loopback only, no redirects.
 * Records every URL it was asked for, so tests can prove what was (not) fetched.
 */
final class LoopbackFetcher implements DocumentFetcher {
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  final List<URI> requested = new CopyOnWriteArrayList<>();

  @Override
  public byte[] fetch(URI uri) throws IOException {
    requested.add(uri);
    if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
      throw new IOException("the test fetcher only fetches from loopback");
    }
    try {
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode() + " from " + uri);
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }
}
