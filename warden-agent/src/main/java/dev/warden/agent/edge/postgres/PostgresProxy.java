package dev.warden.agent.edge.postgres;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.ClientTls;
import dev.warden.agent.edge.ConnectionAudit;
import dev.warden.agent.edge.CredentialCache;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.LoopbackPeers;
import dev.warden.agent.workloadapi.PeerCredentials;
import dev.warden.core.agent.ProxiedConnection;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL endpoint for applications that hold no database credential: they connect here (a
 * Unix socket or loopback TCP) with any user name and no password; the agent attests the calling
 * process, takes the credential Warden issued to that workload for the proxy's resource, logs in to
 * the database itself (TLS verified, SCRAM), and only then lets the application in.
 */
public final class PostgresProxy extends dev.warden.agent.edge.ListeningProxy {
  private static final System.Logger LOG = System.getLogger(PostgresProxy.class.getName());

  /** The ALPN protocol name PostgreSQL 17 registered for direct TLS. */
  static final String ALPN = "postgresql";

  private final Callers callers;
  private final CredentialCache credentials;
  private final LoopbackPeers loopbackPeers;
  private final ConnectionAudit audit;

  /** Where TLS towards the application comes from; null when the proxy serves plaintext only. */
  private final @Nullable ClientTls tlsSource;

  private final dev.warden.agent.edge.LiveConnections live;
  private volatile @Nullable SslContext clientTlsContext;
  private volatile ClientTls.@Nullable Certificate clientCertificate;
  private final java.time.Clock clock;
  private final ExecutorService executor;

  /** Null with upstream-tls=disable. */
  private final @Nullable SslContext upstreamTls;

  private final SecureRandom random = new SecureRandom();

  private PostgresProxy(
      ProxySpec spec,
      Callers callers,
      CredentialCache credentials,
      LoopbackPeers loopbackPeers,
      ConnectionAudit audit,
      @Nullable ClientTls tlsSource,
      dev.warden.agent.edge.LiveConnections live,
      ExecutorService executor,
      java.time.Clock clock) {
    super(spec);
    this.tlsSource = tlsSource;
    this.live = live;
    this.audit = audit;
    this.clock = clock;
    this.callers = callers;
    this.credentials = credentials;
    this.loopbackPeers = loopbackPeers;
    this.executor = executor;
    this.upstreamTls =
        spec.upstreamTls() == ProxySpec.UpstreamTls.DISABLE
            ? null
            : sslContext(
                spec.upstreamCa(), spec.upstreamTls() == ProxySpec.UpstreamTls.VERIFY_FULL);
  }

