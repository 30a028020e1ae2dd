package dev.warden.agent.edge.mysql;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.Pipe;
import dev.warden.core.agent.ProxiedConnection;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One application connection to the MySQL proxy. The server speaks first in this protocol, so the
 * caller is attested and its credential taken as soon as it connects; the agent connects to the
 * target and reads its greeting, and only then greets the client — with the target's version,
 * connection id and capability flags (less what the proxy does not pass on) and a nonce of its own.
 * The client's answer names the flags it wants and maybe a database; its user and password are
 * ignored (it has none that matter). The agent logs in with the flags both sides share, and when
 * the target says OK the client gets that OK and the two are spliced. Before that, a refusal is an
 * ERR packet the client prints; nothing the client sends reaches the target.
 */
final class MysqlClientSide extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(MysqlClientSide.class.getName());
  static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

  private enum State {
    IDENTIFY,
    GREET,
    RESPONSE,
    LOGIN,
    REFUSING,
    RELAY,
    CLOSED
  }

  private final MysqlProxy proxy;
  private final ByteBuf buf = Unpooled.buffer(0);
  private State state = State.IDENTIFY;

  /** The connection to the target and its login handler; null until the credential arrived. */
  private @Nullable Channel upstream;

  private @Nullable MysqlUpstream login;

  /** The sequence id of the next packet to the client. */
  private int seq;

  /** A refusal waiting for the client's response to the greeting sent only to carry it. */
  private @Nullable MysqlException pending;

  MysqlClientSide(MysqlProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor()
        .schedule(
            () -> {
              MysqlException late =
                  new MysqlException(
                      MysqlException.HANDSHAKE,
                      "08S01",
                      "Warden: the handshake did not "
                          + "complete within "
                          + HANDSHAKE_TIMEOUT_SECONDS
                          + " s");
              if (state == State.IDENTIFY || state == State.GREET) {
                refuse(ctx, late);
              } else if (state != State.RELAY && state != State.CLOSED) {
                closeWith(ctx, late);
              }
            },
            HANDSHAKE_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    Channel ch = ctx.channel();
    proxy
        .context()
        .identifyThen(
            ch,
            () -> state == State.IDENTIFY && ch.isActive(),
            cred -> connect(ctx, cred),
            e -> refuse(ctx, refusal(e)));
    ctx.fireChannelActive();
  }

  static MysqlException refusal(EdgeException e) {
    return switch (e.kind()) {
      case UNIDENTIFIED, DENIED ->
          new MysqlException(MysqlException.ACCESS_DENIED, "28000", "Warden: " + e.getMessage());
      case UNAVAILABLE ->
          new MysqlException(MysqlException.UNREACHABLE, "08001", "Warden: " + e.getMessage());
      case FAILED -> new MysqlException(1105, "HY000", "Warden: " + e.getMessage());
    };
  }

  private void connect(ChannelHandlerContext ctx, EdgeCredential cred) {
    state = State.GREET;
    login =
        new MysqlUpstream(
            proxy.spec(),
            proxy.upstreamTls(),
            cred,
            new MysqlUpstream.Listener() {
              @Override
              public void greeted(Handshake.Greeting greeting) {
                greet(ctx, greeting);
              }

              @Override
              public void authenticated(byte[] ok) {
                splice(ctx, ok, cred);
              }

              @Override
              public void refused(int code, String message) {
                // revoked or removed: the next connection must not be handed the same credential
                proxy.context().credentials().discard(cred);
                LOG.log(
                    System.Logger.Level.WARNING,
                    "mysql proxy "
                        + proxy.spec().where()
                        + ": the target refused "
                        + cred.username()
                        + ": "
                        + message);
                refuse(
                    ctx,
                    new MysqlException(
                        code,
                        "28000",
                        "Warden: the target refused the user Warden issued ("
                            + cred.username()
                            + "): "
                            + message));
              }

              @Override
              public void failed(MysqlException e) {
                refuse(
                    ctx, new MysqlException(e.code(), e.sqlState(), "Warden: " + e.getMessage()));
              }
            });
    upstream =
        proxy
            .connect(ctx.channel().eventLoop(), cred, login)
            .addListener(
                EdgeNet.ifConnectFails(
                    cred,
                    why ->
                        refuse(
                            ctx,
                            new MysqlException(
                                MysqlException.UNREACHABLE,
                                "08001",
                                "Warden: cannot connect to the target at " + why))))
            .channel();
  }

  private void greet(ChannelHandlerContext ctx, Handshake.Greeting upstreamGreeting) {
    if (state != State.GREET) {
      return;
    }
    state = State.RESPONSE;
    ctx.writeAndFlush(
        Unpooled.wrappedBuffer(
            Wire.packet(
                0, Handshake.greeting(Handshake.toClient(upstreamGreeting, proxy.nonce())))));
    seq = 2; // the client answers with 1; a refusal of a packet that never parsed still comes next
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (state == State.CLOSED || state == State.RELAY) {
        return;
      }
      buf.writeBytes(in);
      MysqlException refusal = pending;
      if (state == State.REFUSING && refusal != null) { // refuse() sets both
        answerWith(ctx, refusal);
        return;
      }
      if (state != State.RESPONSE) {
        // out of turn: not a client waiting for a greeting, so the ERR goes at once
        closeWith(
            ctx,
            MysqlException.protocol(
                "Warden: the client sent data out of turn (before the server's "
                    + "greeting, or before its login completed)"));
        return;
      }
      Wire.Packet p = Wire.next(buf);
      if (p == null) {
        return;
      }
      if (buf.isReadable()) {
        throw MysqlException.protocol("Warden: the client sent data before its login completed");
      }
      seq = p.seq() + 1;
      Handshake.Response r = Handshake.parseResponse(p.payload());
      if (r.sslRequest()) {
        throw new MysqlException(
            MysqlException.HANDSHAKE,
            "08S01",
            "Warden: TLS to the agent's proxy is not "
                + "supported (the server did not offer it): connect without TLS on its Unix socket or loopback port");
      }
      if ((r.capabilities() & Handshake.REQUIRED) != Handshake.REQUIRED) {
        throw MysqlException.protocol(
            "Warden: the client does not use the 4.1 protocol with pluggable authentication");
      }
      state = State.LOGIN;
      // RESPONSE follows the target's greeting, which came through the login connect() made
      MysqlUpstream l = Objects.requireNonNull(login, "greeted through connect()'s login");
      Channel up = Objects.requireNonNull(upstream, "greeted through connect()'s connection");
      l.login(up.pipeline().context(l), r);
    } catch (MysqlException e) {
      refuse(
          ctx,
          e.getMessage().startsWith("Warden: ")
              ? e
              : new MysqlException(e.code(), e.sqlState(), "Warden: " + e.getMessage()));
    } finally {
      in.release();
    }
  }

  private void splice(ChannelHandlerContext ctx, byte[] ok, EdgeCredential cred) {
    Channel client = ctx.channel();
    Channel upstream = this.upstream;
    if (state != State.LOGIN || !client.isActive() || upstream == null) {
      close();
      ctx.close();
      return;
    }
    state = State.RELAY;
    upstream.pipeline().replace(MysqlUpstream.class, "relay", new Pipe(client));
    ctx.pipeline().replace(this, "relay", new Pipe(upstream));
    client.writeAndFlush(Unpooled.wrappedBuffer(Wire.packet(seq, ok)));
    proxy.context().record(client, ProxiedConnection.Outcome.PROXIED, null);
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "mysql proxy " + proxy.spec().where() + ": spliced as " + cred.username());
  }

  private void refuse(ChannelHandlerContext ctx, MysqlException e) {
    if (state == State.CLOSED || state == State.RELAY || state == State.REFUSING) {
      return;
    }
    // a refusal already recorded with its cause (identification, policy) keeps that outcome
    proxy.context().record(ctx.channel(), ProxiedConnection.Outcome.UNAVAILABLE, e.getMessage());
    if (state == State.IDENTIFY || state == State.GREET) {
      // the client waits for a greeting, and some clients distrust an error in its place (it could
      // come from anyone before TLS): greet it, and refuse its response, where errors belong
      if (upstream != null) {
        upstream.close();
      }
      state = State.REFUSING;
      pending = e;
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(
            Unpooled.wrappedBuffer(
                Wire.packet(0, Handshake.greeting(Handshake.standIn(proxy.nonce())))));
        ctx.executor()
            .schedule(() -> closeWith(ctx, e), 10, TimeUnit.SECONDS); // a client that never answers
      }
      return;
    }
    closeWith(ctx, e);
  }

  /** The ERR now, as the next packet (the first, before a greeting), then the connection closes. */
  private void closeWith(ChannelHandlerContext ctx, MysqlException e) {
    if (state == State.CLOSED || state == State.RELAY) {
      return;
    }
    close();
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(
              Unpooled.wrappedBuffer(Wire.err(seq, e.code(), e.sqlState(), e.getMessage())))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The refusal, as the answer to whatever packet the client sent after the stand-in greeting. */
  private void answerWith(ChannelHandlerContext ctx, MysqlException e) {
    int id;
    try {
      Wire.Packet p = Wire.next(buf);
      if (p == null) {
        return;
      }
      id = p.seq() + 1;
    } catch (MysqlException notAPacket) {
      id = 2;
    }
    close();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.err(id, e.code(), e.sqlState(), e.getMessage())))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void close() {
    state = State.CLOSED;
    if (upstream != null) {
      upstream.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state != State.RELAY) {
      close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close();
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    buf.release();
  }
}
