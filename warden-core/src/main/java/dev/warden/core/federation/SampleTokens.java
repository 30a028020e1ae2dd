package dev.warden.core.federation;

import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.KeyMaterial;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Sample federation tokens for {@code warden federation check}: signed by the active federation key
 * with the resource's audience and a real subject, so the check sees exactly what a cloud would,
 * but expired a day before they are minted ({@code iat == exp}), so no cloud accepts one even with
 * clock skew. The lifetime a real token would get is reported beside it, not written into it.
 */
public final class SampleTokens {
  /** How far in the past a sample was issued and expired. */
  public static final Duration EXPIRED_BY = Duration.ofDays(1);

  private SampleTokens() {}

  /**
   * @throws IllegalArgumentException when the target has no subject to put in the sample
   */
  public static String mint(KeyManager federationKeys, FederationTarget t, Instant now) {
    if (t.subjects().isEmpty()) {
      throw new IllegalArgumentException("no subject");
    }
    KeyMaterial key = federationKeys.keyset().active();
    Instant at = Instant.ofEpochSecond(now.minus(EXPIRED_BY).getEpochSecond());
    return AccessTokenMinter.mint(
            key,
            AccessTokenMinter.Claims.bearer(
                t.issuer(),
                t.subjects().get(0).spiffeId(),
                t.audience(),
                null,
                null,
                "sample-" + UUID.randomUUID(),
                at,
                at),
            "JWT")
        .reveal();
  }
}
