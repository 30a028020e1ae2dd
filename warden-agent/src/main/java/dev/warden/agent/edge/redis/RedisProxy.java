package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.EdgeProxy;
import dev.warden.agent.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A Redis endpoint for applications that hold no Redis password: they connect here (a Unix socket
 * or loopback TCP) and send commands; the agent attests the calling process, takes the ACL user
 * Warden issued to that workload for the proxy's resource, logs in to Redis itself, and passes the
 * application's commands on, never its own AUTH (docs/edge.md).
 */
public final class RedisProxy implements EdgeProxy {
  private static final System.Logger LOG = System.getLogger(RedisProxy.class.getName());

  private final EdgeContext context;
  private final SSLContext upstreamTls;
  private final AtomicLong accepted = new AtomicLong();
  private Channel listener;

  private RedisProxy(EdgeContext context) {
    this.context = context;
    this.upstreamTls = EdgeNet.upstreamContext(context.spec());
  }

  /**
   * Binds the listener on {@code group}.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static RedisProxy start(EdgeContext context, EventLoopGroup group) {
    RedisProxy p = new RedisProxy(context);
    p.listener = EdgeNet.listen(context.spec(), group, () -> {
      p.accepted.incrementAndGet();
      return new RedisClientSide(p);
    });
    LOG.log(System.Logger.Level.INFO, "redis proxy for resource " + context.spec().resource() + " listening on "
        + context.spec().where() + " (upstream TLS " + context.spec().upstreamTls() + ")");
    return p;
  }

  ChannelFuture connect(EventLoop loop, EdgeCredential cred, RedisUpstream.Listener listener) {
    return EdgeNet.connector(loop, new RedisUpstream(context.spec(), upstreamTls, cred, listener))
        .connect(cred.host(), cred.port());
  }

  EdgeContext context() {
    return context;
  }

  @Override
  public ProxySpec spec() {
    return context.spec();
  }

  @Override
  public long accepted() {
    return accepted.get();
  }

  @Override
  public SocketAddress address() {
    return listener.localAddress();
  }

  @Override
  public void close() {
    EdgeNet.close(context.spec(), listener);
  }
}
