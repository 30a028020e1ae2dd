package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.ListeningProxy;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A Redis endpoint for applications that hold no Redis password: they connect here (a Unix socket
 * or loopback TCP) and send commands; the agent attests the calling process, takes the ACL user
 * Warden issued to that workload for the proxy's resource, logs in to Redis itself, and passes the
 * application's commands on, never its own AUTH (docs/edge.md).
 */
public final class RedisProxy extends ListeningProxy {
  private static final System.Logger LOG = System.getLogger(RedisProxy.class.getName());

  private final EdgeContext context;

  /** Null with upstream-tls=disable. */
  private final @Nullable SSLContext upstreamTls;

  private RedisProxy(EdgeContext context) {
    super(context.spec());
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
    p.listen(group, () -> new RedisClientSide(p));
    LOG.log(System.Logger.Level.INFO, p.listening());
    return p;
  }

  ChannelFuture connect(EventLoop loop, EdgeCredential cred, RedisUpstream.Listener listener) {
    return EdgeNet.connector(loop, new RedisUpstream(context.spec(), upstreamTls, cred, listener))
        .connect(cred.host(), cred.port());
  }

  EdgeContext context() {
    return context;
  }
}
