package dev.warden.server.federation;

import dev.warden.core.trust.DocumentFetcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Fetches OIDC discovery documents and JWKS for the trust providers, with {@link HttpClient}.
 *
 * <p>Rules, all enforced here and not left to the caller: https only (plain http only to loopback,
 * for tests and local issuers); connect timeout {@value #CONNECT_TIMEOUT_SECONDS} s and {@value
 * #REQUEST_TIMEOUT_SECONDS} s for the whole exchange including the body (a server that trickles
 * bytes is cut off too); bodies over {@value #MAX_BYTES} bytes are refused, whether announced by
 * Content-Length or not; redirects are followed only within the same origin (scheme, host and
 * port), at most {@value #MAX_REDIRECTS} times; only status 200 is a success. Core only ever passes
 * URLs from configuration or from the configured issuer's discovery document — never one taken from
 * a token ({@code jku}, {@code x5u}).
 *
 * <p>Thread-safe; one instance serves the whole server.
 */
public final class HttpDocumentFetcher implements DocumentFetcher {
  public static final int CONNECT_TIMEOUT_SECONDS = 2;
  public static final int REQUEST_TIMEOUT_SECONDS = 5;

  /** 1 MiB: real JWKS and discovery documents are a few KiB. */
  public static final int MAX_BYTES = 1024 * 1024;

  public static final int MAX_REDIRECTS = 3;

  private final HttpClient client;
  private final Duration timeout;
  private final int maxBytes;

  /** A fetcher with the production limits. */
  public HttpDocumentFetcher() {
    this(
        Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS),
        Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS),
        MAX_BYTES);
  }

  /** Tests shrink the limits so that timeouts and size checks run in milliseconds. */
  HttpDocumentFetcher(Duration connectTimeout, Duration timeout, int maxBytes) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER) // redirects are checked by hand below
            .build();
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  /**
   * Fetches {@code uri}.
   *
   * @throws IOException when the URL is not allowed, the server cannot be reached or answers with
   *     another status than 200, a redirect leaves the origin or loops, the body is larger than the
   *     limit, or the exchange takes longer than the timeout ({@link HttpTimeoutException})
   */
  @Override
  public byte[] fetch(URI uri) throws IOException {
    Objects.requireNonNull(uri, "uri");
    checkAllowed(uri);
    long deadline = System.nanoTime() + timeout.toNanos();
    URI current = uri;
    for (int redirects = 0; ; redirects++) {
      HttpResponse<byte[]> r = exchange(current, deadline);
      int status = r.statusCode();
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        if (redirects >= MAX_REDIRECTS) {
          throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
        }
        String location =
            r.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IOException("redirect without Location from " + r.uri()));
        URI next;
        try {
          next = current.resolve(location);
        } catch (IllegalArgumentException e) {
          throw new IOException("redirect to an invalid URL from " + current);
        }
        checkAllowed(next);
        if (!sameOrigin(current, next)) {
          throw new IOException(
              "refusing a redirect from "
                  + origin(current)
                  + " to another origin, "
                  + origin(next));
        }
        current = next;
        continue;
      }
      if (status != 200) {
        throw new IOException("HTTP " + status + " from " + current);
      }
      return r.body();
    }
  }

  private HttpResponse<byte[]> exchange(URI uri, long deadline) throws IOException {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new HttpTimeoutException(
          "no answer from " + uri + " within " + timeout.toMillis() + " ms");
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("User-Agent", dev.warden.core.WardenVersion.userAgent("server"))
            .timeout(Duration.ofNanos(remaining))
            .header("Accept", "application/json, application/jwk-set+json")
            .GET()
            .build();
    CompletableFuture<HttpResponse<byte[]>> f =
        client.sendAsync(
            request,
            info ->
                info.statusCode() == 200
                    ? new LimitedBody(
                        maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1))
                    : HttpResponse.BodySubscribers.replacing(new byte[0]));
    try {
      return f.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new HttpTimeoutException(
          "no complete answer from " + uri + " within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + uri);
    } catch (ExecutionException e) {
      Throwable c =
          e.getCause() instanceof CompletionException ce && ce.getCause() != null
              ? ce.getCause()
              : e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IOException("fetching " + uri + " failed: " + c, c);
    }
  }

  /** https anywhere; http only on loopback; no user info; an absolute URL with a host. */
  static void checkAllowed(URI uri) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new IOException("not an absolute URL with a host: " + uri);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IOException("URLs with user info are not fetched");
    }
    if ("https".equals(scheme)) {
      return;
    }
    if ("http".equals(scheme) && isLoopback(uri.getHost())) {
      return;
    }
    throw new IOException(
        "only https URLs are fetched (plain http only on loopback): " + origin(uri));
  }

  static boolean isLoopback(String host) {
    return "127.0.0.1".equals(host) || "localhost".equalsIgnoreCase(host) || "[::1]".equals(host);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static String origin(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
  }

  /** Collects a body up to a limit; beyond it, cancels the transfer and fails. */
  static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    LimitedBody(int max, long announcedLength) {
      this.max = max;
      if (announcedLength > max) {
        result.completeExceptionally(tooLarge());
      }
    }

    private IOException tooLarge() {
      return new IOException("the response is larger than " + max + " bytes");
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (result.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (buffer.size() + (long) b.remaining() > max) {
          // Flow calls onSubscribe before any onNext
          java.util.Objects.requireNonNull(subscription, "subscription").cancel();
          result.completeExceptionally(tooLarge());
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        buffer.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return result;
    }
  }
}
