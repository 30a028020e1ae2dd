package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a caller presents to prove what it is. Each kind has one {@link Attestor}; adding a kind (a
 * Unix process seen by the agent, a cloud instance document) adds a case here and an attestor, and
 * nothing else in the grant flow changes.
 */
public sealed interface Evidence permits Evidence.PlatformToken, Evidence.ClientCertificate {

  /**
   * A JWT the workload's platform issued (a Kubernetes service-account token, a CI OIDC token),
   * sent as an RFC 7523 {@code client_assertion} or an RFC 8693 {@code subject_token}.
   */
  record PlatformToken(Secret token) implements Evidence {
    public PlatformToken {
      Objects.requireNonNull(token, "token");
    }
  }

  /** The X.509-SVID chain (leaf first) the client presented in the TLS handshake (RFC 8705). */
  record ClientCertificate(List<X509Certificate> chain) implements Evidence {
    public ClientCertificate {
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("a client certificate chain has at least the leaf");
      }
    }
  }
}
