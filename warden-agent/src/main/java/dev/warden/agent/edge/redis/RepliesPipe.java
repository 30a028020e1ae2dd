package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.Pipe;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Redis to client, unchanged, with one ending the proxy can ask for: after a client command the
 * proxy refuses, the commands before it still get their replies, then the refusal. For that the
 * proxy sends Redis a {@code QUIT} in place of the refused command — Redis writes every pending
 * reply, answers {@code +OK} and closes — and this pipe swallows that last {@code +OK} and writes
 * the refusal instead. No reply has to be parsed to keep the order.
 */
final class RepliesPipe extends Pipe {
  private static final byte[] QUIT_REPLY = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

  /** What the client gets after the last reply; null until the filter refused a command. */
  private byte @Nullable [] refusal;

  private ByteBuf tail = Unpooled.EMPTY_BUFFER;

  RepliesPipe(Channel client) {
    super(client);
  }

  /** From now on, the stream's last five bytes are held back: they are the QUIT's reply. */
  void endWith(byte[] refusal) {
    this.refusal = refusal;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusal == null) {
      forward(ctx, msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    ByteBuf all = tail.isReadable() ? Unpooled.wrappedBuffer(tail, in) : in;
    int pass = all.readableBytes() - QUIT_REPLY.length;
    if (pass > 0) {
      forward(ctx, all.readRetainedSlice(pass));
    }
    tail = Unpooled.copiedBuffer(all);
    all.release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (refusal == null) {
      super.channelInactive(ctx);
      return;
    }
    if (!ByteBufUtil.equals(tail, Unpooled.wrappedBuffer(QUIT_REPLY))) {
      other.write(
          tail.retain(), other.voidPromise()); // not the QUIT's reply: the client's, so it goes on
    }
    tail.release();
    tail = Unpooled.EMPTY_BUFFER;
    if (other.isActive()) {
      other.writeAndFlush(Unpooled.wrappedBuffer(refusal)).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
