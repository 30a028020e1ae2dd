package dev.warden.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A client's DPoP key (RFC 9449) and the proofs it makes, built by hand so that tests can also make
 * every kind of wrong proof: any header or claim changed, added or removed, before signing.
 *
 * <pre>{@code
 * TestDpopKey key = TestDpopKey.generate("ES256");
 * String proof = key.proof("POST", "https://warden.test/oauth2/token", now).compact();
 * String wrong = key.proof("POST", uri, now).header("typ", "JWT").compact();
 * }</pre>
 */
public final class TestDpopKey {
  private final JWK key;
  private final String alg;
  private final JWSSigner signer;

  private TestDpopKey(JWK key, String alg, JWSSigner signer) {
    this.key = key;
    this.alg = alg;
    this.signer = signer;
  }

  /**
   * A fresh key for {@code alg}: ES256, ES384, RS256, PS256 or EdDSA (Ed25519).
   *
   * @throws IllegalArgumentException for another algorithm
   */
  public static TestDpopKey generate(String alg) {
    try {
      return switch (alg) {
        case "ES256", "ES384" -> {
          ECKey k = new ECKeyGenerator("ES256".equals(alg) ? Curve.P_256 : Curve.P_384).generate();
          yield new TestDpopKey(k, alg, new ECDSASigner(k));
        }
        case "RS256", "PS256" -> {
          RSAKey k = new RSAKeyGenerator(2048).generate();
          yield new TestDpopKey(k, alg, new RSASSASigner(k));
        }
        case "EdDSA" -> {
          // BouncyCastle's RFC 8032 code: Nimbus's Ed25519 signer needs Tink
          org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters priv =
              new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(
                  new java.security.SecureRandom());
          com.nimbusds.jose.jwk.OctetKeyPair k =
              new com.nimbusds.jose.jwk.OctetKeyPair.Builder(
                      Curve.Ed25519, Base64URL.encode(priv.generatePublicKey().getEncoded()))
                  .d(Base64URL.encode(priv.getEncoded()))
                  .build();
          yield new TestDpopKey(k, alg, new Ed25519BcSigner(priv));
        }
        default -> throw new IllegalArgumentException("no test DPoP key for " + alg);
      };
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The RFC 7638 SHA-256 thumbprint: the {@code cnf.jkt} of a token bound to this key. */
  public String thumbprint() {
    try {
      return key.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWK as a JSON object (a fresh mutable map). */
  public Map<String, Object> publicJwk() {
    return new LinkedHashMap<>(key.toPublicJWK().toJSONObject());
  }

  /** The JWK with its private members: what a proof must never carry. */
  public Map<String, Object> privateJwk() {
    return new LinkedHashMap<>(key.toJSONObject());
  }

  /** A correct proof for one request, with a fresh {@code jti}, to change before signing. */
  public Proof proof(String htm, String htu, Instant iat) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "dpop+jwt");
    header.put("alg", alg);
    header.put("jwk", publicJwk());
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("htm", htm);
    claims.put("htu", htu);
    claims.put("iat", iat.getEpochSecond());
    return new Proof(header, claims);
  }

  /** The base64url SHA-256 of an access token: a proof's {@code ath}. */
  public static String ath(String accessToken) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(accessToken.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Signs an arbitrary signing input ({@code base64url(header).base64url(payload)}) with this key
   * under its own algorithm and returns the compact JWS: for fuzzing the JSON behind a good
   * signature.
   */
  public String signRaw(String signingInput) {
    try {
      return signingInput
          + "."
          + signer.sign(
              new JWSHeader(JWSAlgorithm.parse(alg)),
              signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ed25519 signatures through BouncyCastle, for the {@link JWSSigner} seam. */
  private static final class Ed25519BcSigner implements JWSSigner {
    private final org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters key;

    Ed25519BcSigner(org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters key) {
      this.key = key;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) {
      org.bouncycastle.crypto.signers.Ed25519Signer s =
          new org.bouncycastle.crypto.signers.Ed25519Signer();
      s.init(true, key);
      s.update(signingInput, 0, signingInput.length);
      return Base64URL.encode(s.generateSignature());
    }

    @Override
    public java.util.Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return java.util.Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public com.nimbusds.jose.jca.JCAContext getJCAContext() {
      return new com.nimbusds.jose.jca.JCAContext();
    }
  }

  /** One proof under construction. */
  public final class Proof {
    private final Map<String, Object> header;
    private final Map<String, Object> claims;

    private Proof(Map<String, Object> header, Map<String, Object> claims) {
      this.header = header;
      this.claims = claims;
    }

    /** Sets a header member; null removes it. */
    public Proof header(String name, @Nullable Object value) {
      if (value == null) {
        header.remove(name);
      } else {
        header.put(name, value);
      }
      return this;
    }

    /** Sets a claim; null removes it. */
    public Proof claim(String name, @Nullable Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Adds {@code ath} for the access token the proof is sent with. */
    public Proof ath(String accessToken) {
      return claim("ath", TestDpopKey.ath(accessToken));
    }

    /** Signs with the key, whatever the header says, and returns the compact JWS. */
    public String compact() {
      return signRaw(
          Base64URL.encode(JSONObjectUtils.toJSONString(header))
              + "."
              + Base64URL.encode(JSONObjectUtils.toJSONString(claims)));
    }
  }
}
