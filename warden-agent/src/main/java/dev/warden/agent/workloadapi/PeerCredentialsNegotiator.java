package dev.warden.agent.workloadapi;

import io.grpc.Attributes;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.io.IOException;

/**
 * Puts the connecting process's SO_PEERCRED into the gRPC transport attributes. grpc-java offers no
 * public hook from a call to its Netty channel; this wraps the plaintext negotiator and adds an
 * attribute to the negotiation event every transport goes through once, when the connection opens
 * (so the credentials are those of the process that connected, read from the kernel).
 */
final class PeerCredentialsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  static final Attributes.Key<PeerCredentials> PEER =
      Attributes.Key.create("warden.peer-credentials");

  private final InternalProtocolNegotiator.ProtocolNegotiator plaintext =
      InternalProtocolNegotiators.serverPlaintext();

  @Override
  public AsciiString scheme() {
    return plaintext.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    ChannelHandler next = plaintext.newHandler(grpcHandler);
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ProtocolNegotiationEvent pne) {
          Attributes.Builder attrs =
              InternalProtocolNegotiationEvent.getAttributes(pne).toBuilder();
          if (ctx.channel() instanceof EpollDomainSocketChannel ch) {
            try {
              var c = ch.peerCredentials();
              int[] gids = c.gids();
              attrs.set(
                  PEER, new PeerCredentials(c.pid(), c.uid(), gids.length > 0 ? gids[0] : -1));
            } catch (IOException e) {
              // no credentials: the call will be refused as unattested
            }
          }
          ctx.pipeline().addAfter(ctx.name(), null, next);
          ctx.fireUserEventTriggered(
              InternalProtocolNegotiationEvent.withAttributes(pne, attrs.build()));
          ctx.pipeline().remove(this);
          return;
        }
        super.userEventTriggered(ctx, evt);
      }
    };
  }

  @Override
  public void close() {
    plaintext.close();
  }
}
