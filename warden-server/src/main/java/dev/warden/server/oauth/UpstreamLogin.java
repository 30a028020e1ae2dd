package dev.warden.server.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.DocumentFetcher;
import dev.warden.core.trust.TrustProviders;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Warden as an OpenID Connect relying party of the identity provider its users sign in at: the
 * authorization code flow with PKCE (S256), {@code state} and {@code nonce}, against the provider
 * named by {@code login.provider}. That provider is an ordinary {@code oidc} trust provider; its
 * issuer's discovery document gives the authorization and token endpoints, and the ID token is
 * verified by the same trust-provider machinery as every platform token (algorithm allow-list, key
 * by {@code kid} from that provider's JWKS only, issuer, audience — Warden's {@code login.clientId}
 * — and times), then must come from that provider and carry the nonce of this login.
 *
 * <p>Warden authenticates at the token endpoint with {@code client_secret_basic} when a client
 * secret is configured, and as a public client (PKCE only) otherwise.
 */
public final class UpstreamLogin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The endpoints of the provider's discovery document. */
  record Endpoints(String authorization, String token) {}

  private final String provider;
  private final String clientId;
  private final Supplier<@Nullable Secret> clientSecret;
  private final String scopes;
  private final String callbackUrl;
  private final Function<String, @Nullable TrustProviderSpec> specs;
  private final Supplier<TrustProviders> trust;
  private final DocumentFetcher fetcher;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(3))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** The provider's endpoints with the issuer they were read for; null until first needed. */
  private volatile Map.@Nullable Entry<String, Endpoints> discovered;

  /**
   * @param provider the trust provider's name
   * @param clientSecret the client secret, or a supplier of null for a public client
   * @param specs looks a trust provider up by name (null when absent)
   */
  public UpstreamLogin(
      String provider,
      String clientId,
      Supplier<@Nullable Secret> clientSecret,
      String scopes,
      String callbackUrl,
      Function<String, @Nullable TrustProviderSpec> specs,
      Supplier<TrustProviders> trust,
      DocumentFetcher fetcher) {
    this.provider = provider;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.scopes = scopes;
    this.callbackUrl = callbackUrl;
    this.specs = specs;
    this.trust = trust;
    this.fetcher = fetcher;
  }

  public String provider() {
    return provider;
  }

  /**
   * Where the user's browser goes to sign in.
   *
   * @throws DeniedException {@code login_failed} when the provider or its discovery document is
   *     unusable
   */
  public String authorizationUrl(String state, String nonce, String codeVerifier) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", clientId);
    q.put("redirect_uri", callbackUrl);
    q.put("scope", scopes);
    q.put("state", state);
    q.put("nonce", nonce);
    q.put("code_challenge", dev.warden.core.oauth.Pkce.challengeOf(codeVerifier));
    q.put("code_challenge_method", "S256");
    String base = endpoints().authorization();
    return base + (base.contains("?") ? "&" : "?") + form(q);
  }

  /**
   * Redeems the provider's code and verifies the ID token.
   *
   * @throws DeniedException {@code login_failed} when the exchange fails, or the ID token's own
   *     reason (bad signature, wrong audience, expired…) when it does not verify
   */
  public AttestedIdentity redeem(String code, String codeVerifier, String nonce) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "authorization_code");
    f.put("code", code);
    f.put("redirect_uri", callbackUrl);
    f.put("code_verifier", codeVerifier);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoints().token()))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    Secret secret = clientSecret.get();
    if (secret != null) {
      // RFC 6749 section 2.3.1: both parts form-encoded before base64
      String basic =
          URLEncoder.encode(clientId, StandardCharsets.UTF_8)
              + ":"
              + URLEncoder.encode(secret.reveal(), StandardCharsets.UTF_8);
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    } else {
      f.put("client_id", clientId);
    }
    HttpResponse<byte[]> r;
    try {
      r =
          http.send(
              b.POST(HttpRequest.BodyPublishers.ofString(form(f))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw failed(
          "the identity provider's token endpoint cannot be reached: "
              + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed("interrupted while redeeming the sign-in");
    }
    if (r.statusCode() != 200) {
      throw failed("the identity provider refused the sign-in code (HTTP " + r.statusCode() + ")");
    }
    String idToken;
    try {
      JsonNode body = JSON.readTree(r.body());
      idToken = body.path("id_token").isTextual() ? body.path("id_token").textValue() : null;
    } catch (IOException e) {
      idToken = null;
    }
    if (idToken == null) {
      throw failed(
          "the identity provider's answer has no id_token; is 'openid' among login.scopes?");
    }
    AttestedIdentity user = trust.get().verify(idToken);
    if (!user.provider().equals(provider)) {
      throw failed(
          "the ID token was issued by trust provider " + user.provider() + ", not " + provider);
    }
    Object n = user.claims().get("nonce");
    if (!(n instanceof String s)
        || !Hashes.constantTimeEquals(
            s.getBytes(StandardCharsets.UTF_8), nonce.getBytes(StandardCharsets.UTF_8))) {
      throw failed("the ID token's nonce is not the one of this sign-in");
    }
    return user;
  }

  private Endpoints endpoints() {
    TrustProviderSpec spec = specs.apply(provider);
    if (spec == null) {
      throw failed("login.provider names trust provider '" + provider + "', which does not exist");
    }
    Map.Entry<String, Endpoints> d = discovered;
    if (d != null && d.getKey().equals(spec.issuer())) {
      return d.getValue();
    }
    String issuer =
        spec.issuer().endsWith("/")
            ? spec.issuer().substring(0, spec.issuer().length() - 1)
            : spec.issuer();
    JsonNode doc;
    try {
      doc = JSON.readTree(fetcher.fetch(URI.create(issuer + "/.well-known/openid-configuration")));
    } catch (IOException | RuntimeException e) {
      throw failed("cannot read the discovery document of " + issuer + ": " + e.getMessage());
    }
    String auth = doc.path("authorization_endpoint").asText("");
    String token = doc.path("token_endpoint").asText("");
    if (!httpsOrLoopback(auth) || !httpsOrLoopback(token)) {
      throw failed(
          "the discovery document of "
              + issuer
              + " names no usable authorization_endpoint and"
              + " token_endpoint (https, or http on loopback)");
    }
    Endpoints e = new Endpoints(auth, token);
    discovered = Map.entry(spec.issuer(), e);
    return e;
  }

  private static boolean httpsOrLoopback(String url) {
    return url.startsWith("https://")
        || url.startsWith("http://127.0.0.1:")
        || url.startsWith("http://localhost:")
        || url.startsWith("http://[::1]:");
  }

  private static String form(Map<String, String> m) {
    StringJoiner j = new StringJoiner("&");
    m.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  private static DeniedException failed(String message) {
    return new DeniedException(Reason.LOGIN_FAILED, message);
  }
}
