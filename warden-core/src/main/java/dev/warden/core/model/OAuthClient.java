package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How Warden obtains access tokens for an {@code oauth-client} resource: the upstream authorization
 * server's token endpoint, the OAuth client Warden is registered there as, how that client
 * authenticates (RFC 6749 section 2.3.1 basic or post, or an RFC 7523 {@code private_key_jwt}
 * assertion), and what it asks for. The client secret or private key is never part of it: it names
 * a <em>target secret</em>, stored write-only through {@code /v1/target-secrets} and kept sealed.
 *
 * @param tokenUrl the upstream token endpoint: {@code https}, or {@code http} only on a loopback
 *     host (a local test or development server); no user info, no fragment
 * @param secret the name of the target secret holding the client secret ({@code client_secret_*})
 *     or the PEM PKCS#8 private key ({@code private_key_jwt})
 * @param signingAlg the JWS algorithm of the client assertion ({@code private_key_jwt} only)
 * @param keyId the {@code kid} header of the client assertion, or null
 * @param scopes what Warden asks for; a policy with scopes narrows a grant to a subset of them
 * @param audience sent as the {@code audience} parameter (Auth0 and others), or null
 * @param resourceIndicator sent as the RFC 8707 {@code resource} parameter, or null
 * @param defaultExpiresIn how long a token lives when the upstream answer has no {@code expires_in}
 * @param revocationUrl the upstream's RFC 7009 revocation endpoint, or null: where a token reported
 *     leaked is revoked (same rules as {@code tokenUrl})
 */
