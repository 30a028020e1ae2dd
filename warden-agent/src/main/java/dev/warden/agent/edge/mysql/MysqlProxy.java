package dev.warden.agent.edge.mysql;

import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.ListeningProxy;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A MySQL-protocol endpoint (MariaDB and MySQL servers) for applications that hold no database
 * password: they connect here (a Unix socket or loopback TCP) with any user and no password; the
 * agent attests the calling process, takes the user Warden issued to that workload for the proxy's
 * resource, logs in to the server itself, and only then lets the application in (docs/edge.md).
 */
public final class MysqlProxy extends ListeningProxy {
  private static final System.Logger LOG = System.getLogger(MysqlProxy.class.getName());

  private final EdgeContext context;

  /** Null with upstream-tls=disable. */
  private final @Nullable SSLContext upstreamTls;

  private final SecureRandom random = new SecureRandom();

  private MysqlProxy(EdgeContext context) {
    super(context.spec());
    this.context = context;
    this.upstreamTls = EdgeNet.upstreamContext(context.spec());
  }

  /**
   * Binds the listener on {@code group}.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static MysqlProxy start(EdgeContext context, EventLoopGroup group) {
    MysqlProxy p = new MysqlProxy(context);
    p.listen(group, () -> new MysqlClientSide(p));
    LOG.log(System.Logger.Level.INFO, p.listening());
    return p;
  }

  ChannelFuture connect(EventLoop loop, EdgeCredential cred, MysqlUpstream handler) {
    return EdgeNet.connector(loop, handler).connect(cred.host(), cred.port());
  }

  /**
   * A nonce for the greeting to the client. The client's proof is never checked (it has no
   * password), but a greeting without a fresh one would be a fixed string a client might cache.
   * Printable, without NUL, as servers send it.
   */
  byte[] nonce() {
    byte[] n = new byte[20];
    for (int i = 0; i < n.length; i++) {
      n[i] = (byte) (0x21 + random.nextInt(0x7e - 0x21));
    }
    return n;
  }

  @Nullable SSLContext upstreamTls() {
    return upstreamTls;
  }

  EdgeContext context() {
    return context;
  }
}
