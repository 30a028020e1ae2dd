package dev.warden.agent.edge;

import dev.warden.agent.workloadapi.PeerCredentials;
import dev.warden.core.agent.ProxiedConnection;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What every proxy needs to turn a connection into a credential: the spec, how callers are
 * attested, the credential cache, and an executor for the blocking parts (reading /proc, the
 * server), so the event loop never waits.
 *
 * @param engine the server's engine name the proxy's credentials must be for ({@code mariadb},
 *     {@code redis}); a credential naming another is refused before anything is sent
 */
public record EdgeContext(
    ProxySpec spec,
    Callers callers,
    CredentialCache credentials,
    LoopbackPeers loopbackPeers,
    ExecutorService executor,
    String engine,
    ConnectionAudit audit,
    java.time.Clock clock,
    LiveConnections live) {
  private static final System.Logger LOG = System.getLogger(EdgeContext.class.getName());
  private static final AttributeKey<Callers.Caller> CALLER =
      AttributeKey.valueOf("warden.edge.caller");
  private static final AttributeKey<PeerCredentials> PEER =
      AttributeKey.valueOf("warden.edge.peer");
  private static final AttributeKey<EdgeCredential> CREDENTIAL =
      AttributeKey.valueOf("warden.edge.credential");
  private static final AttributeKey<Boolean> AUDITED = AttributeKey.valueOf("warden.edge.audited");

  /**
   * Records the connection's outcome for the server's audit log, once: the first outcome recorded
   * for a channel is its outcome, later calls (a refusal's own close path) are ignored.
   */
  public void record(Channel ch, ProxiedConnection.Outcome outcome, @Nullable String reason) {
    if (ch.attr(AUDITED).setIfAbsent(Boolean.TRUE) != null) {
      return;
    }
    Callers.Caller caller = ch.attr(CALLER).get();
    EdgeCredential cred = ch.attr(CREDENTIAL).get();
    if (outcome == ProxiedConnection.Outcome.PROXIED && cred != null) {
      live.add(cred.leaseId(), ch);
    }
    recordEvent(
        caller,
        ch.attr(PEER).get(),
        spec.resource(),
        cred,
        cred == null ? null : cred.host() + ":" + cred.port(),
        outcome,
        reason,
        null);
  }

  /**
   * Records one proxied exchange (the HTTP proxy records each request or tunnel, with its own
   * resource and destination) for the server's audit log.
   *
   * @param hop the chain the exchange named it belongs to (unverified: the server verifies it), or
   *     null
   */
  public void recordEvent(
      Callers.@Nullable Caller caller,
      @Nullable PeerCredentials peerIfUnidentified,
      @Nullable String resource,
      @Nullable EdgeCredential cred,
      @Nullable String destination,
      ProxiedConnection.Outcome outcome,
      @Nullable String reason,
      ProxiedConnection.@Nullable Hop hop) {
    java.util.Map<String, String> who = who(caller, peerIfUnidentified);
    try {
      audit.record(
          new ProxiedConnection(
              java.util.UUID.randomUUID().toString(),
              clock.instant(),
              outcome,
              spec.protocol().name().toLowerCase(java.util.Locale.ROOT),
              spec.where(),
              resource,
              caller == null ? null : caller.svid().id().toString(),
              cred == null ? null : cred.leaseId(),
              destination,
              reason == null || reason.length() <= 1000
                  ? reason
                  : reason.substring(0, 1000) + "...",
              who,
              hop));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record a connection event: " + e.getMessage());
    }
  }

  /**
   * Who was on the other end, for a connection's audit event: the process (pid, uid) and, once
   * attested, its executable (path, sha256).
   *
   * @param peerIfUnidentified the process, when it was not attested (no {@code caller}); or null
   */
  public static java.util.Map<String, String> who(
      Callers.@Nullable Caller caller, @Nullable PeerCredentials peerIfUnidentified) {
    PeerCredentials peer = caller != null ? caller.peer() : peerIfUnidentified;
    java.util.Map<String, String> who = new java.util.LinkedHashMap<>();
    if (peer != null) {
      who.put("pid", Integer.toString(peer.pid()));
      who.put("uid", Integer.toString(peer.uid()));
    }
    if (caller != null) {
      caller.selectors().stream()
          .filter(
              x -> x.type().equals("unix") && (x.key().equals("path") || x.key().equals("sha256")))
          .forEach(x -> who.put(x.key(), x.value()));
    }
    return who;
  }

  /**
   * Attests the process on the other end of {@code ch} (blocking: call it off the event loop).
   *
   * @throws EdgeException (UNIDENTIFIED) with the reason when no registration matches it
   */
  public Callers.Caller identify(Channel ch, java.util.function.Consumer<PeerCredentials> peerSeen)
      throws EdgeException {
    PeerCredentials peer = peer(ch);
    peerSeen.accept(peer);
    return callers.identify(peer);
  }

  /** The audit outcome of a refusal for this cause. */
  public static ProxiedConnection.Outcome outcome(EdgeException.Kind kind) {
    return switch (kind) {
      case UNIDENTIFIED -> ProxiedConnection.Outcome.UNIDENTIFIED;
      case DENIED -> ProxiedConnection.Outcome.DENIED;
      case UNAVAILABLE, FAILED -> ProxiedConnection.Outcome.UNAVAILABLE;
    };
  }

  /**
   * Attests the process on the other end of {@code ch} and takes its credential, off the event
   * loop; continues on the channel's event loop with the credential, or with the reason it was
   * refused. {@code stillWanted} is checked there first: a connection closed meanwhile gets
   * neither.
   */
  public void identifyThen(
      Channel ch,
      BooleanSupplier stillWanted,
      Consumer<EdgeCredential> then,
      Consumer<EdgeException> refused) {
    executor.execute(
        () -> {
          EdgeCredential cred = null;
          EdgeException failure;
          try {
            PeerCredentials peer = peer(ch);
            ch.attr(PEER).set(peer);
            Callers.Caller caller = callers.identify(peer);
            ch.attr(CALLER).set(caller);
            cred = credentials.get(caller.svid(), spec.resource());
            ch.attr(CREDENTIAL).set(cred);
            if (cred.engine() != null && !cred.engine().equals(engine)) {
              throw new EdgeException(
                  EdgeException.Kind.FAILED,
                  "resource "
                      + spec.resource()
                      + " is a "
                      + cred.engine()
                      + " resource: this "
                      + spec.protocol().name().toLowerCase(java.util.Locale.ROOT)
                      + " proxy cannot log in to it (give the proxy a "
                      + engine
                      + " resource)");
            }
            EdgeCredential c = cred;
            LOG.log(
                System.Logger.Level.DEBUG,
                () ->
                    spec.protocol()
                        + " proxy "
                        + spec.where()
                        + ": pid "
                        + peer.pid()
                        + " as "
                        + caller.svid().id()
                        + " -> "
                        + c.host()
                        + ":"
                        + c.port()
                        + " as "
                        + c.username());
            failure = null;
          } catch (EdgeException e) {
            failure = e;
          } catch (RuntimeException e) {
            LOG.log(
                System.Logger.Level.WARNING,
                spec.protocol() + " proxy: identifying a caller failed",
                e);
            failure = new EdgeException(EdgeException.Kind.FAILED, "the Warden agent failed: " + e);
          }
          EdgeCredential got = cred;
          EdgeException why = failure;
          ch.eventLoop()
              .execute(
                  () -> {
                    if (!stillWanted.getAsBoolean()) {
                      return;
                    }
                    if (why != null) {
                      record(ch, outcome(why.kind()), why.getMessage());
                      refused.accept(why);
                    } else {
                      then.accept(got);
                    }
                  });
        });
  }

  /** The kernel's word for a Unix socket peer; the owner of the client's port for loopback TCP. */
  PeerCredentials peer(Channel ch) throws EdgeException {
    return peer(ch, loopbackPeers);
  }

  /**
   * The process on the other end of {@code ch}: the kernel's word for a Unix socket peer; the owner
   * of the client's port, by {@code loopbackPeers}, for loopback TCP.
   *
   * @throws EdgeException (UNIDENTIFIED) when the kernel gives no credentials
   */
  public static PeerCredentials peer(Channel ch, LoopbackPeers loopbackPeers) throws EdgeException {
    if (ch instanceof EpollDomainSocketChannel d) {
      try {
        var c = d.peerCredentials();
        int[] gids = c.gids();
        return new PeerCredentials(c.pid(), c.uid(), gids.length > 0 ? gids[0] : -1);
      } catch (IOException e) {
        throw new EdgeException(
            EdgeException.Kind.UNIDENTIFIED,
            "the kernel gave no credentials for the caller: " + e.getMessage());
      }
    }
    return loopbackPeers.owner(
        (InetSocketAddress) ch.remoteAddress(), (InetSocketAddress) ch.localAddress());
  }
}
