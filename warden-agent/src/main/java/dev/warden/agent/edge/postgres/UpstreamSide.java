package dev.warden.agent.edge.postgres;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * The agent's connection to the database: TLS first (SSLRequest, then the handshake, verified as
 * the proxy's {@code upstream-tls} says), then the startup message with the issued user, then the
 * authentication exchange answered by {@link UpstreamAuth}. When the database says
 * AuthenticationOk, {@link Listener#authenticated} gets that message and whatever followed it, and
 * the caller splices the two connections. A CancelRequest goes the same way up to TLS, then only
 * the cancel packet is sent.
 */
final class UpstreamSide extends ChannelInboundHandlerAdapter {
  /** What the client side learns from the database. */
  interface Listener {
    /**
     * Authenticated: {@code firstBytes} (AuthenticationOk and what followed) go to the client as
     * is.
     */
    void authenticated(ByteBuf firstBytes);

    /** The database refused the login: its own ErrorResponse, to hand to the client. */
    void refused(byte[] errorResponse, String why);

    /**
     * Anything else went wrong (TLS, protocol, network): the client gets a FATAL error with this.
     */
    void failed(String sqlState, String message);
  }

  private enum State {
    SSL_ANSWER,
    HANDSHAKE,
    AUTH,
    DONE
  }

  private final ProxySpec spec;
  private final @Nullable SslContext tls;
  private final EdgeCredential credential;
  private final Map<String, String> clientParameters;
  private final byte @Nullable [] cancel;
  private final Listener listener;
  private final SecureRandom random;
  private ByteBuf buf = Unpooled.EMPTY_BUFFER;
  private State state = State.SSL_ANSWER;

  /** The login's messages; null until the start-up is sent. */
  private @Nullable UpstreamAuth auth;

  /**
   * @param clientParameters the client's startup parameters, user and database excluded
   * @param cancel a CancelRequest packet to deliver instead of logging in, or null
   */
  UpstreamSide(
      ProxySpec spec,
      @Nullable SslContext tls,
      EdgeCredential credential,
      Map<String, String> clientParameters,
      byte @Nullable [] cancel,
      Listener listener,
      SecureRandom random) {
    this.spec = spec;
    this.tls = tls;
    this.credential = credential;
    this.clientParameters = clientParameters;
    this.cancel = cancel;
    this.listener = listener;
    this.random = random;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (tls == null) { // upstream-tls=disable: the proxy made no context
      begin(ctx, null);
    } else {
      state = State.SSL_ANSWER;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(PgMessages.sslRequest()));
    }
    ctx.fireChannelActive();
  }

  private void begin(ChannelHandlerContext ctx, @Nullable X509Certificate serverCertificate) {
    if (cancel != null) {
      state = State.DONE;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(cancel)).addListener(f -> ctx.close());
      return;
    }
    state = State.AUTH;
    auth =
        new UpstreamAuth(
            credential.username(),
            credential.password().reveal(),
            serverCertificate,
            spec.allowWeakAuth(),
            random);
    Map<String, String> p = new java.util.LinkedHashMap<>();
    p.put("user", credential.username());
    String database = credential.database();
    if (database != null) {
      p.put("database", database); // else the database's default: the user's name
    }
    p.putAll(clientParameters);
    ctx.writeAndFlush(Unpooled.wrappedBuffer(PgMessages.startup(p)));
  }

  /**
   * Adds what arrived to what is buffered; a fully read buffer is released, not dropped (it would
   * leak).
   */
  private void append(ByteBuf in) {
    if (buf.isReadable()) {
      buf = Unpooled.wrappedBuffer(buf, in.retain());
    } else {
      release();
      buf = in.retain();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      switch (state) {
        case SSL_ANSWER -> sslAnswer(ctx, in);
        case AUTH -> {
          append(in);
          authenticate(ctx);
        }
        default -> {
          // HANDSHAKE: SslHandler consumes the bytes; DONE: nothing more is expected
        }
      }
    } catch (PgProtocolException e) {
      fail(ctx, e.sqlState(), e.getMessage());
    } finally {
      in.release();
    }
  }

  private void sslAnswer(ChannelHandlerContext ctx, ByteBuf in) {
    byte answer = in.readByte();
    if (in.isReadable()) {
      // bytes after 'S' before the handshake were injected by someone on the path (CVE-2021-23222)
      throw new PgProtocolException(
          "08P01", "the database sent unencrypted data after agreeing to TLS");
    }
    switch (answer) {
      case 'S' -> {
        state = State.HANDSHAKE;
        // the host name is checked (verify-full) or not (verify-ca) as the context was built
        // channelActive asks for TLS only when the proxy has a context for it
        SslContext context = Objects.requireNonNull(tls, "TLS was asked for with a context");
        SslHandler ssl = context.newHandler(ctx.alloc(), credential.host(), credential.port());
        SSLEngine engine = ssl.engine();
        ctx.pipeline().addFirst(ssl);
        ssl.handshakeFuture()
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    fail(
                        ctx,
                        "08006",
                        "TLS to the database at "
                            + where()
                            + " failed (upstream-tls="
                            + spec.upstreamTls()
                                .name()
                                .toLowerCase(java.util.Locale.ROOT)
                                .replace('_', '-')
                            + "): "
                            + dev.warden.agent.edge.EdgeNet.rootMessage(f.cause()));
                    return;
                  }
                  X509Certificate cert =
                      (X509Certificate) engine.getSession().getPeerCertificates()[0];
                  begin(ctx, cert);
                });
      }
      case 'N' ->
          throw new PgProtocolException(
              "08006",
              "the database at "
                  + where()
                  + " does not accept TLS, "
                  + "and this proxy requires it (upstream-tls="
                  + spec.upstreamTls().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                  + "): enable ssl on the database, or set upstream-tls=disable for a trusted network");
      default ->
          throw new PgProtocolException(
              "08P01",
              "the database answered the TLS request with '" + (char) (answer & 0xff) + "'");
    }
  }

  private void authenticate(ChannelHandlerContext ctx) {
    while (state == State.AUTH) {
      int len = PgMessages.typedLength(buf.nioBuffer(), PgMessages.MAX_AUTH_MESSAGE);
      if (len < 0 || buf.readableBytes() < len) {
        return;
      }
      byte[] whole = new byte[len];
      buf.getBytes(buf.readerIndex(), whole);
      PgMessages.Backend m = PgMessages.backend(whole);
      switch (m.type()) {
        case PgMessages.ERROR -> {
          state = State.DONE;
          listener.refused(whole, PgMessages.errorMessage(m.body()));
          ctx.close();
          return;
        }
        case PgMessages.NOTICE, PgMessages.NEGOTIATE_PROTOCOL_VERSION -> buf.skipBytes(len);
        default -> {
          // begin() sets auth as it enters AUTH, the only state this loop runs in
          UpstreamAuth.Step step =
              Objects.requireNonNull(auth, "the login started with its start-up").on(m);
          if (step instanceof UpstreamAuth.Step.Done) {
            state = State.DONE;
            ByteBuf rest = buf; // AuthenticationOk itself, and what followed it
            buf = Unpooled.EMPTY_BUFFER;
            listener.authenticated(rest);
            return;
          }
          buf.skipBytes(len);
          if (step instanceof UpstreamAuth.Step.Send s) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(s.bytes()));
          }
        }
      }
    }
  }

  private void fail(ChannelHandlerContext ctx, String sqlState, String message) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    listener.failed(sqlState, message);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(
        ctx,
        "08006",
        "the database at " + where() + " closed the connection during authentication");
    release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(
        ctx,
        "08006",
        "connection to the database at "
            + where()
            + " failed: "
            + dev.warden.agent.edge.EdgeNet.rootMessage(cause));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    if (buf.refCnt() > 0 && buf != Unpooled.EMPTY_BUFFER) {
      buf.release();
    }
    buf = Unpooled.EMPTY_BUFFER;
  }

  private String where() {
    return credential.host() + ":" + credential.port();
  }
}
