package dev.warden.core.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.crypto.Secret;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads an upstream token endpoint's answer (RFC 6749 sections 5.1 and 5.2), which is outside
 * input: a successful answer must be a JSON object with a non-empty {@code access_token} of visible
 * ASCII, {@code token_type} {@code Bearer} (any case; Warden hands out bearer tokens only), an
 * optional positive whole {@code expires_in} and an optional {@code scope}. An error answer yields
 * its {@code error} code only: its {@code error_description} is never kept, since a server may
 * quote what it was sent there.
 */
public final class UpstreamTokenResponse {
  /** The longest answer read; longer ones are refused, not truncated. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  static final int MAX_TOKEN_CHARS = 16 * 1024;
  static final long MAX_EXPIRES_IN = Duration.ofDays(366).toSeconds();
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private UpstreamTokenResponse() {}

  /**
   * A token the upstream issued.
   *
   * @param expiresIn its lifetime as the upstream stated it, or null when it said nothing
   * @param scope the scope it says it granted, or null (RFC 6749: then as requested)
   */
  public record Token(Secret accessToken, @Nullable Duration expiresIn, @Nullable String scope) {}

  /**
   * The answer was not a token. The message says what was wrong in words safe to show (it never
   * quotes the body).
   */
  public static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final @Nullable String error;

    Invalid(int status, @Nullable String error, String message) {
      super(message, null, false, false);
      this.status = status;
      this.error = error;
    }

    /** The HTTP status of the answer. */
    public int status() {
      return status;
    }

    /** The RFC 6749 section 5.2 {@code error} code of an error answer, or null. */
    public @Nullable String error() {
      return error;
    }
  }

  /**
   * Reads one answer.
   *
   * @throws Invalid when it is not a usable bearer token, or an error answer
   */
  public static Token parse(UpstreamTokenClient.Response r) {
    byte[] body = r.body();
    int status = r.status();
    if (body.length > MAX_BODY_BYTES) {
      throw new Invalid(
          status,
          null,
          "the answer (HTTP " + status + ") is longer than " + MAX_BODY_BYTES + " bytes");
    }
    if (status != 200) {
      String error = status >= 400 && status < 500 ? errorCode(body) : null;
      throw new Invalid(
          status, error, "HTTP " + status + (error == null ? "" : " with error " + error));
    }
    JsonNode n = json(body, r.contentType());
    if (!n.isObject()) {
      throw new Invalid(status, null, "the answer is JSON but not an object");
    }
    String token = string(n, "access_token");
    if (token == null || token.isEmpty()) {
      throw new Invalid(status, null, "the answer has no access_token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new Invalid(
          status, null, "the access_token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    if (!visibleAscii(token)) {
      throw new Invalid(status, null, "the access_token has characters other than visible ASCII");
    }
    String type = string(n, "token_type");
    if (type == null) {
      throw new Invalid(
          status, null, "the answer has no token_type (RFC 6749 section 5.1 requires it)");
    }
    if (!type.toLowerCase(Locale.ROOT).equals("bearer")) {
      throw new Invalid(
          status,
          null,
          "token_type is '"
              + (visibleAscii(type) && type.length() <= 32 ? type : "?")
              + "', not Bearer; Warden hands out bearer tokens only");
    }
    Duration expiresIn = expiresIn(n.get("expires_in"), status);
    String scope = string(n, "scope");
    if (scope != null
        && (scope.length() > 4096 || !scope.chars().allMatch(c -> c >= 0x20 && c <= 0x7e))) {
      throw new Invalid(status, null, "scope is not a list of RFC 6749 scope tokens");
    }
    return new Token(
        Secret.of(token), expiresIn, scope == null || scope.isBlank() ? null : scope.trim());
  }

  private static JsonNode json(byte[] body, @Nullable String contentType) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw new Invalid(200, null, "the answer is empty");
      }
      return n;
    } catch (JsonProcessingException e) {
      String ct =
          contentType == null
              ? "no content type"
              : contentType.length() > 64
                  ? "content type " + contentType.substring(0, 64)
                  : "content type " + contentType;
      throw new Invalid(
          200,
          null,
          "the answer is not JSON (" + (visibleAscii(ct.replace(' ', '_')) ? ct : "?") + ")");
    } catch (IOException e) {
      throw new Invalid(200, null, "the answer could not be read");
    }
  }

  /** A string member, or null when absent or JSON null; any other type is refused. */
  private static @Nullable String string(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Invalid(200, null, field + " must be a string");
    }
    return v.textValue();
  }

  /** A positive whole number of seconds (some servers send it as a string of digits). */
  private static @Nullable Duration expiresIn(@Nullable JsonNode v, int status) {
    if (v == null || v.isNull()) {
      return null;
    }
    long s;
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      s = v.longValue();
    } else if (v.isTextual() && v.textValue().matches("[0-9]{1,12}")) {
      s = Long.parseLong(v.textValue());
    } else {
      throw new Invalid(status, null, "expires_in must be a whole number of seconds");
    }
    if (s <= 0) {
      throw new Invalid(
          status, null, "expires_in must be positive (the token would already have expired)");
    }
    if (s > MAX_EXPIRES_IN) {
      throw new Invalid(status, null, "expires_in is longer than a year");
    }
    return Duration.ofSeconds(s);
  }

  /**
   * The {@code error} of an RFC 6749 section 5.2 answer when it is a well-formed code, else null.
   */
  private static @Nullable String errorCode(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode e = n == null ? null : n.get("error");
      if (e != null
          && e.isTextual()
          && !e.textValue().isEmpty()
          && e.textValue().length() <= 64
          && e.textValue()
              .chars()
              .allMatch(
                  c ->
                      c == '_'
                          || c == '-'
                          || c == '.'
                          || (c >= 'a' && c <= 'z')
                          || (c >= 'A' && c <= 'Z')
                          || (c >= '0' && c <= '9'))) {
        return e.textValue();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean visibleAscii(String s) {
    return s.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
  }
}
