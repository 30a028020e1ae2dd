package dev.warden.core.pki;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Mints JWT-SVIDs per the SPIFFE JWT-SVID spec: header {@code alg}, {@code kid}, {@code typ: JOSE}
 * (the spec allows JWT or JOSE; JOSE keeps them apart from access tokens, which are typed JWT);
 * claims {@code sub} (the SPIFFE ID), a non-empty {@code aud}, {@code exp}, {@code iat}.
 */
public final class JwtSvids {
  public static final int MAX_AUDIENCES = 16;
  public static final int MAX_AUDIENCE_LENGTH = 1024;

  private JwtSvids() {}

  /**
   * @throws ValidationException when the audience is missing or too large
   * @throws IllegalStateException when the key's algorithm is not one the JWT-SVID spec allows
   */
  public static String mint(
      KeyMaterial key, SpiffeId subject, List<String> audience, Duration ttl, Instant now) {
    checkAudience(audience);
    if (key.algorithm() != SigningAlgorithm.ES256) {
      // the JWT-SVID spec lists RS*, ES* and PS* only; SPIFFE libraries reject EdDSA
      throw new IllegalStateException(
          "JWT-SVIDs need an ES256 signing key but the server signs with "
              + key.algorithm()
              + "; set tokens.algorithm: ES256");
    }
    StringBuilder h = new StringBuilder("{\"alg\":\"ES256\",\"kid\":");
    AccessTokenMinter.appendJsonString(h, key.kid());
    h.append(",\"typ\":\"JOSE\"}");
    StringBuilder p = new StringBuilder("{\"sub\":");
    AccessTokenMinter.appendJsonString(p, subject.toString());
    p.append(",\"aud\":");
    if (audience.size() == 1) {
      AccessTokenMinter.appendJsonString(p, audience.getFirst());
    } else {
      p.append('[');
      for (int i = 0; i < audience.size(); i++) {
        if (i > 0) {
          p.append(',');
        }
        AccessTokenMinter.appendJsonString(p, audience.get(i));
      }
      p.append(']');
    }
    p.append(",\"exp\":").append(now.plus(ttl).getEpochSecond());
    p.append(",\"iat\":").append(now.getEpochSecond());
    p.append(",\"jti\":");
    AccessTokenMinter.appendJsonString(p, UUID.randomUUID().toString());
    p.append('}');
    return AccessTokenMinter.signCompact(key, h.toString(), p.toString());
  }

  public static void checkAudience(List<String> audience) {
    if (audience == null || audience.isEmpty()) {
      throw new ValidationException("audience", "at least one audience is required for a JWT-SVID");
    }
    if (audience.size() > MAX_AUDIENCES) {
      throw new ValidationException("audience", "at most " + MAX_AUDIENCES + " audiences");
    }
    for (String a : audience) {
      if (a == null || a.isBlank() || a.length() > MAX_AUDIENCE_LENGTH) {
        throw new ValidationException(
            "audience", "each audience must be 1.." + MAX_AUDIENCE_LENGTH + " characters");
      }
    }
  }
}
