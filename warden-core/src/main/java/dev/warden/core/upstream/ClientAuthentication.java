package dev.warden.core.upstream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.OAuthClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Builds the RFC 6749 section 4.4 client credentials request of an {@link OAuthClient}, with the
 * client's authentication: {@code client_secret_basic} (RFC 6749 section 2.3.1: id and secret
 * form-encoded, then Basic), {@code client_secret_post} (both as form parameters) or {@code
 * private_key_jwt} (an RFC 7523 section 2.2 assertion: {@code iss} and {@code sub} the client id,
 * {@code aud} the token URL, a fresh {@code jti}, living {@link #ASSERTION_LIFETIME}).
 */
public final class ClientAuthentication {
  /**
   * How long a client assertion is valid: long enough for one request, short enough to be useless
   * if replayed later.
   */
  public static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(60);

  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  private ClientAuthentication() {}

  /**
   * The token request for {@code scopes}, authenticated with {@code secret} (the client secret, or
   * the PEM private key).
   *
   * @throws ValidationException when the private key cannot sign with the client's algorithm
   */
  public static UpstreamTokenClient.Request request(
      OAuthClient c, List<String> scopes, Secret secret, Instant now) {
    StringJoiner form = new StringJoiner("&");
    add(form, "grant_type", "client_credentials");
    if (!scopes.isEmpty()) {
      add(form, "scope", String.join(" ", scopes));
    }
    if (c.audience() != null) {
      add(form, "audience", c.audience());
    }
    if (c.resourceIndicator() != null) {
      add(form, "resource", c.resourceIndicator());
    }
    return authenticated(c, form, secret, now, c.tokenUrl());
  }

  /**
   * The RFC 7009 revocation request for {@code token} at {@code c.revocationUrl()}, authenticated
   * the way the client authenticates at the token endpoint (section 2.1); a client assertion's
   * {@code aud} is still the token endpoint, the authorization server's identifier Warden knows.
   *
   * @throws IllegalStateException when the client has no revocation endpoint
   * @throws ValidationException when the private key cannot sign
   */
  public static UpstreamTokenClient.Request revocation(
      OAuthClient c, Secret token, Secret secret, Instant now) {
    if (c.revocationUrl() == null) {
      throw new IllegalStateException("spec.oauth.revocationUrl is not set");
    }
    StringJoiner form = new StringJoiner("&");
    add(form, "token", token.reveal());
    add(form, "token_type_hint", "access_token");
    return authenticated(c, form, secret, now, c.revocationUrl());
  }

  private static UpstreamTokenClient.Request authenticated(
      OAuthClient c, StringJoiner form, Secret secret, Instant now, String url) {
    Secret authorization = null;
    switch (c.authMethod()) {
      case CLIENT_SECRET_BASIC ->
          authorization =
              Secret.of(
                  "Basic "
                      + Base64.getEncoder()
                          .encodeToString(
                              (enc(c.clientId()) + ":" + enc(secret.reveal()))
                                  .getBytes(StandardCharsets.UTF_8)));
      case CLIENT_SECRET_POST -> {
        add(form, "client_id", c.clientId());
        add(form, "client_secret", secret.reveal());
      }
      case PRIVATE_KEY_JWT -> {
        add(form, "client_id", c.clientId());
        add(form, "client_assertion_type", JWT_BEARER);
        add(form, "client_assertion", assertion(c, secret, now));
      }
    }
    return new UpstreamTokenClient.Request(
        URI.create(url), Secret.of(form.toString()), authorization);
  }

  /**
   * Checks that a stored private key can sign this client's assertions: PEM PKCS#8 ({@code
   * -----BEGIN PRIVATE KEY-----}) of the type and curve {@code signingAlg} needs.
   *
   * @throws ValidationException saying what is wrong, never quoting the key
   */
  public static void checkKey(OAuthClient c, Secret pem) {
    signer(c, pem);
  }

  private static String assertion(OAuthClient c, Secret pem, Instant now) {
    JWSHeader.Builder h =
        new JWSHeader.Builder(JWSAlgorithm.parse(c.signingAlg())).type(JOSEObjectType.JWT);
    if (c.keyId() != null) {
      h.keyID(c.keyId());
    }
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(c.clientId())
            .subject(c.clientId())
            .audience(c.tokenUrl())
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(iat))
            .notBeforeTime(Date.from(iat))
            .expirationTime(Date.from(iat.plus(ASSERTION_LIFETIME)))
            .build();
    SignedJWT jwt = new SignedJWT(h.build(), claims);
    try {
      jwt.sign(signer(c, pem));
    } catch (JOSEException e) {
      throw new ValidationException(
          c.secretField(), "the private key cannot sign " + c.signingAlg());
    }
    return jwt.serialize();
  }

  private static JWSSigner signer(OAuthClient c, Secret pem) {
    // OAuthClient gives every private_key_jwt client a signingAlg (RS256 by default)
    String alg = Objects.requireNonNull(c.signingAlg(), "signingAlg");
    PrivateKey key = privateKey(c, pem, alg.startsWith("ES") ? "EC" : "RSA");
    try {
      if (key instanceof ECPrivateKey ec) {
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        int want =
            switch (alg) {
              case "ES256" -> 256;
              case "ES384" -> 384;
              default -> 521;
            };
        if (bits != want) {
          throw new ValidationException(
              c.secretField(),
              "the private key is on a " + bits + "-bit curve; " + alg + " needs P-" + want);
        }
        return new ECDSASigner(ec);
      }
      RSAPrivateKey rsa = (RSAPrivateKey) key;
      if (rsa.getModulus().bitLength() < 2048) {
        throw new ValidationException(
            c.secretField(), "the RSA private key has fewer than 2048 bits");
      }
      return new RSASSASigner(rsa);
    } catch (JOSEException e) {
      throw new ValidationException(c.secretField(), "the private key cannot sign " + alg);
    }
  }

  private static PrivateKey privateKey(OAuthClient c, Secret pem, String type) {
    String text = pem.reveal().strip();
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    if (!text.startsWith(begin) || !text.endsWith(end)) {
      throw new ValidationException(
          c.secretField(),
          "the target secret must hold a PEM PKCS#8 private key ("
              + begin
              + "); convert one with 'openssl pkcs8 -topk8 -nocrypt'");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(text.substring(begin.length(), text.length() - end.length()));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(c.secretField(), "the PEM private key is not valid base64");
    }
    try {
      return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new ValidationException(
          c.secretField(),
          "the target secret is not a PKCS#8 "
              + type
              + " private key, which "
              + c.signingAlg()
              + " needs");
    }
  }

  private static void add(StringJoiner form, String name, String value) {
    form.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  /** RFC 6749 appendix B: application/x-www-form-urlencoded, as section 2.3.1 asks for Basic. */
  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
