package dev.warden.agent.edge.http;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.Pipe;
import dev.warden.agent.workloadapi.PeerCredentials;
import dev.warden.core.agent.ProxiedConnection;
import dev.warden.core.edge.HttpRoute;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.ConnectTimeoutException;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpClientCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * One application connection to the HTTP proxy, or one intercepted TLS tunnel inside it, carrying
 * one exchange after another while the client keeps it alive. The request head is checked ({@link
 * HttpWire}), the caller attested and its credential taken off the event loop, then: a plain
 * request is forwarded with the credential in place of the application's; a CONNECT to a routed
 * host is answered 200 and its TLS terminated with Warden's certificate for the host, a new
 * frontend serving the requests inside; any other CONNECT becomes a blind tunnel. What the proxy
 * answers itself is an HTTP response with a plain-text reason.
 *
 * <p>The connection to a destination is kept for the next request of the same client connection
 * when both sides allow it ({@link KeptUpstream}). Where a request goes ({@link RequestTarget}),
 * what it needs off the event loop ({@link Preparation}), where its credential goes ({@link
 * CredentialPlacement}) and what the proxy answers itself ({@link Answers}) live beside it.
 *
 * <p>Why it is still over 400 lines: what stays is one idea, the exchange's state machine and its
 * response side ({@link Exchange}); every field is read by both, so splitting them would share that
 * state across classes.
 */
