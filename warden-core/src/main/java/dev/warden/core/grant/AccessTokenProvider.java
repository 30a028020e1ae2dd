package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.FederationCloud;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyBinding;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.KeyMaterial;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Warden's own credential: a JWT access token (RFC 9068 claims) signed with the active access-token
 * key. For a cloud federation resource (kind {@code aws}, {@code gcp}, {@code azure}) the token is
 * signed with the active federation key instead (RS256 by default), typed {@code JWT}, lives at
 * most {@link FederationCloud#MAX_LIFETIME}, carries the workload's SPIFFE ID as {@code sub} only
 * if that cloud can store it, and has no {@code client_id} or {@code scope}, which no cloud reads
 * (decision 115).
 */
public final class AccessTokenProvider implements CredentialProvider {
  /**
   * The detail of an issued credential, and of its audit event, that names the DPoP key it is bound
   * to (RFC 9449 {@code cnf.jkt}); a federation token is never bound (no cloud checks a proof).
   */
  static final String DPOP_BINDING = "jkt";

  /**
   * The detail that names the client certificate a token is bound to (RFC 8705 {@code x5t#S256}).
   */
  static final String CERTIFICATE_BINDING = "x5t#S256";

  /**
   * The key a credential issued with {@code details} is bound to, as this provider recorded it;
   * {@link KeyBinding#BEARER} for the credentials of every other provider.
   */
  static KeyBinding binding(Map<String, String> details) {
    String jkt = details.get(DPOP_BINDING);
    if (jkt != null) {
      return new KeyBinding.Dpop(jkt);
    }
    String x5t = details.get(CERTIFICATE_BINDING);
    return x5t != null ? new KeyBinding.Certificate(x5t) : KeyBinding.BEARER;
  }

  private final KeyManager keys;
  private final KeyManager federationKeys;
  private final String issuer;
  private final String tokenType;

  /**
   * @param tokenType the header {@code typ}: {@code JWT} or {@code at+jwt}
   */
  public AccessTokenProvider(KeyManager keys, String issuer, String tokenType) {
    this(keys, issuer, tokenType, null);
  }

  /**
   * @param federationKeys the federation keys, or null when federation is off (a cloud resource is
   *     then refused)
   * @throws IllegalArgumentException when a key manager has the wrong purpose or {@code tokenType}
   *     is unknown
   */
  public AccessTokenProvider(
      KeyManager keys, String issuer, String tokenType, KeyManager federationKeys) {
    if (!AccessTokenMinter.TYPES.contains(tokenType)) {
      throw new IllegalArgumentException("typ must be one of " + AccessTokenMinter.TYPES);
    }
    if (keys.purpose() != KeyPurpose.ACCESS_TOKEN
        || federationKeys != null && federationKeys.purpose() != KeyPurpose.FEDERATION) {
      throw new IllegalArgumentException("access-token keys first, federation keys (or null) last");
    }
    this.keys = keys;
    this.issuer = issuer;
    this.tokenType = tokenType;
    this.federationKeys = federationKeys;
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
    FederationCloud cloud = in.resource().cloud();
    if (cloud != null) {
      return federated(in, cloud, iat, exp, jti);
    }
    String scope = in.scopes().isEmpty() ? null : String.join(" ", in.scopes());
    KeyMaterial key = keys.keyset().active();
    // client_id is the attested workload, never the request's parameter (checked equal, or absent)
    // sub is whom the token is for; client_id and the outermost act are the workload that asked
    Secret token =
        AccessTokenMinter.mint(
            key,
            new AccessTokenMinter.Claims(
                issuer,
                in.tokenSubject(),
                in.resource().audience(),
                in.workload().name(),
                scope,
                jti,
                iat,
                exp,
                in.binding(),
                in.actor(),
                in.decision().mayAct(),
                in.txn()),
            tokenType);
    Map<String, String> details = new HashMap<>();
    details.put("kid", key.kid());
    switch (in.binding()) {
      case KeyBinding.Bearer() -> {}
      case KeyBinding.Certificate(String thumbprint) ->
          details.put(CERTIFICATE_BINDING, thumbprint);
      case KeyBinding.Dpop(String thumbprint) -> details.put(DPOP_BINDING, thumbprint);
    }
    return new IssuedCredential(CredentialKind.ACCESS_TOKEN, token, jti, iat, exp, details);
  }

  /**
   * @throws DeniedException {@code credential_kind_unsupported} when federation is off or the
   *     workload's SPIFFE ID does not fit the cloud's subject limit
   */
  private IssuedCredential federated(
      Issuance in, FederationCloud cloud, Instant iat, Instant notAfter, String jti) {
    if (federationKeys == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '"
              + in.resource().name()
              + "' is a "
              + cloud.kind()
              + " federation target, but federation is off on this server; set federation.enabled: true");
    }
    String subject = in.workload().name();
    String problem = cloud.subjectProblem(subject);
    if (problem != null) {
      throw new DeniedException(Reason.CREDENTIAL_KIND_UNSUPPORTED, problem);
    }
    Instant cap = iat.plus(FederationCloud.MAX_LIFETIME);
    Instant exp = notAfter.isAfter(cap) ? cap : notAfter;
    KeyMaterial key = federationKeys.keyset().active();
    // typ JWT: the clouds document plain JWTs; at+jwt would be a guess at what they tolerate
    Secret token =
        AccessTokenMinter.mint(
            key,
            AccessTokenMinter.Claims.bearer(
                issuer, subject, in.resource().audience(), null, null, jti, iat, exp),
            "JWT");
    return new IssuedCredential(
        CredentialKind.ACCESS_TOKEN,
        token,
        jti,
        iat,
        exp,
        Map.of("kid", key.kid(), "cloud", cloud.kind()));
  }
}
