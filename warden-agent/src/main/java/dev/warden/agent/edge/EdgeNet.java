package dev.warden.agent.edge;

import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The network plumbing the MySQL and Redis proxies share: listening, connecting on, TLS to the
 * target.
 */
public final class EdgeNet {
  private EdgeNet() {}

  /**
   * Listens where the spec says, one {@code handler} per accepted connection. A Unix socket is
   * world-connectable: who may use it is decided by attesting the caller, not by file permissions.
   *
   * @throws UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static Channel listen(
      ProxySpec spec, EventLoopGroup group, Supplier<ChannelHandler> handler) {
    return listen(spec, group, handler, ch -> {});
  }

  /**
   * As {@link #listen(ProxySpec, EventLoopGroup, Supplier)}, telling {@code accepted} of each
   * connection before its handler is added.
   *
   * @throws UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static Channel listen(
      ProxySpec spec,
      EventLoopGroup group,
      Supplier<ChannelHandler> handler,
      java.util.function.Consumer<Channel> accepted) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .childOption(ChannelOption.AUTO_READ, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    accepted.accept(ch);
                    ch.pipeline().addLast(handler.get());
                  }
                });
    String name = spec.protocol().name().toLowerCase(Locale.ROOT);
    try {
      if (spec.listenUnix() != null) {
        Path abs = spec.listenUnix().toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Files.deleteIfExists(abs); // a stale socket from a killed agent
        Channel ch =
            b.channel(EpollServerDomainSocketChannel.class)
                .bind(new DomainSocketAddress(abs.toString()))
                .sync()
                .channel();
        Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwxrwxrwx"));
        return ch;
      }
      return b.channel(EpollServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .bind(spec.listenTcp())
          .sync()
          .channel();
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "cannot listen for the " + name + " proxy on " + spec.where() + ": " + rootMessage(e),
          e instanceof IOException io ? io : new IOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding " + spec.where());
    }
  }

  /** Closes the listener and removes its socket file. */
  public static void close(ProxySpec spec, @Nullable Channel listener) {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    if (spec.listenUnix() != null) {
      try {
        Files.deleteIfExists(spec.listenUnix().toAbsolutePath());
      } catch (IOException ignored) {
        // best effort: the next start removes a stale socket anyway
      }
    }
  }

  /** A TCP connection to the target on the client's event loop, so both sides run on one thread. */
  public static Bootstrap connector(EventLoop loop, ChannelHandler handler) {
    return new Bootstrap()
        .group(loop)
        .channel(EpollSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(handler);
  }

  /**
   * The trust for the target's certificate ({@code upstream-ca}, else the JDK's), or null when TLS
   * is disabled.
   */
  public static @Nullable SSLContext upstreamContext(ProxySpec spec) {
    if (spec.upstreamTls() == ProxySpec.UpstreamTls.DISABLE) {
      return null;
    }
    return verifyingContext(spec);
  }

  /**
   * The trust for the target's certificate ({@code upstream-ca}, else the JDK's), whatever {@code
   * upstream-tls} says: for a proxy that always verifies (HTTP).
   */
  public static SSLContext verifyingContext(ProxySpec spec) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, upstreamTrust(spec), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS to the target: " + e.getMessage(), e);
    }
  }

  /** The trust managers for the target's certificate: {@code upstream-ca}, else the JDK's. */
  public static javax.net.ssl.TrustManager[] upstreamTrust(ProxySpec spec) {
    return upstreamTrust(spec.upstreamCa()).getTrustManagers();
  }

  /** Trust for {@code upstream-ca} (PEM), or the JDK's trust store when it is null. */
  public static TrustManagerFactory upstreamTrust(@Nullable Path ca) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca == null) {
        tmf.init((KeyStore) null);
        return tmf;
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(ca)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw new IllegalArgumentException("upstream-ca " + ca + " holds no certificate");
      }
      tmf.init(ks);
      return tmf;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read upstream-ca " + ca + ": " + e.getMessage(), e);
    }
  }

  /**
   * A client-mode TLS handler for the target, checking its host name when the spec says
   * verify-full.
   */
  public static SslHandler upstreamTls(SSLContext ctx, ProxySpec spec, String host, int port) {
    SSLEngine engine = ctx.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    if (spec.upstreamTls() == ProxySpec.UpstreamTls.VERIFY_FULL) {
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(params);
    }
    return new SslHandler(engine);
  }

  /** {@code upstream-tls} as the user wrote it, for messages. */
  public static String tlsMode(ProxySpec spec) {
    return spec.upstreamTls().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The innermost cause's message: what actually went wrong (refused, timed out, certificate). */
  public static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  /**
   * A listener for the connection to a target: when it cannot be made, {@code refuse} gets why, as
   * {@code host:port: root cause}, to tell the client.
   */
  public static io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener ifConnectFails(
      dev.warden.agent.edge.EdgeCredential cred, java.util.function.Consumer<String> refuse) {
    return f -> {
      if (!f.isSuccess()) {
        refuse.accept(cred.host() + ":" + cred.port() + ": " + rootMessage(f.cause()));
      }
    };
  }
}
