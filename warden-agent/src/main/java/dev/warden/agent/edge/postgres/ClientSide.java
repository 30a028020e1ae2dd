package dev.warden.agent.edge.postgres;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.workloadapi.PeerCredentials;
import dev.warden.core.agent.ProxiedConnection;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One application connection, from its first byte until it is spliced to the database: the startup
 * packet (TLS and GSS requests declined — the application is on this host), then, off the event
 * loop, the caller attested and its credential taken from the cache, then {@link UpstreamSide} logs
 * in. Only when the database said AuthenticationOk does the application see it; any byte the
 * application sends before that is refused, so nothing it says can reach the database
 * unauthenticated or ride on the agent's login.
 *
 * <p>Why it is over 400 lines: it is one connection's state machine from the first byte to the
 * splice; every step reads and moves the same state, so splitting it would share that state across
 * classes.
 */
final class ClientSide extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(ClientSide.class.getName());

  /**
   * Start-up, attestation, credential and the database's login together must finish within this.
   */
  static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

  private enum State {
    STARTUP,
    CONNECTING,
    RELAY,
    CLOSED
  }

  private final PostgresProxy proxy;
  private ByteBuf buf = Unpooled.EMPTY_BUFFER;
  private State state = State.STARTUP;
  // what is known of the connection so far, for its audit event
  private @Nullable PeerCredentials peer;
  private Callers.@Nullable Caller caller;
  private @Nullable EdgeCredential credential;
  private boolean cancel;
  private boolean secured;

  ClientSide(PostgresProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor()
        .schedule(
            () -> {
              if (state == State.STARTUP || state == State.CONNECTING) {
                refuse(
                    ctx,
                    "08006",
                    "the connection did not complete its start-up within "
                        + HANDSHAKE_TIMEOUT_SECONDS
                        + " s");
              }
            },
            HANDSHAKE_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  /**
   * Adds what arrived to what is buffered; a fully read buffer is released, not dropped (it would
   * leak).
   */
  private void append(ByteBuf in) {
    if (buf.isReadable()) {
      buf = Unpooled.wrappedBuffer(buf, in.retain());
    } else {
      releaseBuf();
      buf = in.retain();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (state == State.STARTUP) {
        append(in);
        startup(ctx);
      } else if (state == State.CONNECTING && in.isReadable()) {
        refuse(ctx, "08P01", "the client sent data before authentication completed");
      }
    } catch (PgProtocolException e) {
      refuse(ctx, e.sqlState(), e.getMessage());
    } finally {
      in.release();
    }
  }

  private void startup(ChannelHandlerContext ctx) {
    if (!secured && buf.isReadable() && buf.getByte(buf.readerIndex()) == TLS_HANDSHAKE) {
      directTls(ctx);
      return;
    }
    while (state == State.STARTUP) {
      int len = Startup.length(buf.nioBuffer());
      if (len < 0 || buf.readableBytes() < len) {
        return;
      }
      byte[] packet = new byte[len];
      buf.readBytes(packet);
      switch (Startup.parse(packet)) {
        case Startup.SslRequest r -> {
          requireNothingMore();
          SslContext tls = proxy.clientTls();
          if (tls != null && !secured) {
            // startTls: the 'S' itself goes out in the clear, everything after it encrypted
            ctx.pipeline().addFirst("tls", new SslHandler(tls.newEngine(ctx.alloc()), true));
            secured = true;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
          } else {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
          }
        }
        case Startup.GssEncRequest r -> {
          requireNothingMore();
          ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        }
        case Startup.CancelRequest c -> {
          state = State.CONNECTING;
          cancel = true;
          identifyThen(
              ctx,
              cred ->
                  upstream(
                          proxy.connect(
                              ctx.channel().eventLoop(),
                              cred,
                              Map.of(),
                              PgMessages.cancelRequest(c.pid(), c.key()),
                              new UpstreamSide.Listener() {
                                @Override
                                public void authenticated(ByteBuf firstBytes) {
                                  firstBytes.release();
                                }

                                @Override
                                public void refused(byte[] errorResponse, String why) {
                                  ctx.close();
                                }

                                @Override
                                public void failed(String sqlState, String message) {
                                  ctx.close();
                                }
                              }))
                      .addListener((ChannelFutureListener) f -> ctx.close()));
        }
        case Startup.Message m -> {
          requireNothingMore();
          if (!secured && proxy.spec().clientTls() == ProxySpec.ClientTlsMode.REQUIRE) {
            throw new PgProtocolException(
                "28000",
                "this proxy accepts TLS connections only: connect with "
                    + "sslmode=verify-full (trusting Warden's bundle) or at least sslmode=require");
          }
          state = State.CONNECTING;
          login(ctx, m);
        }
      }
    }
  }

  /**
   * The first byte of a TLS ClientHello: a client using PostgreSQL 17's direct TLS
   * (sslnegotiation=direct).
   */
  private static final byte TLS_HANDSHAKE = 0x16;

  /**
   * Direct TLS: the connection starts with a ClientHello instead of SSLRequest. TLS is set up and
   * what arrived is handed to it; the client must have negotiated ALPN "postgresql" (as the server
   * requires, so that a TLS connection meant for another protocol is never taken for this one).
   */
  private void directTls(ChannelHandlerContext ctx) {
    SslContext tls = proxy.clientTls();
    if (tls == null) {
      throw new PgProtocolException(
          "08P01",
          "this proxy does not accept TLS (client-tls=off): connect without "
              + "sslnegotiation=direct");
    }
    SslHandler h = new SslHandler(tls.newEngine(ctx.alloc()));
    ctx.pipeline().addFirst("tls", h);
    secured = true;
    h.handshakeFuture()
        .addListener(
            f -> {
              if (f.isSuccess() && !PostgresProxy.ALPN.equals(h.applicationProtocol())) {
                refuse(
                    ctx,
                    "08P01",
                    "direct TLS without ALPN \"postgresql\": the client must negotiate it");
              }
            });
    ByteBuf hello = buf;
    buf = Unpooled.EMPTY_BUFFER;
    ctx.pipeline()
        .fireChannelRead(
            hello); // from the head: through the new SslHandler, then back here decrypted
  }

  /**
   * Bytes after an SSLRequest or the startup message, before the answer: not a client that follows
   * the protocol.
   */
  private void requireNothingMore() {
    if (buf.isReadable()) {
      throw new PgProtocolException(
          "08P01", "the client sent data before the server answered its start-up");
    }
  }

  private void login(ChannelHandlerContext ctx, Startup.Message m) {
    Map<String, String> passOn = new LinkedHashMap<>();
    List<String> unsupported = new ArrayList<>();
    m.parameters()
        .forEach(
            (k, v) -> {
              if (k.startsWith("_pq_.")) {
                unsupported.add(k);
              } else if (!k.equals("user") && !k.equals("database")) {
                // user and database are the resource's: the application's configuration holds
                // neither
                passOn.put(k, v);
              }
            });
    if (passOn.containsKey("replication")) {
      throw new PgProtocolException("28000", "replication connections are not proxied");
    }
    byte[] negotiate =
        m.minor() > 0 || !unsupported.isEmpty()
            ? PgMessages.negotiateProtocolVersion(unsupported)
            : null;
    identifyThen(
        ctx,
        cred ->
            upstream(
                    proxy.connect(
                        ctx.channel().eventLoop(),
                        cred,
                        passOn,
                        null,
                        new UpstreamSide.Listener() {
                          @Override
                          public void authenticated(ByteBuf firstBytes) {
                            splice(ctx, firstBytes, negotiate, cred);
                          }

                          @Override
                          public void refused(byte[] errorResponse, String why) {
                            LOG.log(
                                System.Logger.Level.WARNING,
                                "postgres proxy "
                                    + proxy.spec().where()
                                    + ": the database refused "
                                    + cred.username()
                                    + ": "
                                    + why);
                            // a user the database no longer takes (revoked, dropped, expired
                            // there): the next
                            // connection fetches a new one instead of failing until the cached one
                            // is due
                            proxy.credentials().discard(cred);
                            closeWith(
                                ctx,
                                errorResponse,
                                ProxiedConnection.Outcome.UNAVAILABLE,
                                "the database refused the login: " + why);
                          }

                          @Override
                          public void failed(String sqlState, String message) {
                            refuse(ctx, sqlState, message);
                          }
                        }))
                .addListener(
                    dev.warden.agent.edge.EdgeNet.ifConnectFails(
                        cred,
                        why -> refuse(ctx, "08001", "cannot connect to the database at " + why))));
  }

  /** The database connection; null until the caller's credential arrived. */
  private @Nullable Channel upstream;

  /** Remembers the database connection at once, so that closing either side closes both. */
  private ChannelFuture upstream(ChannelFuture f) {
    upstream = f.channel();
    return f;
  }

  private interface Then {
    void run(EdgeCredential credential);
  }

  /**
   * Attests the caller and takes its credential on a virtual thread; continues on the event loop.
   */
  private void identifyThen(ChannelHandlerContext ctx, Then then) {
    Channel ch = ctx.channel();
    proxy
        .executor()
        .execute(
            () -> {
              try {
                PeerCredentials p = peerOf(ch);
                Callers.Caller who = proxy.callers().identify(p);
                EdgeCredential cred = proxy.credentials().get(who.svid(), proxy.spec().resource());
                if (cred.engine() != null && !cred.engine().equals("postgres")) {
                  // a brokered secret or a token (the HTTP proxy's credentials) has no user to log
                  // in with
                  throw new EdgeException(
                      EdgeException.Kind.FAILED,
                      "resource "
                          + proxy.spec().resource()
                          + " answers a "
                          + cred.engine()
                          + ", not a postgres user: the postgres proxy cannot log in with it");
                }
                LOG.log(
                    System.Logger.Level.DEBUG,
                    () ->
                        "postgres proxy "
                            + proxy.spec().where()
                            + ": pid "
                            + p.pid()
                            + " as "
                            + who.svid().id()
                            + " -> "
                            + cred.host()
                            + ":"
                            + cred.port()
                            + " as "
                            + cred.username());
                ch.eventLoop()
                    .execute(
                        () -> {
                          peer = p;
                          caller = who;
                          credential = cred;
                          if (state == State.CONNECTING && ch.isActive()) {
                            then.run(cred);
                          }
                        });
              } catch (EdgeException e) {
                ch.eventLoop()
                    .execute(
                        () -> refuse(ctx, sqlState(e.kind()), e.getMessage(), outcome(e.kind())));
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.WARNING, "postgres proxy: identifying a caller failed", e);
                ch.eventLoop().execute(() -> refuse(ctx, "XX000", "the Warden agent failed: " + e));
              }
            });
  }

  private PeerCredentials peerOf(Channel ch) throws EdgeException {
    return dev.warden.agent.edge.EdgeContext.peer(ch, proxy.loopbackPeers());
  }

  static ProxiedConnection.Outcome outcome(EdgeException.Kind kind) {
    return switch (kind) {
      case UNIDENTIFIED -> ProxiedConnection.Outcome.UNIDENTIFIED;
      case DENIED -> ProxiedConnection.Outcome.DENIED;
      case UNAVAILABLE, FAILED -> ProxiedConnection.Outcome.UNAVAILABLE;
    };
  }

  private void splice(
      ChannelHandlerContext ctx,
      ByteBuf firstBytes,
      byte @Nullable [] negotiate,
      EdgeCredential cred) {
    Channel client = ctx.channel();
    if (state != State.CONNECTING || !client.isActive() || upstream == null) {
      firstBytes.release();
      ctx.close();
      if (upstream != null) {
        upstream.close();
      }
      return;
    }
    state = State.RELAY;
    releaseBuf();
    upstream
        .pipeline()
        .replace(UpstreamSide.class, "relay", new dev.warden.agent.edge.Pipe(client));
    ctx.pipeline().replace(this, "relay", new dev.warden.agent.edge.Pipe(upstream));
    if (negotiate != null) {
      client.write(Unpooled.wrappedBuffer(negotiate));
    }
    client.writeAndFlush(firstBytes);
    proxy.audit(ProxiedConnection.Outcome.PROXIED, caller, peer, cred, null);
    proxy.live().add(cred.leaseId(), client);
  }

  private void refuse(ChannelHandlerContext ctx, String sqlState, String message) {
    refuse(
        ctx,
        sqlState,
        message,
        sqlState.startsWith("08P") || sqlState.startsWith("0A")
            ? ProxiedConnection.Outcome.PROTOCOL_ERROR
            : ProxiedConnection.Outcome.UNAVAILABLE);
  }

  private void refuse(
      ChannelHandlerContext ctx,
      String sqlState,
      String message,
      ProxiedConnection.Outcome outcome) {
    closeWith(ctx, PgMessages.fatal(sqlState, message), outcome, message);
  }

  private void closeWith(
      ChannelHandlerContext ctx,
      byte[] errorResponse,
      ProxiedConnection.Outcome outcome,
      String reason) {
    if (state == State.CLOSED || state == State.RELAY) {
      return;
    }
    if (!cancel) {
      proxy.audit(outcome, caller, peer, credential, reason);
    }
    state = State.CLOSED;
    releaseBuf();
    if (upstream != null) {
      upstream.close();
    }
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(errorResponse))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  static String sqlState(EdgeException.Kind kind) {
    return switch (kind) {
      case UNIDENTIFIED, DENIED -> "28000"; // invalid_authorization_specification
      case UNAVAILABLE -> "08001"; // sqlclient_unable_to_establish_sqlconnection
      case FAILED -> "XX000";
    };
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state != State.RELAY) {
      state = State.CLOSED;
      if (upstream != null) {
        upstream.close();
      }
    }
    releaseBuf();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseBuf();
  }

  private void releaseBuf() {
    if (buf != Unpooled.EMPTY_BUFFER && buf.refCnt() > 0) {
      buf.release();
    }
    buf = Unpooled.EMPTY_BUFFER;
  }
}
