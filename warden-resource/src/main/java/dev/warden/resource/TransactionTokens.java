package dev.warden.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code Txn-Token} header a service receives inside Warden's trust domain
 * (draft-ietf-oauth-transaction-tokens): verifies the transaction token against Warden's JWK set,
 * with header {@code typ: txntoken+jwt} (an access token or a JWT-SVID is refused), {@code iss}
 * Warden's issuer, {@code aud} the trust domain ({@code spiffe://<trust domain>}) and {@code exp}
 * not passed (30 s skew), and returns what the transaction is: its id, subject, requesting
 * workload, purpose and immutable context.
 *
 * <pre>{@code
 * TransactionTokens txns = TransactionTokens.of("example.com", "https://warden.example.com");
 * TransactionTokens.Transaction t = txns.verify(request.getHeader(TransactionTokens.HEADER));
 * if (!t.scopes().contains("order.place")) { ... }   // the purpose the service serves
 * Object sku = t.context().get("sku");                // tctx: what the transaction is about, immutable
 * }</pre>
 *
 * <p>Thread-safe; keys are cached and refreshed on an unknown {@code kid}.
 */
public final class TransactionTokens {
  /** The request header that carries a transaction token. */
  public static final String HEADER = "Txn-Token";

  /** The header {@code typ} of a transaction token. */
  public static final String TYPE = "txntoken+jwt";

  /**
   * A verified transaction.
   *
   * @param txn the transaction id, the same in every hop of the call chain
   * @param subject the principal the transaction is for ({@code sub})
   * @param requestingWorkload the workload that asked for the token ({@code req_wl})
   * @param scopes the purpose of the transaction ({@code scope})
   * @param context {@code tctx}: the immutable details of the transaction (empty when none)
   * @param requestContext {@code rctx}: where the transaction came from (empty when none)
   */
  public record Transaction(
      String txn,
      String subject,
      String requestingWorkload,
      Set<String> scopes,
      Map<String, Object> context,
      Map<String, Object> requestContext,
      Instant expiresAt) {}

  /** A transaction token that does not hold up, with the rule it broke. */
  public static final class InvalidTransactionToken extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidTransactionToken(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  private TransactionTokens(String trustDomain, String issuer, String jwksUri) {
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(URI.create(jwksUri).toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("jwksUri is not a URL: " + jwksUri, e);
    }
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(TYPE)));
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA), keys));
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            "spiffe://" + trustDomain,
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            Set.of("txn", "sub", "req_wl", "exp", "iat"));
    verifier.setMaxClockSkew(30);
    processor.setJWTClaimsSetVerifier(verifier);
  }

  /**
   * @param trustDomain the trust domain's name ({@code example.com})
   * @param issuer Warden's issuer URL; its JWK set is read from {@code <issuer>/oauth2/jwks}
   */
  public static TransactionTokens of(String trustDomain, String issuer) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(issuer, "issuer");
    return new TransactionTokens(trustDomain, issuer, issuer + "/oauth2/jwks");
  }

  /**
   * @param header the {@code Txn-Token} header's value
   * @throws InvalidTransactionToken when it is missing, malformed, not a transaction token, not
   *     Warden's, not for this trust domain or expired; the message says which
   */
  public Transaction verify(@Nullable String header) throws InvalidTransactionToken {
    if (header == null || header.isBlank()) {
      throw new InvalidTransactionToken(
          "no " + HEADER + " header: this service runs only inside a transaction", null);
    }
    JWTClaimsSet c;
    try {
      c = processor.process(header.trim(), null);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw new InvalidTransactionToken(
          "the "
              + HEADER
              + " is not a valid transaction token of this trust domain: "
              + e.getMessage(),
          e);
    }
    try {
      Set<String> scopes = new LinkedHashSet<>();
      String scope = c.getStringClaim("scope");
      if (scope != null && !scope.isBlank()) {
        scopes.addAll(List.of(scope.trim().split(" +")));
      }
      Map<String, Object> tctx = c.getJSONObjectClaim("tctx");
      Map<String, Object> rctx = c.getJSONObjectClaim("rctx");
      return new Transaction(
          c.getStringClaim("txn"),
          c.getSubject(),
          c.getStringClaim("req_wl"),
          Set.copyOf(scopes),
          tctx == null ? Map.of() : Map.copyOf(tctx),
          rctx == null ? Map.of() : Map.copyOf(rctx),
          c.getExpirationTime().toInstant());
    } catch (ParseException | NullPointerException e) {
      throw new InvalidTransactionToken("the " + HEADER + "'s claims have the wrong types", e);
    }
  }
}
