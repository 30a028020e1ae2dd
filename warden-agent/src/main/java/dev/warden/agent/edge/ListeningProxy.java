package dev.warden.agent.edge;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every proxy does the same way: listen where its spec says (through {@link EdgeNet#listen}),
 * count the connections it accepted, and close its listener (removing a Unix socket file).
 */
public abstract class ListeningProxy implements EdgeProxy {
  private final ProxySpec spec;
  private final AtomicLong accepted = new AtomicLong();
  private Channel listener;

  protected ListeningProxy(ProxySpec spec) {
    this.spec = spec;
  }

  /**
   * Binds the listener on {@code group}; each accepted connection gets a new {@code handler}.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound (the message names it)
   */
  protected final void listen(EventLoopGroup group, Supplier<ChannelHandler> handler) {
    listener = EdgeNet.listen(spec, group, () -> {
      accepted.incrementAndGet();
      return handler.get();
    });
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
    return listener.localAddress();
  }

  @Override
  public void close() {
    EdgeNet.close(spec, listener);
  }
}
