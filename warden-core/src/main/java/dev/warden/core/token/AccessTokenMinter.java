package dev.warden.core.token;

import dev.warden.core.crypto.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Writes Warden's JWT access tokens (RFC 9068 claims; header {@code typ} {@code at+jwt} by default,
 * which tells them apart from JWT-SVIDs ({@code typ: JWT}), or {@code JWT} for verifiers that
 * refuse {@code at+jwt} and cannot be told otherwise) directly as bytes: the claim set is small and
 * fixed, so hand-built JSON avoids a serializer on the hot path. Every string goes through {@link
 * #appendJsonString}, which escapes per RFC 8259.
 */
public final class AccessTokenMinter {
  private AccessTokenMinter() {}

  /**
   * The claims of one access token. {@code scope} and {@code clientId} may be null. {@link #bearer}
   * builds the common case: an unbound token a workload gets for itself.
   *
   * @param binding the key the token is bound to ({@code cnf}), {@link KeyBinding#BEARER} for none
   * @param actor the RFC 8693 {@code act} chain (current actor outermost) of a delegated token, or
   *     null
   * @param mayAct the one party (RFC 8693 section 4.4 {@code may_act.sub}) allowed to act for the
   *     subject with this token, or null when any actor the policies allow may
   * @param txn the transaction id of the transaction token the request presented, or null
   */
  public record Claims(
      String issuer,
      String subject,
      String audience,
      @Nullable String clientId,
      @Nullable String scope,
      String jti,
      Instant issuedAt,
      Instant expiresAt,
      KeyBinding binding,
      @Nullable Actor actor,
      @Nullable String mayAct,
      @Nullable String txn) {
    public Claims {
      java.util.Objects.requireNonNull(binding, "binding");
    }

    /** An unbound token, not delegated and not part of a transaction. */
    public static Claims bearer(
        String issuer,
        String subject,
        String audience,
        @Nullable String clientId,
        @Nullable String scope,
        String jti,
        Instant issuedAt,
        Instant expiresAt) {
      return new Claims(
          issuer,
          subject,
          audience,
          clientId,
          scope,
          jti,
          issuedAt,
          expiresAt,
          KeyBinding.BEARER,
          null,
          null,
          null);
    }
  }

  /** The header {@code typ} values Warden can write. */
  public static final java.util.Set<String> TYPES = java.util.Set.of("JWT", "at+jwt");

  /** Signs the claims with {@code key} under {@code typ: JWT}; the result is a compact JWS. */
  public static Secret mint(KeyMaterial key, Claims c) {
    return mint(key, c, "JWT");
  }

  /** Signs the claims with {@code key}; {@code typ} is one of {@link #TYPES}. */
  public static Secret mint(KeyMaterial key, Claims c, String typ) {
    if (!TYPES.contains(typ)) {
      throw new IllegalArgumentException("typ must be one of " + TYPES);
    }
    String header =
        "{\"alg\":\""
            + key.algorithm().name()
            + "\",\"typ\":\""
            + typ
            + "\",\"kid\":\""
            + key.kid()
            + "\"}";
    StringBuilder p = new StringBuilder(384);
    p.append("{\"iss\":");
    appendJsonString(p, c.issuer());
    p.append(",\"sub\":");
    appendJsonString(p, c.subject());
    p.append(",\"aud\":");
    appendJsonString(p, c.audience());
    p.append(",\"exp\":").append(c.expiresAt().getEpochSecond());
    p.append(",\"iat\":").append(c.issuedAt().getEpochSecond());
    p.append(",\"nbf\":").append(c.issuedAt().getEpochSecond());
    p.append(",\"jti\":");
    appendJsonString(p, c.jti());
    if (c.clientId() != null) {
      p.append(",\"client_id\":");
      appendJsonString(p, c.clientId());
    }
    if (c.scope() != null && !c.scope().isEmpty()) {
      p.append(",\"scope\":");
      appendJsonString(p, c.scope());
    }
    switch (c.binding()) {
      case KeyBinding.Bearer() -> {}
      case KeyBinding.Certificate(String thumbprint) -> {
        p.append(",\"cnf\":{\"x5t#S256\":");
        appendJsonString(p, thumbprint);
        p.append('}');
      }
      case KeyBinding.Dpop(String thumbprint) -> {
        p.append(",\"cnf\":{\"jkt\":");
        appendJsonString(p, thumbprint);
        p.append('}');
      }
    }
    if (c.actor() != null) {
      p.append(",\"act\":");
      c.actor().appendJson(p);
    }
    if (c.mayAct() != null) {
      p.append(",\"may_act\":{\"sub\":");
      appendJsonString(p, c.mayAct());
      p.append('}');
    }
    if (c.txn() != null) {
      p.append(",\"txn\":");
      appendJsonString(p, c.txn());
    }
    p.append('}');
    return Secret.of(signCompact(key, header, p.toString()));
  }

  /** Signs an arbitrary header and payload (both JSON text) into a compact JWS. */
  public static String signCompact(KeyMaterial key, String headerJson, String payloadJson) {
    byte[] h = Base64Url.encodeBytes(headerJson.getBytes(StandardCharsets.UTF_8));
    byte[] pl = Base64Url.encodeBytes(payloadJson.getBytes(StandardCharsets.UTF_8));
    byte[] input = new byte[h.length + 1 + pl.length];
    System.arraycopy(h, 0, input, 0, h.length);
    input[h.length] = '.';
    System.arraycopy(pl, 0, input, h.length + 1, pl.length);
    byte[] sig = key.sign(input);
    return new String(input, StandardCharsets.US_ASCII) + "." + Base64Url.encode(sig);
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void appendJsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
            sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    sb.append('"');
  }
}