final class HttpFrontend extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(HttpFrontend.class.getName());
  static final String CODEC = "http-codec";
  static final String TXN_TOKEN = "Txn-Token";
  static final String TRACEPARENT = "traceparent";
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_HEADERS = 32 * 1024;
  static final int MAX_CHUNK = 64 * 1024;

  /** A client that has not sent a complete request head by then is closed. */
  static final long REQUEST_TIMEOUT_SECONDS = 30;

  /**
   * A tunnel whose TLS the agent terminated: every request inside goes to this destination, with
   * this route.
   */
  record Intercept(HttpWire.Authority destination, HttpRoute route) {}

  private enum State {
    IDLE,
    PREPARING,
    SENDING,
    RESPONDING,
    TUNNEL,
    DONE
  }

  private final HttpProxy proxy;

  /** The tunnel this frontend serves requests inside; null for the proxy's own listener. */
  private final @Nullable Intercept intercept;

  // who the client is, once identified (a frontend inside a tunnel knows it from the start)
  private Callers.@Nullable Caller caller;
  private @Nullable PeerCredentials peer;
  private State state = State.IDLE;
  private final List<Object> held = new ArrayList<>();
  private boolean requestComplete;
  // the current exchange: null between exchanges (next()) and until its request is read
  private @Nullable Channel upstream;
  private @Nullable HttpRoute route;
  private HttpWire.@Nullable Authority destination;
  private @Nullable EdgeCredential credential;

  /**
   * Whether the connection stays open after this exchange: an HTTP/1.1 client not asking to close.
   */
  private boolean keepAlive;

  private @Nullable HttpMethod method;

  /**
   * The chain the current request names ({@code Txn-Token}, {@code traceparent}), passed on
   * unverified with its audit event for the server to verify; the headers go to the destination
   * unchanged.
   */
  private ProxiedConnection.@Nullable Hop hop;

  /** The next request(s) a client sent before this exchange ended: read after it. */
  private final java.util.ArrayDeque<Object> pipelined = new java.util.ArrayDeque<>();

  private long exchanges;

  /** What {@link #upstream} was opened for. */
  private KeptUpstream.@Nullable Upstream upstreamFor;

  /** A destination connection kept after its last exchange, for the next request. */
  private final KeptUpstream kept = new KeptUpstream();

  /**
   * Sends the current request again on a new connection, when the kept one it went out on closed
   * before answering and sending again is safe; else null.
   */
  private @Nullable Runnable retry;

  HttpFrontend(
      HttpProxy proxy,
      @Nullable Intercept intercept,
      Callers.@Nullable Caller caller,
      @Nullable PeerCredentials peer) {
    this.proxy = proxy;
    this.intercept = intercept;
    this.caller = caller;
    this.peer = peer;
  }

  static HttpServerCodec codec() {
    return new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    closeIfIdle(ctx);
  }

  /**
   * Closes the connection if no request has begun within the timeout (first, or next on a
   * kept-alive one).
   */
  private void closeIfIdle(ChannelHandlerContext ctx) {
    long exchange = exchanges;
    ctx.executor()
        .schedule(
            () -> {
              if (state == State.IDLE && exchanges == exchange && ctx.channel().isActive()) {
                ctx.close();
              }
            },
            REQUEST_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (requestComplete
        && (state == State.PREPARING || state == State.SENDING || state == State.RESPONDING)
        && msg instanceof io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObject) {
      pipelined.add(msg); // the next request, sent before this exchange ended: read once it has
      ctx.channel().config().setAutoRead(false);
      return;
    }
    if (msg instanceof HttpRequest req) {
      if (state != State.IDLE) {
        ReferenceCountUtil.release(msg);
        return;
      }
      exchanges++;
      method = req.method();
      hop = ProxiedConnection.Hop.of(req.headers().get(TXN_TOKEN), req.headers().get(TRACEPARENT));
      keepAlive =
          req.protocolVersion().equals(HttpVersion.HTTP_1_1)
              && io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil.isKeepAlive(req);
      state = State.PREPARING;
      ctx.channel().config().setAutoRead(false);
      if (msg instanceof HttpContent c) {
        hold(c);
      }
      if (req.decoderResult().isFailure()) {
        refuse(
            ctx,
            new HttpRefusal(
                400, "malformed request: " + EdgeNet.rootMessage(req.decoderResult().cause())));
        return;
      }
      try {
        plan(ctx, req);
      } catch (HttpRefusal r) {
        refuse(ctx, r);
      }
      return;
    }
    if (msg instanceof HttpContent c) {
      if (c.decoderResult().isFailure()) {
        c.release();
        refuse(
            ctx,
            new HttpRefusal(
                400, "malformed request body: " + EdgeNet.rootMessage(c.decoderResult().cause())));
        return;
      }
      if (state == State.PREPARING) {
        hold(c);
      } else if ((state == State.SENDING || state == State.RESPONDING) && !requestComplete) {
        requestComplete = c instanceof LastHttpContent;
        // send() sets the destination connection as it enters SENDING; RESPONDING follows
        Channel up = Objects.requireNonNull(upstream, "SENDING has its destination connection");
        up.write(c, up.voidPromise());
        if (!up.isWritable()) {
          ctx.channel().config().setAutoRead(false);
        }
      } else {
        c.release();
      }
      return;
    }
    if (msg instanceof ByteBuf b && state == State.TUNNEL) {
      held.add(b); // what the codec had buffered when it was removed for the tunnel
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void hold(HttpContent c) {
    held.add(c);
    requestComplete |= c instanceof LastHttpContent;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (upstream != null && (state == State.SENDING || state == State.RESPONDING)) {
      upstream.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && upstream != null) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Reads the request head, then identifies the caller and takes its credential off the event loop.
   */
  private void plan(ChannelHandlerContext ctx, HttpRequest req) throws HttpRefusal {
    boolean connect = req.method().equals(HttpMethod.CONNECT);
    RequestTarget target = RequestTarget.of(req, intercept, proxy);
    if (!connect) {
      HttpWire.checkFraming(req.headers());
    } else {
      keepAlive = false;
    }
    HttpRoute r = target.route();
    route = r;
    destination = target.destination();
    Channel ch = ctx.channel();
    proxy
        .context()
        .executor()
        .execute(
            () -> {
              HttpRefusal refusal = null;
              Preparation prepared = null;
              try {
                prepared = Preparation.of(proxy, () -> identify(ch), target, connect);
              } catch (HttpRefusal e) {
                refusal = e;
              }
              HttpRefusal why = refusal;
              Preparation ready = prepared;
              ch.eventLoop()
                  .execute(
                      () -> {
                        if (state != State.PREPARING || !ch.isActive()) {
                          return;
                        }
                        if (why != null || ready == null) {
                          refuse(ctx, Objects.requireNonNull(why, "prepared or refused"));
                          return;
                        }
                        credential = ready.credential();
                        if (connect && r != null) {
                          // the routed CONNECT's certificate was asked for above, or it refused
                          intercept(
                              ctx,
                              Objects.requireNonNull(
                                  ready.serverTls(), "an intercepted CONNECT's TLS"),
                              target.destination(),
                              r);
                          return;
                        }
                        // resolved above for everything but an intercepted CONNECT
                        InetSocketAddress resolved =
                            Objects.requireNonNull(ready.address(), "the destination's address");
                        if (!connect) {
                          forward(ctx, req, target, resolved, ready);
                        } else {
                          tunnel(ctx, resolved);
                        }
                      });
            });
  }

  /** The caller: known from the start inside a tunnel, else attested once per connection. */
  private Callers.Caller identify(Channel ch) throws EdgeException {
    Callers.Caller who = caller;
    if (who == null) {
      who = proxy.context().identify(ch, p -> peer = p);
      caller = who;
    }
    return who;
  }

  /**
   * Ends an exchange on a connection that stays open: forgets its destination, credential and
   * upstream connection, then reads the next request (one the client already sent, else from the
   * socket).
   */
  private void next(ChannelHandlerContext ctx) {
    state = State.IDLE;
    upstream = null;
    route = null;
    destination = null;
    credential = null;
    requestComplete = false;
    keepAlive = false;
    method = null;
    hop = null;
    ctx.channel().config().setAutoRead(true);
    closeIfIdle(ctx);
    List<Object> again = new ArrayList<>(pipelined);
    pipelined.clear();
    again.forEach(m -> channelRead(ctx, m));
  }

  /** A blind tunnel to a destination no route names: bytes both ways, nothing read or changed. */
  private void tunnel(ChannelHandlerContext ctx, InetSocketAddress to) {
    ChannelFuture f =
        EdgeNet.connector(ctx.channel().eventLoop(), new ChannelInboundHandlerAdapter())
            .connect(to);
    whenConnected(
        ctx,
        f,
        upstream -> {
          Channel client = ctx.channel();
          if (state != State.PREPARING || !client.isActive()) {
            upstream.close();
            return;
          }
          state = State.TUNNEL;
          dropPipelined();
          record(ProxiedConnection.Outcome.PROXIED, "tunnel");
          ctx.pipeline().remove(CODEC); // what it had buffered arrives here as bytes (held)
          Answers.connectionEstablished(ctx);
          upstream.pipeline().addLast(new Pipe(client));
          held.forEach(b -> upstream.write(b, upstream.voidPromise()));
          held.clear();
          upstream.flush();
          ctx.pipeline().replace(this, "tunnel", new Pipe(upstream));
          client.config().setAutoRead(true);
        });
  }

  /**
   * Makes the connection {@code f} is opening this exchange's, and runs {@code then} on it once it
   * is open; a connection that cannot be opened refuses the request.
   */
  private void whenConnected(
      ChannelHandlerContext ctx, ChannelFuture f, java.util.function.Consumer<Channel> then) {
    Channel upstream = f.channel();
    this.upstream = upstream;
    f.addListener(
        (ChannelFutureListener)
            done -> {
              if (!done.isSuccess()) {
                refuse(ctx, connectFailure(done.cause()));
                return;
              }
              then.accept(upstream);
            });
  }

  /**
   * Terminates the application's TLS to a routed host with Warden's certificate for it; the
   * requests inside are served by a new frontend bound to this destination and route.
   */
  private void intercept(
      ChannelHandlerContext ctx,
      SslContext serverTls,
      HttpWire.Authority destination,
      HttpRoute route) {
    state = State.TUNNEL;
    dropPipelined();
    ChannelPipeline p = ctx.pipeline();
    p.remove(CODEC);
    Answers.connectionEstablished(ctx);
    p.addFirst("tls", serverTls.newHandler(ctx.alloc()));
    p.addAfter("tls", CODEC, codec());
    p.addAfter(
        CODEC,
        "intercepted",
        new HttpFrontend(proxy, new Intercept(destination, route), caller, peer));
    List<Object> early = new ArrayList<>(held);
    held.clear();
    p.remove(this);
    early.forEach(p::fireChannelRead);
    p.channel().config().setAutoRead(true);
  }

  /** Forwards the request with the route's credential in place of any the application sent. */
  private void forward(
      ChannelHandlerContext ctx,
      HttpRequest req,
      RequestTarget to,
      InetSocketAddress address,
      Preparation ready) {
    HttpHeaders h = req.headers().copy();
    HttpWire.removeHopByHop(h);
    String target = to.originForm();
    HttpRoute route = to.route();
    boolean tls = to.tls();
    SSLContext upstreamTls = ready.upstreamTls();
    if (route != null) {
      try {
        // plan() takes a routed request's credential before it forwards it
        target =
            CredentialPlacement.inject(
                route,
                Objects.requireNonNull(ready.credential(), "a routed request has its credential"),
                h,
                target);
      } catch (HttpRefusal r) {
        refuse(ctx, r);
        return;
      }
    }
    h.set(HttpHeaderNames.HOST, to.destination().hostHeader(tls));
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, "close");
    }
    DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, req.method(), target, h);
    KeptUpstream.Upstream wanted =
        new KeptUpstream.Upstream(to.destination(), tls, tls ? upstreamTls : null);
    Channel reuse = kept.take(wanted);
    if (reuse != null) {
      upstream = reuse;
      upstreamFor = wanted;
      retry = retryable() ? () -> connect(ctx, out, tls, address, upstreamTls, wanted) : null;
      send(ctx, reuse, out);
      return;
    }
    connect(ctx, out, tls, address, upstreamTls, wanted);
  }

  /**
   * Whether the current request may be sent again after a kept connection closed unanswered: an
   * idempotent method (RFC 9110 9.2.2) whose body, if any, was empty and is still complete.
   */
  private boolean retryable() {
    boolean idempotent =
        HttpMethod.GET.equals(method)
            || HttpMethod.HEAD.equals(method)
            || HttpMethod.OPTIONS.equals(method)
            || HttpMethod.TRACE.equals(method);
    return idempotent
        && requestComplete
        && held.stream().allMatch(o -> o instanceof HttpContent c && !c.content().isReadable());
  }

  /** Opens a new connection to the destination and sends the request on it. */
  private void connect(
      ChannelHandlerContext ctx,
      HttpRequest out,
      boolean tls,
      InetSocketAddress to,
      SSLContext upstreamTls,
      KeptUpstream.Upstream wanted) {
    retry = null;
    upstreamFor = wanted;
    Channel client = ctx.channel();
    ChannelFuture f =
        EdgeNet.connector(
                client.eventLoop(),
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls) {
                      ch.pipeline()
                          .addLast(
                              "tls",
                              EdgeNet.upstreamTls(
                                  upstreamTls,
                                  proxy.spec(),
                                  wanted.destination().host(),
                                  wanted.destination().port()));
                    }
                    ch.pipeline()
                        .addLast(
                            "codec", new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK));
                    ch.pipeline().addLast("exchange", new Exchange(ctx));
                  }
                })
            .connect(to);
    whenConnected(
        ctx,
        f,
        upstream -> {
          if (!tls) {
            send(ctx, upstream, out);
            return;
          }
          upstream
              .pipeline()
              .get(SslHandler.class)
              .handshakeFuture()
              .addListener(
                  hs -> {
                    if (hs.isSuccess()) {
                      send(ctx, upstream, out);
                    } else {
                      refuse(
                          ctx,
                          new HttpRefusal(
                              502,
                              "TLS to "
                                  + destination
                                  + " failed (upstream-tls="
                                  + EdgeNet.tlsMode(proxy.spec())
                                  + "): "
                                  + EdgeNet.rootMessage(hs.cause())
                                  + "; nothing was sent"));
                    }
                  });
        });
  }

  /** Sends the request on {@code upstream}, the connection just opened or reused for it. */
  private void send(ChannelHandlerContext ctx, Channel upstream, HttpRequest out) {
    Channel client = ctx.channel();
    boolean again = state == State.SENDING; // a retry on a new connection: recorded already
    if (state != State.PREPARING && !again || !client.isActive()) {
      upstream.close();
      return;
    }
    state = State.SENDING;
    upstream.write(out, upstream.voidPromise());
    if (again) {
      // the body was empty (retryable) and its end already went out on the closed connection
      upstream.write(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
    }
    held.forEach(o -> upstream.write(o, upstream.voidPromise()));
    held.clear();
    upstream.flush();
    if (!again) {
      record(
          ProxiedConnection.Outcome.PROXIED,
          out.method() + " " + (route == null ? "" : "with the credential of " + route.resource()));
    }
    if (!requestComplete) {
      client.config().setAutoRead(true);
    }
    long timeout = proxy.spec().responseTimeout().toMillis();
    Channel to = upstream;
    long exchange = exchanges;
    client
        .eventLoop()
        .schedule(
            () -> {
              // the field, not the parameter: still this exchange's connection (no retry since)?
              if (state == State.SENDING && this.upstream == to && exchanges == exchange) {
                refuse(
                    ctx,
                    new HttpRefusal(
                        504, destination + " did not answer within " + timeout / 1000 + " s"));
              }
            },
            timeout,
            TimeUnit.MILLISECONDS);
  }

  private HttpRefusal connectFailure(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return new HttpRefusal(504, "connecting to " + destination + " timed out");
    }
    return new HttpRefusal(
        502, "cannot connect to " + destination + ": " + EdgeNet.rootMessage(cause));
  }

  private void record(ProxiedConnection.Outcome outcome, @Nullable String reason) {
    proxy
        .context()
        .recordEvent(
            caller,
            peer,
            route == null ? null : route.resource(),
            credential,
            destination == null ? null : destination.toString(),
            outcome,
            reason,
            hop);
  }

  /**
   * Answers the request itself (the body says why) and closes; once the response has begun, only
   * closes.
   */
  void refuse(ChannelHandlerContext ctx, HttpRefusal r) {
    if (state == State.DONE) {
      return;
    }
    if (state == State.RESPONDING || state == State.TUNNEL) {
      state = State.DONE;
      close(ctx);
      return;
    }
    state = State.DONE;
    record(r.outcome(), r.getMessage());
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "http proxy " + proxy.spec().where() + ": " + r.status() + " " + r.getMessage());
    releaseHeld();
    if (upstream != null) {
      upstream.close();
    }
    kept.close();
    if (ctx.channel().isActive()) {
      Answers.refusal(ctx, r);
    }
  }

  private void close(ChannelHandlerContext ctx) {
    releaseHeld();
    if (upstream != null) {
      upstream.close();
    }
    kept.close();
    Pipe.closeAfterFlush(ctx.channel());
  }

  /**
   * Whatever the codec framed after a CONNECT was not HTTP (a client must wait for the 200):
   * dropped.
   */
  private void dropPipelined() {
    pipelined.forEach(ReferenceCountUtil::release);
    pipelined.clear();
  }

  private void releaseHeld() {
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    pipelined.forEach(ReferenceCountUtil::release);
    pipelined.clear();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    kept.close();
    if (state != State.TUNNEL) {
      state = State.DONE;
      releaseHeld();
      if (upstream != null) {
        upstream.close();
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    Intercept in = intercept;
    if (in != null && evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
      // the operator's first question when a client "cannot connect": does it trust Warden's
      // bundle?
      route = in.route();
      destination = in.destination();
      record(
          ProxiedConnection.Outcome.PROTOCOL_ERROR,
          "the application's TLS handshake with the agent for "
              + in.destination().host()
              + " failed (does it trust Warden's bundle?): "
              + EdgeNet.rootMessage(e.cause()));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "http proxy " + proxy.spec().where() + ": " + EdgeNet.rootMessage(cause));
    state = State.DONE;
    close(ctx);
    ctx.close();
  }

  /**
   * The agent's side of one exchange with the destination: the response goes to the client as it
   * arrives.
   */
  private final class Exchange extends ChannelInboundHandlerAdapter {
    private final ChannelHandlerContext client;
    private boolean informational;

    /** Whether the destination lets this connection carry another request after this response. */
    private boolean reusable;

    Exchange(ChannelHandlerContext client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext uctx, Object msg) {
      Channel c = client.channel();
      if (state == State.DONE || uctx.channel() != upstream) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse res) {
        if (res.decoderResult().isFailure()) {
          ReferenceCountUtil.release(msg);
          refuse(
              client,
              new HttpRefusal(
                  502,
                  "the destination "
                      + destination
                      + " sent a malformed response: "
                      + EdgeNet.rootMessage(res.decoderResult().cause())));
          return;
        }
        int code = res.status().code();
        if (code == 101) {
          ReferenceCountUtil.release(msg);
          refuse(
              client,
              new HttpRefusal(
                  502, "the destination switched protocols, which this proxy does not relay"));
          return;
        }
        informational = code < 200;
        retry = null; // the destination answered: never send this request again
        reusable =
            io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil.isKeepAlive(res); // 1.1
        // without close, or 1.0 with keep-alive: read before the hop-by-hop fields are removed
        HttpWire.removeHopByHop(res.headers());
        if (!informational) {
          // the connection can carry the next request only if this response's end is known without
          // closing it
          keepAlive &=
              code == 204
                  || code == 304
                  || HttpMethod.HEAD.equals(method)
                  || io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil.isContentLengthSet(
                      res)
                  || io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil
                      .isTransferEncodingChunked(res);
          if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
          }
          state = State.RESPONDING;
        }
        c.write(msg, c.voidPromise());
      } else if (msg instanceof HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        c.write(msg, c.voidPromise());
        if (last && !informational) {
          if (keepAlive && requestComplete && reusable) {
            kept.keep(uctx.channel(), upstreamFor); // delimited (keepAlive) and fully read
          } else {
            uctx.close();
          }
          if (keepAlive && requestComplete) {
            c.flush();
            next(client);
          } else {
            state = State.DONE;
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
          }
          return;
        }
        if (last) {
          informational = false;
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
      if (!c.isWritable()) {
        uctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext uctx) {
      client.channel().flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext uctx) {
      if (uctx.channel().isWritable() && state == State.SENDING) {
        client.channel().config().setAutoRead(true);
      }
      uctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext uctx) {
      kept.closed(uctx.channel());
      if (uctx.channel() != upstream) {
        return; // an earlier exchange's connection, closed after its response
      }
      if (state == State.SENDING && retry != null) {
        Runnable again = retry;
        retry = null;
        again.run();
        return;
      }
      if (state == State.SENDING) {
        refuse(
            client,
            new HttpRefusal(
                502,
                "the destination "
                    + destination
                    + " closed the connection without "
                    + "answering"));
      } else if (state == State.RESPONDING) {
        state = State.DONE;
        Pipe.closeAfterFlush(client.channel());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext uctx, Throwable cause) {
      if (uctx.channel() != upstream) {
        uctx.close();
        return;
      }
      if (state == State.PREPARING || state == State.SENDING) {
        refuse(
            client,
            new HttpRefusal(
                502,
                "the exchange with " + destination + " failed: " + EdgeNet.rootMessage(cause)));
      } else {
        state = State.DONE;
        Pipe.closeAfterFlush(client.channel());
      }
      uctx.close();
    }
  }
}
