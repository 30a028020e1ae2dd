package dev.warden.agent.edge.redis;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.core.agent.ProxiedConnection;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One application connection to the Redis proxy. Nothing happens until the client sends its first
 * bytes (a port probe costs no attestation); then, while the caller is attested, its credential
 * taken and the agent logs in to Redis, the client's commands are framed by {@link CommandFilter}
 * and held (at most {@link #MAX_HELD_BEFORE_LOGIN} bytes). After the agent's login succeeded they
 * go on, and so does everything after, through the same filter. A refusal is the reply to the
 * client's first command: {@code -ERR <reason>}, then the connection closes.
 */
final class RedisClientSide extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(RedisClientSide.class.getName());
  static final long LOGIN_TIMEOUT_SECONDS = 30;

  /**
   * Commands pipelined before the login completed: more than this is not a client waiting for
   * replies.
   */
  static final int MAX_HELD_BEFORE_LOGIN = 1 << 20;

  private enum State {
    WAITING,
    CONNECTING,
    RELAY,
    CLOSED
  }

  private final RedisProxy proxy;
  private final CommandFilter filter = new CommandFilter();
  private final List<Object> held = new ArrayList<>();
  private long heldBytes;
  private State state = State.WAITING;

  /** The connection to redis; null until the caller's credential arrived. */
  private @Nullable Channel upstream;

  /** A refusal to give after the replies to the commands held before it, or null. */
  private @Nullable String refusal;

  RedisClientSide(RedisProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (state != State.WAITING && state != State.CONNECTING || refusal != null) {
        return;
      }
      int before = held.size();
      filter.feed(in, held);
      for (int i = before; i < held.size(); i++) {
        heldBytes += CommandFilter.size(held.get(i));
      }
      if (heldBytes > MAX_HELD_BEFORE_LOGIN) {
        refuse(
            ctx,
            "more than "
                + MAX_HELD_BEFORE_LOGIN
                + " bytes of commands before the Warden agent's login "
                + "to redis completed");
        return;
      }
      startLogin(ctx);
    } catch (RespException e) {
      if (held.isEmpty() || filter.partSent()) {
        refuse(ctx, e.getMessage());
      } else {
        // commands before the offending bytes are answered first: read nothing more, refuse after
        // them
        refusal = e.getMessage();
        ctx.channel().config().setAutoRead(false);
        startLogin(ctx);
      }
    } finally {
      in.release();
    }
  }

  private void startLogin(ChannelHandlerContext ctx) {
    if (state != State.WAITING) {
      return;
    }
    state = State.CONNECTING;
    ctx.executor()
        .schedule(
            () -> {
              if (state == State.CONNECTING) {
                refuse(
                    ctx,
                    "the Warden agent's login to redis did not complete within "
                        + LOGIN_TIMEOUT_SECONDS
                        + " s");
              }
            },
            LOGIN_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    Channel ch = ctx.channel();
    proxy
        .context()
        .identifyThen(
            ch,
            () -> state == State.CONNECTING && ch.isActive(),
            cred -> connect(ctx, cred),
            e -> refuse(ctx, reason(e)));
  }

  static String reason(EdgeException e) {
    return "Warden: " + e.getMessage();
  }

  private void connect(ChannelHandlerContext ctx, EdgeCredential cred) {
    upstream =
        proxy
            .connect(
                ctx.channel().eventLoop(),
                cred,
                new RedisUpstream.Listener() {
                  @Override
                  public void authenticated() {
                    splice(ctx, cred);
                  }

                  @Override
                  public void refused(String message) {
                    // revoked or removed: the next connection must not be handed the same
                    // credential
                    proxy.context().credentials().discard(cred);
                    failed(message);
                  }

                  @Override
                  public void failed(String message) {
                    LOG.log(
                        System.Logger.Level.WARNING,
                        "redis proxy " + proxy.spec().where() + ": " + message);
                    refuse(ctx, "Warden: " + message);
                  }
                })
            .addListener(
                EdgeNet.ifConnectFails(
                    cred, why -> refuse(ctx, "Warden: cannot connect to redis at " + why)))
            .channel();
  }

  private void splice(ChannelHandlerContext ctx, EdgeCredential cred) {
    Channel client = ctx.channel();
    Channel upstream = this.upstream;
    if (state != State.CONNECTING || !client.isActive() || upstream == null) {
      close(ctx);
      return;
    }
    state = State.RELAY;
    RepliesPipe replies = new RepliesPipe(client);
    upstream.pipeline().replace(RedisUpstream.class, "relay", replies);
    FilteringPipe pipe = new FilteringPipe(upstream, replies, filter, cred);
    ctx.pipeline().replace(this, "relay", pipe);
    for (Object o : held) {
      pipe.send(o);
    }
    held.clear();
    String last = refusal;
    if (last != null) {
      pipe.endWith(ctx.pipeline().context(pipe), last);
    }
    upstream.flush();
    proxy.context().record(client, ProxiedConnection.Outcome.PROXIED, null);
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "redis proxy " + proxy.spec().where() + ": spliced as " + cred.username());
  }

  private void refuse(ChannelHandlerContext ctx, String message) {
    if (state == State.CLOSED || state == State.RELAY) {
      return;
    }
    // a refusal already recorded with its cause (identification, policy) keeps that outcome
    proxy
        .context()
        .record(
            ctx.channel(),
            state == State.CONNECTING
                ? ProxiedConnection.Outcome.UNAVAILABLE
                : ProxiedConnection.Outcome.PROTOCOL_ERROR,
            message);
    state = State.CLOSED;
    close(ctx);
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Resp.error(message)))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void close(ChannelHandlerContext ctx) {
    if (state != State.RELAY) {
      state = State.CLOSED;
      releaseHeld();
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (state != State.RELAY) { // on splice, the filter and what it framed went on to FilteringPipe
      releaseHeld();
      filter.release();
    }
  }

  private void releaseHeld() {
    held.forEach(ReferenceCountUtil::release);
    held.clear();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    close(ctx);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close(ctx);
    ctx.close();
  }
}
