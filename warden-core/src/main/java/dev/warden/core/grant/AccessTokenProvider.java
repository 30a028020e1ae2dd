package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.KeyMaterial;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Warden's own credential: a JWT access token (RFC 9068 claims) signed with the active access-token key. */
public final class AccessTokenProvider implements CredentialProvider {
  private final KeyManager keys;
  private final String issuer;
  private final String tokenType;

  /** @param tokenType the header {@code typ}: {@code JWT} or {@code at+jwt} */
  public AccessTokenProvider(KeyManager keys, String issuer, String tokenType) {
    if (!AccessTokenMinter.TYPES.contains(tokenType)) {
      throw new IllegalArgumentException("typ must be one of " + AccessTokenMinter.TYPES);
    }
    this.keys = keys;
    this.issuer = issuer;
    this.tokenType = tokenType;
  }

  @Override
  public CredentialKind kind() {
    return CredentialKind.ACCESS_TOKEN;
  }

  @Override
  public IssuedCredential issue(Issuance in) {
    // whole seconds: JWT NumericDate, and expires_in must agree with exp exactly
    Instant iat = Instant.ofEpochSecond(in.now().getEpochSecond());
    Instant exp = Instant.ofEpochSecond(in.notAfter().getEpochSecond());
    String jti = UUID.randomUUID().toString();
    String scope = in.scopes().isEmpty() ? null : String.join(" ", in.scopes());
    KeyMaterial key = keys.keyset().active();
    // client_id is the attested workload, never the request's parameter (checked equal, or absent)
    Secret token = AccessTokenMinter.mint(key, new AccessTokenMinter.Claims(issuer, in.workload().name(),
        in.resource().audience(), in.workload().name(), scope, jti, iat, exp, in.certificateThumbprint()), tokenType);
    Map<String, String> details = new HashMap<>();
    details.put("kid", key.kid());
    if (in.certificateThumbprint() != null) {
      details.put("x5t#S256", in.certificateThumbprint());
    }
    return new IssuedCredential(CredentialKind.ACCESS_TOKEN, token, jti, iat, exp, details);
  }
}
