package dev.warden.agent.edge;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * After authentication: bytes from one side are written to the other unchanged. Writes are flushed
 * once per read burst, and a side stops reading while the other cannot keep up (its outbound buffer
 * is over the high-water mark), so a slow client never makes the agent buffer a result set.
 */
public class Pipe extends ChannelInboundHandlerAdapter {
  protected final Channel other;

  public Pipe(Channel other) {
    this.other = other;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    forward(ctx, msg);
  }

  /** Writes to the other side, pausing this side's reads while the other's buffer is full. */
  protected final void forward(ChannelHandlerContext ctx, Object msg) {
    other.write(msg, other.voidPromise());
    if (!other.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    other.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      other.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAfterFlush(other);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
    closeAfterFlush(other);
  }

  public static void closeAfterFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
