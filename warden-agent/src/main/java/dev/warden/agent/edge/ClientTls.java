package dev.warden.agent.edge;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * TLS between the application and the agent: a certificate from the trust domain's CA naming {@code
 * <resource>.warden.internal} and the loopback names, so a client that trusts Warden's bundle can
 * use {@code sslmode=verify-full} against the proxy.
 */
public interface ClientTls {
  /**
   * A server certificate with its key for the proxy of this resource, renewed before it expires.
   */
  record Certificate(List<X509Certificate> chain, PrivateKey key, Instant expiresAt) {
    public Certificate {
      chain = List.copyOf(chain);
    }
  }

  /**
   * @throws EdgeException when the server cannot be asked and no valid certificate is held
   */
  Certificate certificate(String resource) throws EdgeException;

  /**
   * A server certificate naming {@code host}, an outside destination that {@code resource} declares
   * as its own (the server checks), for the HTTP egress proxy to terminate an application's TLS to
   * that host (decision 406).
   *
   * @throws EdgeException when the server refuses (DENIED) or cannot be asked and none is held
   */
  default Certificate destinationCertificate(String resource, String host) throws EdgeException {
    throw new EdgeException(
        EdgeException.Kind.FAILED, "this agent cannot obtain certificates for destinations");
  }
}
