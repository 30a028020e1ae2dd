package dev.warden.core.token;

import dev.warden.core.lease.LeaseStore;
import dev.warden.core.trust.UnverifiedJws;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * RFC 7662 introspection of Warden's own access tokens: active only if the signature verifies under
 * a published key, the issuer is this server, it has not expired, and its lease has not been
 * revoked (for example after a leak report). This is how revocation reaches resource servers that
 * cannot wait for expiry.
 *
 * <p>The token is parsed as strictly as a platform token ({@link UnverifiedJws}: strict UTF-8 and
 * JSON in header and payload, decision 301), not by Nimbus's lenient parser, which decodes
 * malformed UTF-8 to replacement characters.
 */
public final class TokenIntrospector {
  private final WardenTokens tokens;

  /**
   * @param keys the access-token keys: a JWT-SVID is never introspected as active
   * @throws IllegalArgumentException when {@code keys} are not access-token keys
   */
  public TokenIntrospector(KeyManager keys, LeaseStore leases, Clock clock, String issuer) {
    if (keys.purpose() != dev.warden.core.keys.KeyPurpose.ACCESS_TOKEN) {
      throw new IllegalArgumentException(
          "introspection verifies access tokens, not " + keys.purpose() + " tokens");
    }
    this.tokens = new WardenTokens(keys, leases, clock, issuer);
  }

  /** The RFC 7662 response members; {@code {"active": false}} for anything not currently valid. */
  public Map<String, Object> introspect(@Nullable String token) {
    Map<String, Object> inactive = Map.of("active", false);
    if (token == null || token.length() > 16_384) {
      return inactive;
    }
    VerifiedWardenToken t;
    try {
      t = tokens.verify(token, null);
    } catch (RuntimeException e) {
      // includes DeniedException: a malformed, expired or revoked token is simply not active
      return inactive;
    }
    Map<String, Object> c = t.claims();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("active", true);
    // RFC 9449 section 6.2: a DPoP-bound token is introspected as token_type DPoP with its cnf
    out.put("token_type", t.dpopThumbprint() != null ? "DPoP" : "Bearer");
    out.put("iss", c.get("iss"));
    out.put("sub", t.subject());
    Object aud = c.get("aud");
    out.put("aud", aud instanceof List<?> l && l.size() == 1 ? string(l.get(0)) : aud);
    out.put("exp", t.expiresAt().getEpochSecond());
    out.put("iat", c.get("iat") instanceof Long iat ? iat : null);
    out.put("jti", t.jti());
    out.put("client_id", string(c.get("client_id")));
    out.put("scope", string(c.get("scope")));
    if (c.get("act") instanceof Map<?, ?> act) {
      out.put("act", act);
    }
    if (c.get("cnf") instanceof Map<?, ?> cnf) {
      out.put("cnf", cnf);
    }
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }

  private static @Nullable String string(@Nullable Object v) {
    return v instanceof String s ? s : null;
  }
}
