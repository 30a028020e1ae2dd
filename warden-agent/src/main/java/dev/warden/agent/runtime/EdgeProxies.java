package dev.warden.agent.runtime;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.CredentialCache;
import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeProxy;
import dev.warden.agent.edge.LoopbackPeers;
import dev.warden.agent.edge.mysql.MysqlProxy;
import dev.warden.agent.edge.postgres.PostgresProxy;
import dev.warden.agent.edge.redis.RedisProxy;
import dev.warden.agent.workloadapi.IdentitySource;
import dev.warden.agent.workloadapi.WorkloadAttestor;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent's credential-injecting proxies (docs/edge.md): one event loop per core shared by all of
 * them, attestation and server calls on virtual threads, one credential cache.
 */
public final class EdgeProxies implements AutoCloseable {
  private final EventLoopGroup group;
  private final ExecutorService executor;
  private final CredentialCache credentials;
  private final AuditSpool spool;
  private final Clock clock;
  private final dev.warden.agent.edge.LiveConnections live =
      new dev.warden.agent.edge.LiveConnections();
  private final List<EdgeProxy> proxies = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Callers callers;
  private final dev.warden.agent.edge.ClientTls tls;
  private final LoopbackPeers peers;

  private EdgeProxies(
      EventLoopGroup group,
      ExecutorService executor,
      CredentialCache credentials,
      AuditSpool spool,
      Callers callers,
      dev.warden.agent.edge.ClientTls tls,
      Clock clock) {
    this.callers = callers;
    this.tls = tls;
    this.peers = new LoopbackPeers();
    this.clock = clock;
    this.spool = spool;
    this.group = group;
    this.executor = executor;
    this.credentials = credentials;
  }

  /**
   * Starts the proxies of a running agent: Unix attestation, its session for events and
   * certificates.
   */
  public static EdgeProxies start(
      List<ProxySpec> specs, AgentOptions options, AgentRuntime runtime, Clock clock) {
    EdgeProxies e =
        start(
            specs,
            options,
            runtime,
            new dev.warden.agent.workloadapi.UnixAttestor(),
            runtime::reportConnections,
            new EdgeCertificates(runtime, clock),
            clock);
    e.watchLeases(runtime::endedLeases, java.time.Duration.ofSeconds(2));
    return e;
  }

  /** Asks the server which leases ended. */
  @FunctionalInterface
  public interface EndedLeases {
    List<String> ended(List<String> leaseIds) throws ServerException;
  }

