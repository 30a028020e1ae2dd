package dev.warden.server.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * An authorization request waiting for the user to sign in upstream, carried through the identity
 * provider as its {@code state}: sealed with the master key (AEAD, so any node can open it and no
 * one can read or change it), bound to the browser that started it (the SHA-256 of a random value
 * in an HttpOnly cookie, against login CSRF), and valid {@value #LIFETIME_SECONDS} s.
 *
 * @param clientState the client's {@code state}, or null
 * @param scope the requested scopes, or null
 * @param nonce sent to the identity provider, expected back in the ID token
 * @param upstreamVerifier the PKCE verifier of Warden's own request to the identity provider
 * @param browserHash hex SHA-256 of the browser-binding cookie's value
 */
public record LoginState(
    String clientId,
    String redirectUri,
    @Nullable String clientState,
    String codeChallenge,
    String resource,
    @Nullable String scope,
    String nonce,
    String upstreamVerifier,
    String browserHash,
    long expiresAt) {
  public static final long LIFETIME_SECONDS = 600;
  private static final String CONTEXT = "warden/login-state/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cookie's value hashed as stored here. */
  public static String hashBrowser(String cookieValue) {
    return HexFormat.of().formatHex(Hashes.sha256(cookieValue));
  }

  /** True while the login may still complete. */
  public boolean liveAt(Instant now) {
    return now.getEpochSecond() < expiresAt;
  }

  /** Seals this state into a URL-safe string. */
  public String seal(SecretBox box) {
    ObjectNode n = JSON.createObjectNode();
    n.put("c", clientId)
        .put("r", redirectUri)
        .put("s", clientState)
        .put("ch", codeChallenge)
        .put("res", resource)
        .put("sc", scope)
        .put("n", nonce)
        .put("v", upstreamVerifier)
        .put("b", browserHash)
        .put("e", expiresAt);
    byte[] sealed = box.encrypt(n.toString().getBytes(StandardCharsets.UTF_8), CONTEXT);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
  }

  /**
   * Opens a sealed state.
   *
   * @return the state, or null when it is not one this installation sealed (or was changed)
   */
  public static @Nullable LoginState open(SecretBox box, @Nullable String sealed) {
    if (sealed == null || sealed.isEmpty() || sealed.length() > 8192) {
      return null;
    }
    try {
      byte[] plain = box.decrypt(Base64.getUrlDecoder().decode(sealed), CONTEXT);
      JsonNode n = JSON.readTree(plain);
      String clientId = text(n, "c");
      String redirectUri = text(n, "r");
      String codeChallenge = text(n, "ch");
      String resource = text(n, "res");
      String nonce = text(n, "n");
      String verifier = text(n, "v");
      String browser = text(n, "b");
      if (clientId == null
          || redirectUri == null
          || codeChallenge == null
          || resource == null
          || nonce == null
          || verifier == null
          || browser == null) {
        return null; // seal() writes every one of them: not a state sealed here
      }
      return new LoginState(
          clientId,
          redirectUri,
          text(n, "s"),
          codeChallenge,
          resource,
          text(n, "sc"),
          nonce,
          verifier,
          browser,
          n.path("e").asLong());
    } catch (IllegalArgumentException | java.io.IOException | IllegalStateException e) {
      return null;
    } catch (RuntimeException e) {
      if (e.getCause() instanceof GeneralSecurityException) {
        return null;
      }
      throw e;
    }
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
