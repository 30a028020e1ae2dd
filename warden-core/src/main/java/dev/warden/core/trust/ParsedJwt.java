package dev.warden.core.trust;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A compact JWS split and decoded, not yet verified: nothing here may be trusted until a provider
 * checked the signature. Parsing is strict: exactly three parts of base64url characters (no
 * padding), header and payload JSON objects (see {@link StrictJson}).
 *
 * @param signingInput the ASCII bytes of {@code header.payload}, exactly as signed
 * @param signature the third part, still base64url-encoded
 */
record ParsedJwt(
    Map<String, Object> header, Map<String, Object> claims, byte[] signingInput, String signature) {
  /** Tokens longer than this are refused before any parsing. */
  static final int MAX_TOKEN_LENGTH = 16 * 1024;

  /**
   * Checks only that there is a token and that it is not too large: what must hold before anything
   * reads the token whole (hashes it, say).
   *
   * @throws DeniedException TOKEN_TOO_LARGE or MALFORMED_TOKEN
   */
  static void checkSize(String token) {
    if (token == null || token.isEmpty()) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "no token was given");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new DeniedException(
          Reason.TOKEN_TOO_LARGE,
          "the token is "
              + token.length()
              + " characters long; at most "
              + MAX_TOKEN_LENGTH
              + " are accepted");
    }
  }

  /**
   * Checks the size and the alphabet of {@code token} without decoding anything; a token that
   * passes consists only of base64url characters and exactly two dots.
   *
   * @throws DeniedException TOKEN_TOO_LARGE or MALFORMED_TOKEN
   */
  static void checkShape(String token) {
    checkSize(token);
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!isBase64Url(c)) {
        throw new DeniedException(
            Reason.MALFORMED_TOKEN,
            "the token contains a character that is neither base64url nor '.' (at offset "
                + i
                + ")");
      }
    }
    if (dots == 4) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the token is an encrypted JWT (JWE); only signed JWTs (compact JWS) are accepted");
    }
    if (dots != 2) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the token is not a compact JWS: expected three base64url parts separated by '.'");
    }
  }

  /**
   * Splits and decodes a token that passed {@link #checkShape}.
   *
   * @throws DeniedException MALFORMED_TOKEN naming the part that is wrong
   */
  static ParsedJwt parse(String token) {
    int d1 = token.indexOf('.');
    int d2 = token.indexOf('.', d1 + 1);
    if (d1 == 0 || d2 == d1 + 1) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "the token header or payload is empty");
    }
    Map<String, Object> header = decode(token, 0, d1, "header");
    Map<String, Object> claims = decode(token, d1 + 1, d2, "payload");
    byte[] signingInput = token.substring(0, d2).getBytes(StandardCharsets.US_ASCII);
    return new ParsedJwt(header, claims, signingInput, token.substring(d2 + 1));
  }

  /**
   * The protected header alone, by the same rules as {@link #parse} for that part, without scanning
   * the rest of the token: for telling token shapes apart before one is parsed whole.
   *
   * @throws DeniedException TOKEN_TOO_LARGE, or MALFORMED_TOKEN when the header part is missing,
   *     empty or not canonical base64url of a strict JSON object
   */
  static Map<String, Object> header(String token) {
    checkSize(token);
    int d1 = token.indexOf('.');
    if (d1 <= 0) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the token is not a compact JWS: its header part is missing");
    }
    return decode(token, 0, d1, "header");
  }

  /** Decodes base64url without padding; null when the text is not canonical base64url. */
  static byte[] base64Url(String s) {
    if (s.length() % 4 == 1) {
      return null;
    }
    try {
      return Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Map<String, Object> decode(String token, int from, int to, String part) {
    byte[] bytes = base64Url(token.substring(from, to));
    if (bytes == null) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the token " + part + " is not valid base64url");
    }
    try {
      return StrictJson.parseObject(bytes);
    } catch (StrictJson.MalformedJsonException e) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "the token " + part + " " + e.getMessage());
    }
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }
}
