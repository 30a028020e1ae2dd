package dev.warden.agent.edge;

import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What every proxy does the same way: listen where its spec says (through {@link EdgeNet#listen}),
 * count the connections it accepted, keep the open ones (so that a proxy whose declaration was
 * removed can close them), and close its listener (removing a Unix socket file).
 */
public abstract class ListeningProxy implements EdgeProxy {
  private final ProxySpec spec;
  private final AtomicLong accepted = new AtomicLong();
  private final java.util.Set<Channel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Null until {@link #listen} bound it (every proxy's {@code start} does, before returning). */
  private @Nullable Channel listener;

  protected ListeningProxy(ProxySpec spec) {
    this.spec = spec;
  }

  /**
   * Binds the listener on {@code group}; each accepted connection gets a new {@code handler}.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound (the message names it)
   */
  protected final void listen(EventLoopGroup group, Supplier<ChannelHandler> handler) {
    listener =
        EdgeNet.listen(
            spec,
            group,
            () -> {
              accepted.incrementAndGet();
              return handler.get();
            },
            ch -> {
              open.add(ch);
              ch.closeFuture().addListener(f -> open.remove(ch));
            });
  }

  /**
   * What a database proxy logs once it listens: the resource it serves, where, and how it reaches
   * the target.
   */
  protected final String listening() {
    return spec.protocol().name().toLowerCase(java.util.Locale.ROOT)
        + " proxy for resource "
        + spec.resource()
        + " listening on "
        + spec.where()
        + " (upstream TLS "
        + spec.upstreamTls()
        + ")";
  }

  @Override
  public ProxySpec spec() {
    return spec;
  }

  @Override
  public final long accepted() {
    return accepted.get();
  }

  @Override
  public final SocketAddress address() {
    // every proxy's start() calls listen() before it hands the proxy out
    return Objects.requireNonNull(listener, "a started proxy has listened").localAddress();
  }

  @Override
  public final int closeConnections() {
    java.util.List<Channel> now = java.util.List.copyOf(open);
    now.forEach(Channel::close);
    return now.size();
  }

  @Override
  public void close() {
    EdgeNet.close(spec, listener);
  }
}
