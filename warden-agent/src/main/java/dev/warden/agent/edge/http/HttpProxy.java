package dev.warden.agent.edge.http;

import dev.warden.agent.edge.ClientTls;
import dev.warden.agent.edge.EdgeContext;
import dev.warden.agent.edge.EdgeException;
import dev.warden.agent.edge.EdgeNet;
import dev.warden.agent.edge.ListeningProxy;
import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxySpec;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP(S) egress proxy (decision 406): applications set {@code HTTP_PROXY}/{@code HTTPS_PROXY}
 * to it and hold no API credential. A request to a routed destination carries the credential of the
 * route's resource, put there by the agent for the attested caller: plain {@code http://} requests
 * directly, {@code CONNECT host:443} by terminating the application's TLS with a certificate from
 * Warden's CA for that host (which the server issues only for the host the resource declares) and
 * re-originating TLS to the destination, verified. Other destinations are tunnelled untouched, or
 * refused with {@code unlisted=refuse}.
 */
public final class HttpProxy extends ListeningProxy {
  private static final System.Logger LOG = System.getLogger(HttpProxy.class.getName());

  private record Held(ClientTls.Certificate certificate, SslContext context) {}

  private final EdgeContext context;
  private final ClientTls certificates;
  private final SSLContext upstreamTls;
  private final Map<String, Held> serverTls = new ConcurrentHashMap<>();

  /** Per SVID (a new one after each rotation), the most recent few hundred. */
  private final Map<java.math.BigInteger, SSLContext> withSvid =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<java.math.BigInteger, SSLContext> e) {
          return size() > 256;
        }
      };

  private HttpProxy(EdgeContext context, ClientTls certificates) {
    super(verifiedUpstream(context.spec()));
    this.context = context;
    this.certificates = certificates;
    this.upstreamTls = EdgeNet.verifyingContext(context.spec()); // never disabled: see above
  }

  private static ProxySpec verifiedUpstream(ProxySpec spec) {
    if (spec.upstreamTls() == ProxySpec.UpstreamTls.DISABLE) {
      throw new IllegalArgumentException(
          "upstream-tls=disable does not apply to the http proxy: an https:// "
              + "destination is always verified (http:// destinations are plaintext anyway)");
    }
    return spec;
  }

  /**
   * Binds the listener on {@code group}.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound (the message names it)
   */
  public static HttpProxy start(EdgeContext context, ClientTls certificates, EventLoopGroup group) {
    HttpProxy p = new HttpProxy(context, certificates);
    p.listen(
        group,
        () ->
            new io.grpc.netty.shaded.io.netty.channel.ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(HttpFrontend.CODEC, HttpFrontend.codec());
                ch.pipeline().addLast(new HttpFrontend(p, null, null, null));
              }
            });
    LOG.log(
        System.Logger.Level.INFO,
        "http proxy listening on "
            + context.spec().where()
            + " with "
            + context.spec().routes().size()
            + " route(s); unlisted destinations are "
            + (context.spec().refuseUnlisted() ? "refused" : "tunnelled"));
    return p;
  }

  /** The route for this destination, or null. */
  @Nullable HttpRoute route(String host, int port) {
    for (HttpRoute r : context.spec().routes()) {
      if (r.matches(host, port)) {
        return r;
      }
    }
    return null;
  }

  /**
   * TLS towards the application for an intercepted destination: Warden's certificate for the host,
   * asked from the server (blocking: call it off the event loop), renewed by the certificate
   * source.
   */
  SslContext serverTls(String resource, String host) throws EdgeException {
    ClientTls.Certificate c = certificates.destinationCertificate(resource, host);
    if (!namesOnly(c.chain().getFirst(), host)) {
      // a server that predates destination certificates answers its loopback edge certificate,
      // which must never stand in for a destination (it names 127.0.0.1)
      throw new EdgeException(
          EdgeException.Kind.FAILED,
          "the Warden server answered a certificate that does not "
              + "name "
              + host
              + " alone (does it predate destination certificates? upgrade it)");
    }
    String key = resource + "\n" + host;
    Held h = serverTls.get(key);
    if (h != null && h.certificate() == c) {
      return h.context();
    }
    try {
      SslContext ctx =
          SslContextBuilder.forServer(c.key(), c.chain().toArray(new X509Certificate[0]))
              .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
              .protocols("TLSv1.3", "TLSv1.2")
              .build();
      serverTls.put(key, new Held(c, ctx));
      return ctx;
    } catch (javax.net.ssl.SSLException e) {
      throw new EdgeException(
          EdgeException.Kind.FAILED,
          "cannot use the certificate for " + host + ": " + e.getMessage());
    }
  }

  /**
   * Whether the certificate names this host and no other host or address (a SPIFFE ID URI aside).
   */
  static boolean namesOnly(X509Certificate cert, String host) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return false;
      }
      boolean named = false;
      for (var san : sans) {
        int type = (Integer) san.get(0);
        if (type == 2 && host.equalsIgnoreCase(String.valueOf(san.get(1)))) {
          named = true;
        } else if (type != 6) {
          return false;
        }
      }
      return named;
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
  }

  SSLContext upstreamTls() {
    return upstreamTls;
  }

  /**
   * TLS to a destination presenting the workload's X.509-SVID as the client certificate: a Warden
   * access token obtained over mTLS is bound to that certificate (RFC 8705 {@code cnf}), so a
   * destination enforcing the binding sees the certificate the token names.
   */
  SSLContext upstreamTls(X509Svid svid) throws EdgeException {
    java.math.BigInteger serial = svid.chain().getFirst().getSerialNumber();
    synchronized (withSvid) {
      SSLContext c = withSvid.get(serial);
      if (c != null) {
        return c;
      }
      try {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
            "svid", svid.privateKey(), new char[0], svid.chain().toArray(new X509Certificate[0]));
        javax.net.ssl.KeyManagerFactory kmf =
            javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), EdgeNet.upstreamTrust(context.spec()), null);
        withSvid.put(serial, c);
        return c;
      } catch (java.io.IOException | java.security.GeneralSecurityException e) {
        throw new EdgeException(
            EdgeException.Kind.FAILED,
            "cannot present the SVID of " + svid.id() + ": " + e.getMessage());
      }
    }
  }

  EdgeContext context() {
    return context;
  }
}
