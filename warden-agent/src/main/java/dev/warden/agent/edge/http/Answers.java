package dev.warden.agent.edge.http;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the proxy writes to the application itself rather than relaying: the 200 that opens a
 * tunnel, and a refusal with a plain-text reason followed by a close that does not lose it. Apart
 * from {@link HttpFrontend} because none of it depends on the exchange's state.
 */
final class Answers {
  /** How long a refused client may go on sending before the connection closes. */
  static final long LINGER_SECONDS = 2;

  private Answers() {}

  /** Answers a CONNECT: from here on the connection carries the tunnel's bytes. */
  static void connectionEstablished(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 Connection Established\r\n\r\n", StandardCharsets.US_ASCII));
  }

  /** Writes the refusal's status and reason ({@code Warden: ...}), then closes. */
  static void refusal(ChannelHandlerContext ctx, HttpRefusal r) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            Unpooled.copiedBuffer("Warden: " + r.getMessage() + "\n", StandardCharsets.UTF_8));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, "close");
    ctx.writeAndFlush(res)
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE)
        .addListener(f -> lingeringClose(ctx));
  }

  /**
   * Closes after a refusal without losing it: a client may still be sending (an over-long header, a
   * body) and closing with unread input makes the kernel reset the connection, which can discard
   * the response before the client reads it. So the agent half-closes, reads and discards for up to
   * {@link #LINGER_SECONDS}, then closes.
   */
  private static void lingeringClose(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      return;
    }
    if (ch instanceof io.grpc.netty.shaded.io.netty.channel.socket.DuplexChannel d) {
      d.shutdownOutput();
      ch.config().setAutoRead(true);
      ctx.executor()
          .schedule(
              () -> {
                ch.close();
              },
              LINGER_SECONDS,
              TimeUnit.SECONDS);
    } else {
      ch.close();
    }
  }
}
