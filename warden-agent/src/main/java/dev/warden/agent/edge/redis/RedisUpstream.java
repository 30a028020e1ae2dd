package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The agent's connection to Redis: TLS from the first byte when the proxy says so (Redis has no
 * STARTTLS), then {@code AUTH <issued user> <password>} — and {@code SELECT <n>} when the resource
 * names a database other than 0 — sent by the agent, their replies read by the agent. Only when
 * every one said {@code +OK} does {@link Listener#authenticated} let the client's commands through.
 */
final class RedisUpstream extends ChannelInboundHandlerAdapter {
  /** A status or error line during login: Redis's are short; anything longer is not Redis. */
  static final int MAX_REPLY_LINE = 4096;

  interface Listener {
    void authenticated();

    /** Redis refused the issued user (its error line, in the message). */
    void refused(String message);

    /**
     * Redis refused (its error line), or the connection failed: the client gets {@code -ERR
     * message}.
     */
    void failed(String message);
  }

  private final ProxySpec spec;
  private final @Nullable SSLContext tls;
  private final EdgeCredential credential;
  private final Listener listener;
  private ByteBuf buf = Unpooled.buffer(0);
  private int awaiting;
  private boolean done;

  RedisUpstream(
      ProxySpec spec, @Nullable SSLContext tls, EdgeCredential credential, Listener listener) {
    this.spec = spec;
    this.tls = tls;
    this.credential = credential;
    this.listener = listener;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (tls == null) {
      login(ctx);
    } else {
      SslHandler ssl = EdgeNet.upstreamTls(tls, spec, credential.host(), credential.port());
      ctx.pipeline().addFirst(ssl);
      ssl.handshakeFuture()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  login(ctx);
                } else {
                  fail(
                      ctx,
                      "TLS to redis at "
                          + where()
                          + " failed (upstream-tls="
                          + EdgeNet.tlsMode(spec)
                          + "): "
                          + EdgeNet.rootMessage(f.cause()));
                }
              });
    }
    ctx.fireChannelActive();
  }

  private void login(ChannelHandlerContext ctx) {
    List<byte[]> login = new ArrayList<>();
    login.add(Resp.command("AUTH", credential.username(), credential.password().reveal()));
    String db = credential.database();
    if (db != null && !db.isEmpty() && !db.equals("0")) {
      login.add(Resp.command("SELECT", db));
    }
    awaiting = login.size();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(login.toArray(new byte[0][])));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done) {
        return;
      }
      buf.writeBytes(in);
      while (awaiting > 0) {
        String line = line();
        if (line == null) {
          return;
        }
        if (line.startsWith("-")) {
          refused(
              ctx,
              "redis at "
                  + where()
                  + " refused the user Warden issued ("
                  + credential.username()
                  + "): "
                  + line.substring(1));
          return;
        }
        if (!line.equals("+OK")) {
          fail(ctx, "redis at " + where() + " answered the login with " + printable(line));
          return;
        }
        awaiting--;
      }
      if (buf.isReadable()) {
        fail(ctx, "redis at " + where() + " sent data nobody asked for during the login");
        return;
      }
      done = true;
      buf.release();
      listener.authenticated();
    } finally {
      in.release();
    }
  }

  private @Nullable String line() {
    int cr = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\r');
    if (cr < 0 || cr + 1 >= buf.writerIndex()) {
      if (buf.readableBytes() > MAX_REPLY_LINE) {
        throw new RespException(
            "redis at " + where() + " answered the login with an over-long line");
      }
      return null;
    }
    String line = buf.toString(buf.readerIndex(), cr - buf.readerIndex(), StandardCharsets.UTF_8);
    buf.readerIndex(cr + 2);
    return line;
  }

  private static String printable(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private void refused(ChannelHandlerContext ctx, String message) {
    if (!done) {
      done = true;
      listener.refused(message);
      ctx.close();
    }
  }

  private void fail(ChannelHandlerContext ctx, String message) {
    if (done) {
      return;
    }
    done = true;
    listener.failed(message);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, "redis at " + where() + " closed the connection during the login");
    if (buf.refCnt() > 0) {
      buf.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(
        ctx,
        cause instanceof RespException r
            ? r.getMessage()
            : "connection to redis at " + where() + " failed: " + EdgeNet.rootMessage(cause));
  }

  private String where() {
    return credential.host() + ":" + credential.port();
  }
}
