package dev.warden.core.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Writes transaction tokens (draft-ietf-oauth-transaction-tokens): header {@code typ} {@code
 * txntoken+jwt}, signed with the access-token keys, so a resource server that already trusts
 * Warden's JWKS verifies them and tells them apart from access tokens by {@code typ}. A transaction
 * token lives at most {@link #MAX_LIFETIME} and is never refreshed.
 */
public final class TransactionTokenMinter {
  /** The header {@code typ} of a transaction token. */
  public static final String TYP = "txntoken+jwt";

  /** The longest a transaction token lives: it covers one call chain, not a session. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

  /** Bound on the JSON text of {@code request_context} and {@code request_details}. */
  public static final int MAX_CONTEXT_BYTES = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TransactionTokenMinter() {}

  /**
   * The claims of one transaction token.
   *
   * @param audience the trust domain
   * @param requestingWorkload {@code req_wl}: the SPIFFE ID of the workload that asked
   * @param tctx the immutable transaction context (from {@code request_details}), or null
   * @param rctx the request context (from {@code request_context}, with what Warden itself saw), or
   *     null
   */
  public record Claims(
      String issuer,
      String subject,
      String audience,
      String txn,
      String scope,
      String requestingWorkload,
      ObjectNode tctx,
      ObjectNode rctx,
      String jti,
      Instant issuedAt,
      Instant expiresAt) {
    public Claims {
      Objects.requireNonNull(txn, "txn");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(requestingWorkload, "requestingWorkload");
      if (Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
        throw new IllegalArgumentException("a transaction token lives at most " + MAX_LIFETIME);
      }
    }
  }

  /** Signs the claims; the result is a compact JWS. */
  public static Secret mint(KeyMaterial key, Claims c) {
    ObjectNode header = JSON.createObjectNode();
    header.put("alg", key.algorithm().name());
    header.put("typ", TYP);
    header.put("kid", key.kid());
    ObjectNode p = JSON.createObjectNode();
    p.put("iss", c.issuer());
    p.put("sub", c.subject());
    p.put("aud", c.audience());
    p.put("iat", c.issuedAt().getEpochSecond());
    p.put("exp", c.expiresAt().getEpochSecond());
    p.put("jti", c.jti());
    p.put("txn", c.txn());
    p.put("scope", c.scope());
    p.put("req_wl", c.requestingWorkload());
    if (c.tctx() != null) {
      p.set("tctx", c.tctx());
    }
    if (c.rctx() != null) {
      p.set("rctx", c.rctx());
    }
    try {
      return Secret.of(
          AccessTokenMinter.signCompact(
              key, JSON.writeValueAsString(header), JSON.writeValueAsString(p)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a {@code request_context} or {@code request_details} parameter.
   *
   * @param parameter the parameter's name, for the error
   * @return the object, or null when {@code text} is null
   * @throws DeniedException {@code invalid_request} when it is not a JSON object of at most {@link
   *     #MAX_CONTEXT_BYTES} bytes
   */
  public static @Nullable ObjectNode jsonObject(String parameter, @Nullable String text) {
    if (text == null) {
      return null;
    }
    if (text.length() > MAX_CONTEXT_BYTES) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          parameter + " is longer than " + MAX_CONTEXT_BYTES + " characters");
    }
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      n = null;
    }
    if (!(n instanceof ObjectNode o)) {
      throw new DeniedException(Reason.INVALID_REQUEST, parameter + " must be a JSON object");
    }
    return o;
  }
}
