package dev.warden.agent.edge.http;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The destination connection one client connection keeps after an exchange, for its next request:
 * opening one per request was most of the latency the proxy added. One per {@link HttpFrontend},
 * never shared with another client connection, so one caller's credential never travels on a
 * connection another caller opened. Used on the client connection's event loop only.
 */
final class KeptUpstream {
  /**
   * A kept destination connection idle longer than this is closed rather than reused: servers close
   * idle connections after a few seconds (Apache and Node.js after 5 s), and a request sent just as
   * they do would fail. A reused connection that closes before answering an idempotent request
   * without a body is retried once on a new one.
   */
  static final long REUSE_IDLE_MILLIS = 2_000;

  /**
   * What a kept destination connection was opened for: a later request reuses it only for the same
   * destination over the same TLS set-up (an access token bound to the caller's SVID gets its own
   * TLS context, so a renewed SVID opens a new connection).
   */
  record Upstream(HttpWire.Authority destination, boolean tls, @Nullable SSLContext tlsContext) {}

  private @Nullable Channel kept;
  private @Nullable Upstream keptFor;
  private long keptAt;

  /** Keeps {@code ch}, whose last response was delimited and fully read. */
  void keep(Channel ch, @Nullable Upstream openedFor) {
    kept = ch;
    keptFor = openedFor;
    keptAt = System.nanoTime();
  }

  /**
   * The kept connection if it was opened for {@code wanted}, is open and was not idle too long;
   * else null, and a kept connection that does not serve is closed.
   */
  @Nullable Channel take(Upstream wanted) {
    Channel k = kept;
    if (k == null) {
      return null;
    }
    kept = null;
    long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - keptAt);
    if (k.isActive() && wanted.equals(keptFor) && idle < REUSE_IDLE_MILLIS) {
      k.config().setAutoRead(true); // may have been paused while the client was slow to read
      return k;
    }
    k.close();
    return null;
  }

  /** Forgets {@code ch} if it is the kept one: the destination closed it while idle. */
  void closed(Channel ch) {
    if (ch == kept) {
      kept = null;
    }
  }

  void close() {
    if (kept != null) {
      kept.close();
      kept = null;
    }
  }
}