  /**
   * Binds the listener on {@code group}; blocking work (attestation, the server) runs on {@code
   * executor}.
   *
   * @throws UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static PostgresProxy start(
      ProxySpec spec,
      Callers callers,
      CredentialCache credentials,
      LoopbackPeers loopbackPeers,
      ConnectionAudit audit,
      ClientTls clientTls,
      dev.warden.agent.edge.LiveConnections live,
      EventLoopGroup group,
      ExecutorService executor,
      java.time.Clock clock) {
    boolean tls = spec.clientTls() != ProxySpec.ClientTlsMode.OFF;
    PostgresProxy p =
        new PostgresProxy(
            spec,
            callers,
            credentials,
            loopbackPeers,
            audit,
            tls ? clientTls : null,
            live,
            executor,
            clock);
    if (tls) {
      try {
        p.refreshClientTls();
      } catch (EdgeException e) {
        throw new IllegalArgumentException(
            "cannot start the postgres proxy on " + spec.where() + ": " + e.getMessage());
      }
      // checked every minute; renewed at half-life by the source
      group.scheduleAtFixedRate(
          () ->
              executor.execute(
                  () -> {
                    try {
                      p.refreshClientTls();
                    } catch (EdgeException e) {
                      LOG.log(
                          System.Logger.Level.WARNING,
                          "postgres proxy " + spec.where() + ": " + e.getMessage());
                    }
                  }),
          1,
          1,
          java.util.concurrent.TimeUnit.MINUTES);
    }
    p.listen(group, () -> new ClientSide(p));
    LOG.log(System.Logger.Level.INFO, p.listening());
    return p;
  }

  ChannelFuture connect(
      EventLoop loop,
      EdgeCredential cred,
      Map<String, String> clientParameters,
      byte @Nullable [] cancel,
      UpstreamSide.Listener listener) {
    return dev.warden.agent.edge.EdgeNet.connector(
            loop,
            new UpstreamSide(spec(), upstreamTls, cred, clientParameters, cancel, listener, random))
        .connect(cred.host(), cred.port());
  }

  /**
   * Reports one connection's outcome for the audit log (off the event loop's critical path: a file
   * append).
   */
  void audit(
      ProxiedConnection.Outcome outcome,
      Callers.@Nullable Caller caller,
      @Nullable PeerCredentials peer,
      @Nullable EdgeCredential cred,
      @Nullable String reason) {
    Map<String, String> who = dev.warden.agent.edge.EdgeContext.who(caller, peer);
    try {
      audit.record(
          new ProxiedConnection(
              java.util.UUID.randomUUID().toString(),
              clock.instant(),
              outcome,
              "postgres",
              spec().where(),
              spec().resource(),
              caller == null ? null : caller.svid().id().toString(),
              cred == null ? null : cred.leaseId(),
              cred == null ? null : cred.host() + ":" + cred.port(),
              reason,
              who));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record a connection event: " + e.getMessage());
    }
  }

  private void refreshClientTls() throws EdgeException {
    ClientTls source = tlsSource;
    if (source == null) {
      return; // plaintext only: nothing to refresh
    }
    ClientTls.Certificate c = source.certificate(spec().resource());
    if (c == clientCertificate) {
      return;
    }
    try {
      clientTlsContext =
          SslContextBuilder.forServer(
                  c.key(), c.chain().toArray(new java.security.cert.X509Certificate[0]))
              .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
              .protocols("TLSv1.3", "TLSv1.2")
              // PostgreSQL 17's ALPN name: required with direct TLS, checked in ClientSide
              .applicationProtocolConfig(
                  new io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig(
                      io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig.Protocol
                          .ALPN,
                      io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig
                          .SelectorFailureBehavior.NO_ADVERTISE,
                      io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig
                          .SelectedListenerFailureBehavior.ACCEPT,
                      ALPN))
              .build();
      clientCertificate = c;
    } catch (javax.net.ssl.SSLException e) {
      throw new EdgeException(
          EdgeException.Kind.FAILED, "cannot use the proxy's TLS certificate: " + e.getMessage());
    }
  }

  dev.warden.agent.edge.LiveConnections live() {
    return live;
  }

  /** TLS towards the application, or null when this proxy serves plaintext only. */
  @Nullable SslContext clientTls() {
    return clientTlsContext;
  }

  Callers callers() {
    return callers;
  }

  CredentialCache credentials() {
    return credentials;
  }

  LoopbackPeers loopbackPeers() {
    return loopbackPeers;
  }

  ExecutorService executor() {
    return executor;
  }

  /**
   * TLS to the database through BoringSSL when its native library loads (several times cheaper per
   * byte than the JDK's engine, which matters on every proxied query), else the JDK's.
   */
  private static SslContext sslContext(@Nullable Path ca, boolean checkHostName) {
    try {
      TrustManagerFactory tmf = dev.warden.agent.edge.EdgeNet.upstreamTrust(ca);
      return SslContextBuilder.forClient()
          .trustManager(tmf)
          .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          // Netty checks the host name by default; verify-ca must not, verify-full must
          .endpointIdentificationAlgorithm(checkHostName ? "HTTPS" : null)
          .build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS to the database: " + e.getMessage(), e);
    }
  }
}
