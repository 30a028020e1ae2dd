package dev.warden.core.oauth;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * RFC 7636 proof key for code exchange, method {@code S256} only: {@code plain} would let whoever
 * sees the authorization request redeem the code, and OAuth 2.1 and the MCP specification require
 * S256 wherever a client can compute it.
 */
public final class Pkce {
  private Pkce() {}

  /**
   * Checks an authorization request's challenge.
   *
   * @throws DeniedException {@code invalid_request} when the method is not {@code S256} or the
   *     challenge is not 43 base64url characters (a SHA-256)
   */
  public static void checkChallenge(@Nullable String challenge, @Nullable String method) {
    if (challenge == null) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "code_challenge is required (PKCE, RFC 7636) with" + " code_challenge_method=S256");
    }
    if (!"S256".equals(method)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "code_challenge_method must be S256; plain and a missing" + " method are refused");
    }
    if (challenge.length() != 43 || !isBase64Url(challenge)) {
      throw new DeniedException(
          Reason.INVALID_REQUEST,
          "code_challenge must be the base64url SHA-256 of the"
              + " code_verifier: 43 characters of A-Z a-z 0-9 - _");
    }
  }

  /**
   * Checks a token request's verifier against the stored challenge, in constant time.
   *
   * @throws DeniedException {@code pkce_mismatch} when the verifier is malformed or does not match
   */
  public static void verify(String verifier, String challenge) {
    if (verifier == null
        || verifier.length() < 43
        || verifier.length() > 128
        || !isUnreserved(verifier)) {
      throw new DeniedException(
          Reason.PKCE_MISMATCH,
          "code_verifier must be 43 to 128 characters of"
              + " A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)");
    }
    byte[] computed =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encode(Hashes.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
    if (!Hashes.constantTimeEquals(computed, challenge.getBytes(StandardCharsets.US_ASCII))) {
      throw new DeniedException(
          Reason.PKCE_MISMATCH,
          "code_verifier does not match the code_challenge of the" + " authorization request");
    }
  }

  /** The S256 challenge of a verifier. */
  public static String challengeOf(String verifier) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Hashes.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  private static boolean isBase64Url(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUnreserved(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~')) {
        return false;
      }
    }
    return true;
  }
}
