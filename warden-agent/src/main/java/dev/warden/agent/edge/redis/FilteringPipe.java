package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.Pipe;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Client to Redis after the login: every command through {@link CommandFilter}, a held one sent
 * rewritten with this connection's issued credential (the one the agent logged in with, so a
 * client's AUTH re-authenticates as the same user and gets its {@code +OK} in order).
 */
final class FilteringPipe extends Pipe {
  private final CommandFilter filter;
  private final byte[] user;
  private final byte[] password;
  private boolean refused;

  private final RepliesPipe replies;

  FilteringPipe(
      Channel upstream, RepliesPipe replies, CommandFilter filter, EdgeCredential credential) {
    super(upstream);
    this.replies = replies;
    this.filter = filter;
    this.user = credential.username().getBytes(StandardCharsets.UTF_8);
    this.password = credential.password().reveal().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    List<Object> out = new ArrayList<>();
    try {
      if (refused) {
        return;
      }
      filter.feed(in, out);
    } catch (RespException e) {
      // the commands framed before the offending bytes still run and get their replies, then the
      // refusal
      if (filter.partSent()) {
        // cut off inside a command: whatever followed would be read as its rest, so both close now
        out.forEach(io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil::release);
        refused = true;
        other.close();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Resp.error(e.getMessage())))
            .addListener(io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener.CLOSE);
        return;
      }
      out.forEach(this::send);
      endWith(ctx, e.getMessage());
      return;
    } finally {
      in.release();
    }
    for (Object o : out) {
      if (o instanceof CommandFilter.Held h) {
        forward(ctx, Unpooled.wrappedBuffer(CommandFilter.rewrite(h, user, password)));
      } else {
        forward(ctx, o);
      }
    }
  }

  /**
   * Refuses the client after the replies to what it sent before: Redis gets QUIT, the client
   * nothing more, and {@link RepliesPipe} writes the refusal when Redis closed.
   */
  void endWith(ChannelHandlerContext ctx, String message) {
    refused = true;
    ctx.channel().config().setAutoRead(false);
    replies.endWith(Resp.error(message));
    other.writeAndFlush(Unpooled.wrappedBuffer(Resp.command("QUIT")));
    // a Redis that does not close after QUIT must not keep the client waiting
    ctx.executor()
        .schedule(
            () -> {
              ctx.close();
              other.close();
            },
            RedisClientSide.LOGIN_TIMEOUT_SECONDS,
            java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Writes one filter output to Redis (not flushed). */
  void send(Object o) {
    if (o instanceof CommandFilter.Held h) {
      other.write(
          Unpooled.wrappedBuffer(CommandFilter.rewrite(h, user, password)), other.voidPromise());
    } else {
      other.write(o, other.voidPromise());
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    filter.release();
  }
}
