package dev.warden.agent.edge.mysql;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The agent's connection to the target: its greeting read and handed to the client side (whose own
 * greeting to the client mirrors it), then, once the client has answered, TLS if the proxy says so
 * (SSLRequest, then the handshake, verified as {@code upstream-tls} says), the HandshakeResponse as
 * the issued user, and the authentication exchange ({@link MysqlUpstreamLogin}). The target's OK
 * ends it: the client side forwards it and splices.
 */
final class MysqlUpstream extends ChannelInboundHandlerAdapter {
  interface Listener {
    void greeted(Handshake.Greeting greeting);

    /** The target's OK packet payload. */
    void authenticated(byte[] ok);

    /** The target refused the issued user (its ERR). */
    void refused(int code, String message);

    /** Anything else: the client gets an ERR with this. */
    void failed(MysqlException e);
  }

  private enum State {
    GREETING,
    WAIT_CLIENT,
    TLS,
    AUTH,
    DONE
  }

  private final ProxySpec spec;
  private final @Nullable SSLContext tls;
  private final EdgeCredential credential;
  private final Listener listener;
  private final ByteBuf buf = Unpooled.buffer(0);
  private State state = State.GREETING;

  /** The target's greeting; null until it came (state GREETING). */
  private Handshake.@Nullable Greeting greeting;

  /** The login's exchange; null until the client answered (state AUTH on). */
  private @Nullable MysqlUpstreamLogin login;

  private int seq;

  MysqlUpstream(
      ProxySpec spec, @Nullable SSLContext tls, EdgeCredential credential, Listener listener) {
    this.spec = spec;
    this.tls = tls;
    this.credential = credential;
    this.listener = listener;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (state == State.DONE) {
        return;
      }
      buf.writeBytes(in);
      Wire.Packet p;
      while (state != State.DONE && (p = Wire.next(buf)) != null) {
        on(ctx, p);
      }
    } catch (MysqlException e) {
      fail(ctx, e);
    } finally {
      in.release();
    }
  }

  private void on(ChannelHandlerContext ctx, Wire.Packet p) {
    switch (state) {
      case GREETING -> {
        if (p.payload().length > 0 && (p.payload()[0] & 0xff) == 0xff) {
          MysqlUpstreamLogin.Step.Refused r = MysqlUpstreamLogin.error(p.payload());
          throw new MysqlException(
              r.code(),
              "08004",
              "the target at " + where() + " refused the connection: " + r.message());
        }
        greeting = Handshake.parseGreeting(p.payload());
        state = State.WAIT_CLIENT;
        listener.greeted(greeting);
      }
      case AUTH -> {
        seq = p.seq() + 1;
        // login() sets login as it moves on to AUTH
        switch (Objects.requireNonNull(login, "AUTH follows login()").on(p.payload())) {
          case MysqlUpstreamLogin.Step.Send s ->
              ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.packet(seq++, s.payload())));
          case MysqlUpstreamLogin.Step.Ok ok -> {
            if (buf.isReadable()) {
              throw MysqlException.protocol(
                  "the target sent data after its OK, before any command");
            }
            state = State.DONE;
            listener.authenticated(ok.payload());
          }
          case MysqlUpstreamLogin.Step.Refused r -> {
            state = State.DONE;
            listener.refused(r.code(), r.message());
            ctx.close();
          }
          case MysqlUpstreamLogin.Step.Wait w -> {
            // the OK follows
          }
        }
      }
      default ->
          throw MysqlException.protocol("the target at " + where() + " sent a packet out of turn");
    }
  }

  /**
   * The client answered: log in as the issued user, with the flags and database the client side
   * decided.
   */
  void login(ChannelHandlerContext ctx, Handshake.Response client) {
    Handshake.Greeting greeting = this.greeting;
    if (state != State.WAIT_CLIENT || greeting == null) {
      return;
    }
    try {
      MysqlUpstreamLogin login =
          new MysqlUpstreamLogin(
              credential.password().reveal(),
              greeting.plugin(),
              greeting.nonce(),
              tls != null,
              spec.allowWeakAuth());
      this.login = login;
      byte[] auth = login.first();
      Handshake.Response r =
          Handshake.toUpstream(
              client,
              greeting,
              tls != null,
              credential.username().getBytes(StandardCharsets.UTF_8),
              auth,
              login.plugin(),
              credential.database());
      SSLContext tls = this.tls;
      if (tls == null) {
        state = State.AUTH;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.packet(1, Handshake.response(r))));
        return;
      }
      if ((greeting.capabilities() & Handshake.SSL) == 0) {
        throw new MysqlException(
            MysqlException.UNREACHABLE,
            "08001",
            "the target at "
                + where()
                + " does not accept "
                + "TLS, and this proxy requires it (upstream-tls="
                + EdgeNet.tlsMode(spec)
                + "): enable TLS on the "
                + "server, or set upstream-tls=disable for a trusted network");
      }
      state = State.TLS;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.packet(1, Handshake.sslRequest(r))));
      SslHandler ssl = EdgeNet.upstreamTls(tls, spec, credential.host(), credential.port());
      ctx.pipeline().addFirst(ssl);
      ssl.handshakeFuture()
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  fail(
                      ctx,
                      new MysqlException(
                          MysqlException.UNREACHABLE,
                          "08001",
                          "TLS to the target at "
                              + where()
                              + " failed (upstream-tls="
                              + EdgeNet.tlsMode(spec)
                              + "): "
                              + EdgeNet.rootMessage(f.cause())));
                  return;
                }
                state = State.AUTH;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.packet(2, Handshake.response(r))));
              });
    } catch (MysqlException e) {
      fail(ctx, e);
    }
  }

  private void fail(ChannelHandlerContext ctx, MysqlException e) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    listener.failed(e);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(
        ctx,
        new MysqlException(
            MysqlException.UNREACHABLE,
            "08S01",
            "the target at " + where() + " closed the connection during the login"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(
        ctx,
        new MysqlException(
            MysqlException.UNREACHABLE,
            "08S01",
            "connection to the target at " + where() + " failed: " + EdgeNet.rootMessage(cause)));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    buf.release();
  }

  private String where() {
    return credential.host() + ":" + credential.port();
  }
}
