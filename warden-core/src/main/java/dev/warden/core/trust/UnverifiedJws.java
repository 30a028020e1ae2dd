package dev.warden.core.trust;

import dev.warden.core.error.DeniedException;
import java.util.Map;

/**
 * A compact JWS parsed by the same strict rules as platform tokens (decision 301: 16 KiB, base64url
 * alphabet, strict UTF-8 in header and payload, strict JSON), for code outside this package that
 * verifies the signature itself — the introspection of Warden's own access tokens. Nothing in it
 * may be trusted until that signature is checked over {@link #signingInput()}.
 */
public final class UnverifiedJws {
  private final ParsedJwt jwt;

  private UnverifiedJws(ParsedJwt jwt) {
    this.jwt = jwt;
  }

  /**
   * Parses a compact JWS without verifying it.
   *
   * @throws DeniedException TOKEN_TOO_LARGE or MALFORMED_TOKEN, with a message that does not quote
   *     the token
   */
  public static UnverifiedJws parse(String token) {
    ParsedJwt.checkShape(token);
    return new UnverifiedJws(ParsedJwt.parse(token));
  }

  /**
   * The protected header of a compact JWS, read without looking at the rest of the token: for
   * choosing how to verify a token, which is then parsed whole by {@link #parse} or by the trust
   * providers. The header part is held to the same rules as in {@link #parse}; nothing in it may be
   * trusted.
   *
   * @throws DeniedException TOKEN_TOO_LARGE, or MALFORMED_TOKEN when there is no header part or it
   *     is not canonical base64url of a strict JSON object
   */
  public static Map<String, Object> headerOf(String token) {
    return ParsedJwt.header(token);
  }

  /** The protected header, immutable (JSON numbers are Long, BigInteger or Double). */
  public Map<String, Object> header() {
    return jwt.header();
  }

  /** The claims, immutable, not yet verified. */
  public Map<String, Object> claims() {
    return jwt.claims();
  }

  /** The ASCII bytes of {@code header.payload}, exactly as signed. */
  public byte[] signingInput() {
    return jwt.signingInput().clone();
  }

  /** The signature, still base64url-encoded. */
  public String signature() {
    return jwt.signature();
  }
}
