package dev.warden.core.trust;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.warden.core.model.TrustProviderSpec;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.Ed448PublicKeyParameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.math.ec.rfc8032.Ed448;

/**
 * One public key from a provider's JWKS, parsed once into a ready verifier, together with the
 * algorithms it may verify: those its type and curve fit, narrowed by its own {@code alg} and by
 * the provider's allow-list. Immutable and thread-safe.
 *
 * <p>RSA verifies through the JDK; ECDSA through BouncyCastle as the JCA provider (the JDK's P-256
 * verify is several times slower), with Nimbus' ECDSA verifier doing the signature-format checks;
 * EdDSA through BouncyCastle's RFC 8032 code directly.
 */
final class VerificationKey {
  static final int MIN_RSA_BITS = 2048;

  /** Larger RSA keys only make verification slower; no platform uses them. */
  static final int MAX_RSA_BITS = 8192;

  private static final Provider BC = new BouncyCastleProvider();
  private static final Map<String, JWSHeader> HEADERS = new HashMap<>();
  private static final Set<String> RSA_ALGS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

  static {
    for (String a : TrustProviderSpec.ALLOWED_ALGORITHMS) {
      HEADERS.put(a, new JWSHeader(JWSAlgorithm.parse(a)));
    }
  }

  /** Why a JWK cannot be used; a short phrase for diagnostics. */
  static final class UnusableKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    UnusableKeyException(String message) {
      super(message, null, false, false);
    }
  }

  final String kid;
  final String thumbprint;
  final Set<String> algorithms;
  private final String description;
  private final JWSVerifier jws;
  private final Ed25519PublicKeyParameters ed25519;
  private final Ed448PublicKeyParameters ed448;

  private VerificationKey(
      String kid,
      String thumbprint,
      Set<String> algorithms,
      String description,
      JWSVerifier jws,
      Ed25519PublicKeyParameters ed25519,
      Ed448PublicKeyParameters ed448) {
    this.kid = kid;
    this.thumbprint = thumbprint;
    this.algorithms = algorithms;
    this.description = description;
    this.jws = jws;
    this.ed25519 = ed25519;
    this.ed448 = ed448;
  }

  /**
   * Builds a verifier for a public JWK.
   *
   * @throws UnusableKeyException when the key is private, symmetric, not for signatures, too weak,
   *     or fits none of {@code allowed}
   */
  static VerificationKey from(JWK jwk, Set<String> allowed) throws UnusableKeyException {
    if (jwk.isPrivate()) {
      throw new UnusableKeyException("private key material");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new UnusableKeyException("use is not 'sig'");
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      throw new UnusableKeyException("key_ops lacks 'verify'");
    }
    KeyType kty = jwk.getKeyType();
    Set<String> fits;
    String description;
    if (KeyType.RSA.equals(kty)) {
      fits = RSA_ALGS;
      description = "an RSA key";
    } else if (KeyType.EC.equals(kty)) {
      Curve crv = ((ECKey) jwk).getCurve();
      fits =
          Curve.P_256.equals(crv)
              ? Set.of("ES256")
              : Curve.P_384.equals(crv)
                  ? Set.of("ES384")
                  : Curve.P_521.equals(crv) ? Set.of("ES512") : Set.of();
      description = "an EC " + crv + " key";
    } else if (KeyType.OKP.equals(kty)) {
      Curve crv = ((OctetKeyPair) jwk).getCurve();
      fits = Curve.Ed25519.equals(crv) || Curve.Ed448.equals(crv) ? Set.of("EdDSA") : Set.of();
      description = "an OKP " + crv + " key";
    } else {
      throw new UnusableKeyException(
          KeyType.OCT.equals(kty) ? "symmetric (oct) key" : "unsupported kty " + kty);
    }
    Set<String> algs = new LinkedHashSet<>();
    for (String a : allowed) {
      if (fits.contains(a)
          && (jwk.getAlgorithm() == null || jwk.getAlgorithm().getName().equals(a))) {
        algs.add(a);
      }
    }
    if (algs.isEmpty()) {
      throw new UnusableKeyException(
          description
              + (jwk.getAlgorithm() == null ? "" : " for " + jwk.getAlgorithm())
              + " fits none of the allowed algorithms "
              + allowed);
    }
    String thumbprint;
    try {
      thumbprint = jwk.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new UnusableKeyException("no thumbprint");
    }
    try {
      if (jwk instanceof RSAKey rsa) {
        RSAPublicKey pub = rsa.toRSAPublicKey();
        int bits = pub.getModulus().bitLength();
        if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
          throw new UnusableKeyException(
              "RSA modulus of "
                  + bits
                  + " bits (allowed "
                  + MIN_RSA_BITS
                  + " to "
                  + MAX_RSA_BITS
                  + ")");
        }
        BigInteger e = pub.getPublicExponent();
        if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
          throw new UnusableKeyException("RSA public exponent is not odd and at least 3");
        }
        return new VerificationKey(
            jwk.getKeyID(),
            thumbprint,
            Set.copyOf(algs),
            description,
            new RSASSAVerifier(pub),
            null,
            null);
      }
      if (jwk instanceof ECKey ec) {
        ECPublicKey jdk = ec.toECPublicKey();
        ECPublicKey bc =
            (ECPublicKey)
                KeyFactory.getInstance("EC", BC)
                    .generatePublic(new X509EncodedKeySpec(jdk.getEncoded()));
        ECDSAVerifier v = new ECDSAVerifier(bc);
        v.getJCAContext().setProvider(BC);
        return new VerificationKey(
            jwk.getKeyID(), thumbprint, Set.copyOf(algs), description, v, null, null);
      }
      OctetKeyPair okp = (OctetKeyPair) jwk;
      byte[] x = okp.getX().decode();
      if (Curve.Ed25519.equals(okp.getCurve())) {
        return new VerificationKey(
            jwk.getKeyID(),
            thumbprint,
            Set.copyOf(algs),
            description,
            null,
            new Ed25519PublicKeyParameters(x),
            null);
      }
      return new VerificationKey(
          jwk.getKeyID(),
          thumbprint,
          Set.copyOf(algs),
          description,
          null,
          null,
          new Ed448PublicKeyParameters(x));
    } catch (JOSEException
        | GeneralSecurityException
        | IllegalArgumentException
        | ClassCastException e) {
      throw new UnusableKeyException(description + " is not a valid public key");
    }
  }

  /**
   * Checks {@code signature} (base64url) over {@code signingInput} with {@code alg}, which must be
   * one of {@link #algorithms}. Never throws: anything a crypto library raises counts as a failed
   * check.
   */
  boolean verify(String alg, byte[] signingInput, String signature) {
    if (!algorithms.contains(alg)) {
      return false;
    }
    try {
      if (jws != null) {
        return jws.verify(HEADERS.get(alg), signingInput, new Base64URL(signature));
      }
      byte[] sig = ParsedJwt.base64Url(signature);
      if (sig == null) {
        return false;
      }
      if (ed25519 != null) {
        return sig.length == Ed25519.SIGNATURE_SIZE
            && ed25519.verify(
                Ed25519.Algorithm.Ed25519, null, signingInput, 0, signingInput.length, sig, 0);
      }
      return sig.length == Ed448.SIGNATURE_SIZE
          && ed448.verify(
              Ed448.Algorithm.Ed448, new byte[0], signingInput, 0, signingInput.length, sig, 0);
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  /** For messages: "an RSA key", "an EC P-256 key", … */
  String description() {
    return description;
  }

  boolean sameAs(VerificationKey o) {
    return o.thumbprint.equals(thumbprint)
        && java.util.Objects.equals(o.kid, kid)
        && o.algorithms.equals(algorithms);
  }

  @Override
  public String toString() {
    return description + (kid == null ? "" : " kid=" + kid) + " " + algorithms;
  }
}
