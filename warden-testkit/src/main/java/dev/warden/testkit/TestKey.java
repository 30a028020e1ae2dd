package dev.warden.testkit;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.jspecify.annotations.Nullable;

/**
 * A freshly generated signing key with a {@code kid}, for tests. Holds the private half, so it
 * never leaves the test kit except as a public JWK (or, on purpose, {@link #privateJwkJson()} for
 * tests that check that private material in a JWKS is refused).
 */
public final class TestKey {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Provider BC = new BouncyCastleProvider();
  private static final Set<String> RSA_ALGS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

  private final KeyType type;
  private final String kid;
  private final JWK jwk;
  private final @Nullable PublicKey publicKey;
  private final @Nullable PrivateKey privateKey;
  private final @Nullable Ed25519PrivateKeyParameters edPrivate;

  private TestKey(
      KeyType type,
      String kid,
      JWK jwk,
      @Nullable PublicKey publicKey,
      @Nullable PrivateKey privateKey,
      @Nullable Ed25519PrivateKeyParameters edPrivate) {
    this.type = type;
    this.kid = kid;
    this.jwk = jwk;
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.edPrivate = edPrivate;
  }

  /** Generates a key of {@code type} with a random {@code kid}. */
  public static TestKey generate(KeyType type) {
    return generate(
        type,
        type.name().toLowerCase(java.util.Locale.ROOT)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8));
  }

  /** Generates a key of {@code type} with the given {@code kid}. */
  public static TestKey generate(KeyType type, String kid) {
    try {
      switch (type) {
        case RSA_2048 -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048, RANDOM);
          KeyPair kp = g.generateKeyPair();
          JWK jwk =
              new RSAKey.Builder((RSAPublicKey) kp.getPublic())
                  .privateKey((RSAPrivateKey) kp.getPrivate())
                  .keyID(kid)
                  .keyUse(KeyUse.SIGNATURE)
                  .build();
          return new TestKey(type, kid, jwk, kp.getPublic(), kp.getPrivate(), null);
        }
        case EC_P256 -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
          KeyPair kp = g.generateKeyPair();
          JWK jwk =
              new ECKey.Builder(Curve.P_256, (ECPublicKey) kp.getPublic())
                  .privateKey((ECPrivateKey) kp.getPrivate())
                  .keyID(kid)
                  .keyUse(KeyUse.SIGNATURE)
                  .build();
          return new TestKey(type, kid, jwk, kp.getPublic(), kp.getPrivate(), null);
        }
        case ED25519 -> {
          Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(RANDOM);
          JWK jwk =
              new OctetKeyPair.Builder(
                      Curve.Ed25519, Base64URL.encode(priv.generatePublicKey().getEncoded()))
                  .d(Base64URL.encode(priv.getEncoded()))
                  .keyID(kid)
                  .keyUse(KeyUse.SIGNATURE)
                  .build();
          return new TestKey(type, kid, jwk, null, null, priv);
        }
        default -> throw new IllegalArgumentException("unsupported key type " + type);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key", e);
    }
  }

  public KeyType type() {
    return type;
  }

  public String kid() {
    return kid;
  }

  /** The JWS algorithm this key signs with by default. */
  public String defaultAlgorithm() {
    return type.defaultAlgorithm();
  }

  /** The public JWK as JSON, with {@code kid}, {@code use: sig} and {@code alg}. */
  public String publicJwkJson() {
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(publicJwkMap());
  }

  /** The public JWK as a JSON object (a fresh mutable map: tests may tweak it). */
  public java.util.Map<String, Object> publicJwkMap() {
    java.util.Map<String, Object> m =
        new java.util.LinkedHashMap<>(jwk.toPublicJWK().toJSONObject());
    m.put("alg", defaultAlgorithm());
    return m;
  }

  /** The JWK including its private part. Only for tests that check such a JWKS is refused. */
  public String privateJwkJson() {
    return jwk.toJSONString();
  }

  /**
   * The DER (X.509 SubjectPublicKeyInfo) encoding of the public key; for Ed25519 the raw 32 bytes.
   */
  public byte[] publicKeyBytes() {
    if (publicKey != null) {
      return publicKey.getEncoded();
    }
    // the one key type without a JCA public key (see generate) is Ed25519
    return Objects.requireNonNull(edPrivate, "an Ed25519 key").generatePublicKey().getEncoded();
  }

  /** Whether this key can produce a signature for JWS algorithm {@code alg}. */
  boolean canSign(String alg) {
    return switch (type) {
      case RSA_2048 -> RSA_ALGS.contains(alg);
      case EC_P256 -> "ES256".equals(alg);
      case ED25519 -> "EdDSA".equals(alg) || "Ed25519".equals(alg);
    };
  }

  /** Signs {@code input} with {@code alg}, which must satisfy {@link #canSign}. */
  byte[] sign(String alg, byte[] input) {
    try {
      if (type == KeyType.ED25519) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, edPrivate);
        s.update(input, 0, input.length);
        return s.generateSignature();
      }
      Signature s;
      if (type == KeyType.EC_P256) {
        s = Signature.getInstance("SHA256withPLAIN-ECDSA", BC);
      } else if (alg.startsWith("PS")) {
        int bits = Integer.parseInt(alg.substring(2));
        String hash = "SHA-" + bits;
        MGF1ParameterSpec mgf =
            switch (bits) {
              case 256 -> MGF1ParameterSpec.SHA256;
              case 384 -> MGF1ParameterSpec.SHA384;
              default -> MGF1ParameterSpec.SHA512;
            };
        s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec(hash, "MGF1", mgf, bits / 8, 1));
      } else {
        s = Signature.getInstance("SHA" + alg.substring(2) + "withRSA");
      }
      s.initSign(privateKey, RANDOM);
      s.update(input);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + alg, e);
    }
  }

  @Override
  public String toString() {
    return "TestKey[" + type + ", kid=" + kid + "]";
  }
}
