package dev.warden.agent.edge.http;

import dev.warden.agent.edge.Callers;
import dev.warden.agent.edge.EdgeCredential;
import dev.warden.agent.edge.EdgeException;
import dev.warden.core.agent.ProxiedConnection;
import dev.warden.core.edge.HttpRoute;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * What a request needs before it can go out, gathered off the event loop because every step may
 * block: the caller attested, the route's policy checked, its credential asked from the server,
 * Warden's certificate for an intercepted host, the destination's address. Apart from {@link
 * HttpFrontend} so that the connection's state machine only ever sees the outcome: this, or the
 * {@link HttpRefusal} that answers the request.
 *
 * @param credential the route's credential; null for an unrouted destination
 * @param serverTls TLS towards the application for a routed CONNECT; else null
 * @param address the destination's address; null only for a routed CONNECT, which is intercepted
 * @param upstreamTls TLS towards the destination (bound to the caller's SVID for an access token)
 */
record Preparation(
    @Nullable EdgeCredential credential,
    @Nullable SslContext serverTls,
    @Nullable InetSocketAddress address,
    SSLContext upstreamTls) {
  private static final System.Logger LOG = System.getLogger(HttpFrontend.class.getName());

  /** Who the caller is: known already inside a tunnel, else attested from the connection. */
  interface Identification {
    Callers.Caller caller() throws EdgeException;
  }

  /**
   * Prepares the request to {@code target}: a CONNECT when {@code connect}, else a request to
   * forward.
   */
  static Preparation of(
      HttpProxy proxy, Identification identification, RequestTarget target, boolean connect)
      throws HttpRefusal {
    HttpWire.Authority dest = target.destination();
    HttpRoute r = target.route();
    try {
      Callers.Caller who = identification.caller();
      if (r == null && proxy.spec().refuseUnlisted()) {
        throw new HttpRefusal(
            403,
            dest.host()
                + ":"
                + dest.port()
                + " is not a destination of this proxy "
                + "(unlisted=refuse)",
            ProxiedConnection.Outcome.DENIED);
      }
      boolean https = target.tls();
      if (r != null && !connect && !https && !r.plaintext()) {
        throw new HttpRefusal(
            403,
            "refusing to send the credential of resource "
                + r.resource()
                + " to "
                + dest
                + " over plain http (use https://, or add ;plaintext to the route if that network is trusted)",
            ProxiedConnection.Outcome.DENIED);
      }
      EdgeCredential cred = null;
      SslContext serverTls = null;
      SSLContext bound = null;
      if (r != null) {
        cred = proxy.context().credentials().get(who.svid(), r.resource());
        CredentialPlacement.checkKind(r, cred);
        if (connect) {
          serverTls = proxy.serverTls(r.resource(), dest.host());
        }
        if (https && "access_token".equals(cred.engine())) {
          bound = proxy.upstreamTls(who.svid());
        }
      }
      InetSocketAddress address = null;
      if (!connect || r == null) {
        address = new InetSocketAddress(InetAddress.getByName(dest.host()), dest.port());
      }
      return new Preparation(cred, serverTls, address, bound != null ? bound : proxy.upstreamTls());
    } catch (EdgeException e) {
      throw HttpRefusal.of(e);
    } catch (UnknownHostException e) {
      throw new HttpRefusal(502, "cannot resolve " + dest.host());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "http proxy: preparing a request failed", e);
      throw new HttpRefusal(502, "the Warden agent failed: " + e);
    }
  }
}
