package dev.warden.core.token;

import org.jspecify.annotations.Nullable;

/**
 * What an access token is bound to (its {@code cnf} claim): nothing, a client certificate (RFC
 * 8705) or a DPoP key (RFC 9449). One value rather than two nullable thumbprints, so a token bound
 * to two keys cannot be expressed (decision 651).
 */
public sealed interface KeyBinding {
  /** An unbound token: whoever holds it may use it. */
  KeyBinding BEARER = new Bearer();

  /** Bound to nothing. */
  record Bearer() implements KeyBinding {}

  /**
   * Bound to the client certificate the request authenticated with.
   *
   * @param thumbprint RFC 8705 {@code x5t#S256} of the certificate
   */
  record Certificate(String thumbprint) implements KeyBinding {
    public Certificate {
      java.util.Objects.requireNonNull(thumbprint, "thumbprint");
    }
  }

  /**
   * Bound to the key of the DPoP proof the request carried.
   *
   * @param thumbprint RFC 9449 {@code jkt}: the RFC 7638 thumbprint of the DPoP key
   */
  record Dpop(String thumbprint) implements KeyBinding {
    public Dpop {
      java.util.Objects.requireNonNull(thumbprint, "thumbprint");
    }
  }

  /**
   * The binding for what a request presented: a certificate thumbprint, a DPoP key thumbprint, or
   * neither.
   *
   * @throws IllegalArgumentException when both are given: a token is bound to one key
   */
  static KeyBinding of(@Nullable String certificateThumbprint, @Nullable String dpopThumbprint) {
    if (certificateThumbprint != null && dpopThumbprint != null) {
      throw new IllegalArgumentException(
          "a token is bound to one key: a certificate or a DPoP key, not both");
    }
    if (certificateThumbprint != null) {
      return new Certificate(certificateThumbprint);
    }
    return dpopThumbprint != null ? new Dpop(dpopThumbprint) : BEARER;
  }
}