public record OAuthClient(
    String tokenUrl,
    String clientId,
    AuthMethod authMethod,
    String secret,
    @Nullable String signingAlg,
    @Nullable String keyId,
    List<String> scopes,
    @Nullable String audience,
    @Nullable String resourceIndicator,
    Duration defaultExpiresIn,
    @Nullable String revocationUrl) {

  /**
   * When the upstream does not say how long its token lives, Warden assumes this, and refetches
   * sooner rather than later.
   */
  public static final Duration DEFAULT_EXPIRES_IN = Duration.ofMinutes(5);

  /** JWS algorithms Warden signs client assertions with. */
  public static final Set<String> SIGNING_ALGS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  static final int MAX_SCOPES = 50;

  /**
   * RFC 6749 section 2.3 and OpenID Connect Core section 9: how the client authenticates at the
   * token endpoint.
   */
  public enum AuthMethod {
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    PRIVATE_KEY_JWT;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws ValidationException naming the methods there are
     */
    public static AuthMethod fromWire(String wire) {
      for (AuthMethod m : values()) {
        if (m.wire().equals(wire)) {
          return m;
        }
      }
      throw new ValidationException(
          "spec.oauth.authMethod",
          "'"
              + wire
              + "' is not allowed; use one of "
              + Arrays.stream(values()).map(AuthMethod::wire).toList());
    }
  }

  /** A client whose upstream has no revocation endpoint. */
  public OAuthClient(
      String tokenUrl,
      String clientId,
      AuthMethod authMethod,
      String secret,
      @Nullable String signingAlg,
      @Nullable String keyId,
      List<String> scopes,
      @Nullable String audience,
      @Nullable String resourceIndicator,
      Duration defaultExpiresIn) {
    this(
        tokenUrl,
        clientId,
        authMethod,
        secret,
        signingAlg,
        keyId,
        scopes,
        audience,
        resourceIndicator,
        defaultExpiresIn,
        null);
  }

  public OAuthClient {
    checkUrl("spec.oauth.tokenUrl", tokenUrl);
    if (revocationUrl != null) {
      checkUrl("spec.oauth.revocationUrl", revocationUrl);
    }
    text("spec.oauth.clientId", clientId, 512);
    authMethod = authMethod == null ? AuthMethod.CLIENT_SECRET_BASIC : authMethod;
    if (authMethod == AuthMethod.CLIENT_SECRET_BASIC && clientId.indexOf(':') >= 0) {
      // RFC 7617: the user-id of Basic credentials cannot contain a colon (RFC 6749 form-encodes it
      // first, but
      // servers disagree on decoding it); client_secret_post sends it as it is
      throw new ValidationException(
          "spec.oauth.clientId",
          "contains ':', which client_secret_basic cannot carry"
              + " reliably; use authMethod: client_secret_post");
    }
    Names.check(
        "spec.oauth."
            + (authMethod == AuthMethod.PRIVATE_KEY_JWT
                ? "privateKeySecret"
                : "clientSecretSecret"),
        secret);
    if (authMethod == AuthMethod.PRIVATE_KEY_JWT) {
      signingAlg = signingAlg == null ? "RS256" : signingAlg;
      if (!SIGNING_ALGS.contains(signingAlg)) {
        throw new ValidationException(
            "spec.oauth.signingAlg",
            "'"
                + signingAlg
                + "' is not allowed; use one of "
                + new java.util.TreeSet<>(SIGNING_ALGS));
      }
      if (keyId != null) {
        text("spec.oauth.keyId", keyId, 256);
      }
    } else if (signingAlg != null || keyId != null) {
      throw new ValidationException(
          "spec.oauth." + (signingAlg != null ? "signingAlg" : "keyId"),
          "applies only to authMethod: private_key_jwt");
    }
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    if (scopes.size() > MAX_SCOPES) {
      throw new ValidationException(
          "spec.oauth.scopes", "lists more than " + MAX_SCOPES + " scopes");
    }
    for (String s : scopes) {
      // RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
      if (s.isEmpty()
          || s.length() > 256
          || !s.chars()
              .allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) {
        throw new ValidationException(
            "spec.oauth.scopes",
            "'"
                + printable(s)
                + "' is not an RFC 6749 scope token"
                + " (printable ASCII, no space, quote or backslash)");
      }
    }
    if (Set.copyOf(scopes).size() != scopes.size()) {
      throw new ValidationException("spec.oauth.scopes", "lists a scope twice");
    }
    if (audience != null) {
      text("spec.oauth.audience", audience, 2048);
    }
    if (resourceIndicator != null) {
      absolute("spec.oauth.resource", resourceIndicator);
    }
    defaultExpiresIn = defaultExpiresIn == null ? DEFAULT_EXPIRES_IN : defaultExpiresIn;
    if (defaultExpiresIn.compareTo(Duration.ofSeconds(10)) < 0
        || defaultExpiresIn.compareTo(AccessPolicy.MAX_TTL_LIMIT) > 0) {
      throw new ValidationException(
          "spec.oauth.defaultExpiresIn",
          "must be between 10s and 24h, got " + Durations.format(defaultExpiresIn));
    }
  }

  /** The field that names the secret, as the document spells it. */
  public String secretField() {
    return "spec.oauth."
        + (authMethod == AuthMethod.PRIVATE_KEY_JWT ? "privateKeySecret" : "clientSecretSecret");
  }

  /**
   * True for a loopback host ({@code localhost}, 127.0.0.0/8, ::1), the only place plain {@code
   * http} is accepted: a client secret must never cross a network unencrypted.
   */
  public static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.matches("[0-9A-Fa-f:]+")) {
      return false; // never resolve a name here
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static void checkUrl(String f, String url) {
    text(f, url, 2048);
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new ValidationException(
          f, "'" + printable(url) + "' is not a valid URL: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!u.isAbsolute()
        || u.getHost() == null
        || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new ValidationException(
          f, "must be an https URL with a host, e.g. https://login.example.com/oauth2/token");
    }
    if (scheme.equals("http") && !loopback(u.getHost())) {
      throw new ValidationException(
          f,
          "must use https: the client secret or assertion would cross the network in"
              + " clear text (plain http is accepted only for a loopback host, for tests and development)");
    }
    if (u.getRawUserInfo() != null) {
      throw new ValidationException(
          f,
          "must not contain a user or password; store the client secret as a target"
              + " secret and name it in spec.oauth.clientSecretSecret");
    }
    if (u.getRawFragment() != null) {
      throw new ValidationException(f, "must not contain a fragment (RFC 6749 section 3.2)");
    }
  }

  private static void absolute(String f, String v) {
    text(f, v, 2048);
    try {
      URI u = new URI(v);
      if (!u.isAbsolute() || u.getRawFragment() != null) {
        throw new ValidationException(f, "must be an absolute URI without a fragment (RFC 8707)");
      }
    } catch (URISyntaxException e) {
      throw new ValidationException(
          f, "'" + printable(v) + "' is not a valid URI: " + e.getReason());
    }
  }

  private static void text(String f, String v, int max) {
    if (v == null || v.isEmpty()) {
      throw new ValidationException(f, "is required");
    }
    if (v.length() > max) {
      throw new ValidationException(f, "must be at most " + max + " characters");
    }
    for (int i = 0; i < v.length(); i++) {
      if (Character.isISOControl(v.charAt(i))) {
        throw new ValidationException(f, "must not contain control characters");
      }
    }
  }

  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder b = new StringBuilder();
    cut.codePoints()
        .forEach(
            c ->
                b.append(
                    c >= 0x20 && c < 0x7f
                        ? String.valueOf((char) c)
                        : String.format(Locale.ROOT, "U+%04X", c)));
    return b.toString();
  }
}
