package dev.warden.server.upstream;

import dev.warden.core.error.TargetException;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.upstream.UpstreamTokenClient;
import dev.warden.core.upstream.UpstreamTokenResponse;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Posts token requests to upstream OAuth servers with {@link HttpClient}.
 *
 * <p>Rules enforced here, whatever the caller passes: https, or http only to a loopback host (tests
 * and development; {@link OAuthClient#loopback}); TLS verified against the JVM's trust store (the
 * default {@code SSLContext}, so {@code javax.net.ssl.trustStore} adds a private CA); no redirect
 * is followed (it would carry the client's credentials elsewhere: a 3xx is an answer without a
 * token); a connect timeout, and one deadline for the whole exchange including the body, so a
 * server that trickles bytes is cut off too; at most {@link UpstreamTokenResponse#MAX_BODY_BYTES} +
 * 1 bytes of the body are read. Failure messages name the host and the cause, never the request
 * body.
 *
 * <p>Thread-safe; one instance serves the whole server.
 */
public final class HttpUpstreamTokenClient implements UpstreamTokenClient {
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client;
  private final Duration timeout;

  /** A client with the production limits. */
  public HttpUpstreamTokenClient() {
    this(CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  /** Tests shrink the limits so that timeouts run in milliseconds. */
  public HttpUpstreamTokenClient(Duration connectTimeout, Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.timeout = timeout;
  }

  @Override
  public Response post(Request r) {
    URI u = r.url();
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (u.getHost() == null
        || !(scheme.equals("https")
            || scheme.equals("http") && OAuthClient.loopback(u.getHost()))) {
      throw TargetException.unreachable(
          "the token URL must be https (http only on loopback)", null);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(u)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("User-Agent", dev.warden.core.WardenVersion.userAgent("server"))
            .POST(HttpRequest.BodyPublishers.ofString(r.form().reveal(), StandardCharsets.UTF_8));
    if (r.authorization() != null) {
      b.header("Authorization", r.authorization().reveal());
    }
    CompletableFuture<HttpResponse<byte[]>> f =
        client.sendAsync(
            b.build(), info -> new CappedBody(UpstreamTokenResponse.MAX_BODY_BYTES + 1));
    String host = u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
    try {
      HttpResponse<byte[]> res = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return new Response(
          res.statusCode(), res.body(), res.headers().firstValue("Content-Type").orElse(null));
    } catch (TimeoutException e) {
      f.cancel(true);
      throw TargetException.unreachable(
          "no complete answer from " + host + " within " + timeout.toMillis() + " ms", null);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw TargetException.unreachable("interrupted while asking " + host, null);
    } catch (ExecutionException e) {
      Throwable c =
          e.getCause() instanceof CompletionException ce && ce.getCause() != null
              ? ce.getCause()
              : e.getCause();
      throw TargetException.unreachable(cause(host, c), null);
    }
  }

  /** Why no answer came, in words that quote nothing the server or the request sent. */
  private static String cause(String host, @Nullable Throwable c) {
    if (c instanceof HttpConnectTimeoutException) {
      return "connecting to " + host + " timed out";
    }
    if (c instanceof java.net.http.HttpTimeoutException) {
      return "no answer from " + host + " in time";
    }
    if (c instanceof ConnectException) {
      return "connection to " + host + " refused";
    }
    if (c instanceof javax.net.ssl.SSLException) {
      return "TLS with "
          + host
          + " failed ("
          + c.getClass().getSimpleName()
          + "; is its certificate trusted?)";
    }
    return "the exchange with "
        + host
        + " failed ("
        + (c == null ? "unknown" : c.getClass().getSimpleName())
        + ")";
  }

  /** Keeps the first {@code max} bytes of a body and stops reading there. */
  static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    CappedBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer bb : items) {
        int n = Math.min(bb.remaining(), max - buffer.size());
        byte[] chunk = new byte[n];
        bb.get(chunk);
        buffer.write(chunk, 0, n);
        if (buffer.size() >= max) {
          result.complete(buffer.toByteArray());
          // Flow calls onSubscribe before any onNext
          java.util.Objects.requireNonNull(subscription, "subscription").cancel();
          return;
        }
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
  }
}