  /**
   * Every {@code interval}, asks which leases of the held credentials and open connections ended,
   * closes those connections, drops those credentials, and records the closing for the audit log.
   */
  public void watchLeases(EndedLeases server, java.time.Duration interval) {
    group.scheduleAtFixedRate(
        () -> executor.execute(() -> checkLeases(server)),
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One check; package-private for tests. */
  void checkLeases(EndedLeases server) {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>(live.leaseIds());
    ids.addAll(credentials.leaseIds());
    if (ids.isEmpty()) {
      return;
    }
    List<String> all = List.copyOf(ids);
    for (int i = 0; i < all.size(); i += dev.warden.core.agent.AgentLeases.MAX_IDS) {
      List<String> ended;
      try {
        ended =
            server.ended(
                all.subList(
                    i, Math.min(all.size(), i + dev.warden.core.agent.AgentLeases.MAX_IDS)));
      } catch (ServerException ex) {
        return; // the server is away: the target still ends revoked users' sessions itself
      }
      for (String id : ended) {
        credentials.discardLease(id);
        int n = live.close(id);
        if (n > 0) {
          spool.record(
              new dev.warden.core.agent.ProxiedConnection(
                  java.util.UUID.randomUUID().toString(),
                  clock.instant(),
                  dev.warden.core.agent.ProxiedConnection.Outcome.ENDED,
                  null,
                  null,
                  null,
                  null,
                  id,
                  null,
                  "closed " + n + " connection(s): the credential's lease ended",
                  java.util.Map.of()));
        }
      }
    }
  }

  /**
   * Starts every proxy; on any failure, those already started are closed.
   *
   * @throws IllegalArgumentException when the server is not HTTPS, or a proxy's options are wrong
   * @throws java.io.UncheckedIOException when an address cannot be bound
   */
  public static EdgeProxies start(
      List<ProxySpec> specs,
      AgentOptions options,
      IdentitySource identities,
      WorkloadAttestor attestor,
      AuditSpool.Sender reporter,
      dev.warden.agent.edge.ClientTls certificates,
      Clock clock) {
    AuditSpool spool;
    try {
      spool =
          new AuditSpool(
              options.dataDir().resolve("connection-spool"),
              reporter,
              Duration.ofSeconds(1),
              clock);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot keep connection events in "
              + options.dataDir()
              + "/connection-spool: "
              + e.getMessage(),
          e);
    }
    CredentialCache cache =
        new CredentialCache(
            new WorkloadCredentials(options.serverUrl(), options.serverCa(), clock), clock);
    EdgeProxies e =
        new EdgeProxies(
            new EpollEventLoopGroup(Runtime.getRuntime().availableProcessors()),
            Executors.newVirtualThreadPerTaskExecutor(),
            cache,
            spool,
            new Callers(attestor, identities),
            certificates,
            clock);
    try {
      for (ProxySpec s : specs) {
        e.startProxy(s);
      }
    } catch (RuntimeException ex) {
      e.close();
      throw ex;
    }
    return e;
  }

  /**
   * Starts one more proxy beside the running ones, sharing their event loops and credential cache.
   *
   * @throws IllegalArgumentException when its options are wrong (an unreadable upstream CA)
   * @throws java.io.UncheckedIOException when its address cannot be bound (the message names it)
   * @throws IllegalStateException when TLS to the client cannot be set up
   */
  public EdgeProxy startProxy(ProxySpec s) {
    Clock c = clock;
    CredentialCache cache = credentials;
    EdgeProxy p =
        switch (s.protocol()) {
          case POSTGRES ->
              PostgresProxy.start(s, callers, cache, peers, spool, tls, live, group, executor, c);
          case REDIS ->
              RedisProxy.start(
                  new EdgeContext(s, callers, cache, peers, executor, "redis", spool, c, live),
                  group);
          case MYSQL ->
              MysqlProxy.start(
                  new EdgeContext(s, callers, cache, peers, executor, "mariadb", spool, c, live),
                  group);
          case HTTP ->
              dev.warden.agent.edge.http.HttpProxy.start(
                  new EdgeContext(s, callers, cache, peers, executor, "http", spool, c, live),
                  tls,
                  group);
        };
    proxies.add(p);
    return p;
  }

  /**
   * Stops one proxy: closes its listener (removing its Unix socket) and then every connection it
   * still carries, and records the closing for the audit log with {@code why}.
   */
  public void stopProxy(EdgeProxy p, String why) {
    proxies.remove(p);
    p.close();
    int n = p.closeConnections();
    if (n > 0) {
      spool.record(
          new dev.warden.core.agent.ProxiedConnection(
              java.util.UUID.randomUUID().toString(),
              clock.instant(),
              dev.warden.core.agent.ProxiedConnection.Outcome.ENDED,
              p.spec().protocol().wire(),
              p.spec().where(),
              p.spec().resource(),
              null,
              null,
              null,
              "closed " + n + " connection(s): " + why,
              java.util.Map.of()));
    }
  }

  public List<EdgeProxy> proxies() {
    return List.copyOf(proxies);
  }

  public CredentialCache credentials() {
    return credentials;
  }

  @Override
  public void close() {
    proxies.forEach(EdgeProxy::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    executor.shutdownNow();
    credentials.close();
    spool.close();
  }

  /** Connection events not yet taken by the server. */
  public long pendingAuditEvents() {
    return spool.pending();
  }
}
