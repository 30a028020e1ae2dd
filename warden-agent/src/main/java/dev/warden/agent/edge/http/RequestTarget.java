package dev.warden.agent.edge.http;

import dev.warden.core.edge.HttpRoute;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * Where one request goes, read from its head alone: the destination, whether the hop to it is TLS,
 * the origin-form target to send (empty for a CONNECT, which forwards nothing) and the route that
 * names the destination, if any. Apart from {@link HttpFrontend} because the rules differ between
 * the proxy's own listener (absolute-form or CONNECT) and an intercepted tunnel (origin-form, or an
 * absolute form and Host naming the tunnel's destination), and none of them needs the connection.
 */
record RequestTarget(
    HttpWire.Authority destination, boolean tls, String originForm, @Nullable HttpRoute route) {

  /**
   * Reads the target of {@code req}, received on the proxy's listener ({@code intercept} null) or
   * inside an intercepted tunnel.
   */
  static RequestTarget of(
      HttpRequest req, HttpFrontend.@Nullable Intercept intercept, HttpProxy proxy)
      throws HttpRefusal {
    boolean connect = req.method().equals(HttpMethod.CONNECT);
    if (intercept == null) {
      if (connect) {
        HttpWire.Authority dest = HttpWire.authority(req.uri(), -1);
        return new RequestTarget(dest, false, "", proxy.route(dest.host(), dest.port()));
      }
      HttpWire.Target t = HttpWire.absolute(req.uri());
      HttpWire.Authority dest = t.authority();
      return new RequestTarget(
          dest, t.tls(), t.originForm(), proxy.route(dest.host(), dest.port()));
    }
    if (connect) {
      throw new HttpRefusal(400, "CONNECT inside a tunnel to " + intercept.destination());
    }
    HttpWire.Authority dest = intercept.destination();
    String originForm;
    if (req.uri().startsWith("/")) {
      originForm = HttpWire.checkOriginForm(req.uri());
    } else {
      HttpWire.Target t = HttpWire.absolute(req.uri());
      if (!t.tls() || !t.authority().equals(dest)) {
        throw new HttpRefusal(
            400, "a request inside the tunnel to " + dest + " names another destination");
      }
      originForm = t.originForm();
    }
    if (!HttpWire.sameHost(req.headers().get(HttpHeaderNames.HOST), dest, true)) {
      throw new HttpRefusal(
          400, "the Host field names another destination than the tunnel's (" + dest + ")");
    }
    return new RequestTarget(dest, true, originForm, intercept.route());
  }
}
