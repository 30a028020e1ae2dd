package dev.warden.scan.internal.verify;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed448PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.jspecify.annotations.Nullable;

/**
 * The public half of a found PEM private key, as the SHA-256 of its DER SubjectPublicKeyInfo: what
 * the server compares with its signing keys and authorities. Only the hash leaves the machine.
 * Encrypted keys, and anything that does not parse, give nothing (unknown).
 */
final class PrivateKeys {
  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN (RSA |EC )?PRIVATE KEY-----\\s*(?<body>[A-Za-z0-9+/=\\s]+?)\\s*-----END (?:RSA |EC )?PRIVATE KEY-----");

  private PrivateKeys() {}

  /**
   * @return the hex SHA-256 of the key's SubjectPublicKeyInfo, or empty when it cannot be read
   */
  static Optional<String> publicKeySha256(String pem) {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group("body"));
      String type = m.group(1) == null ? "" : m.group(1).strip();
      PrivateKeyInfo info =
          switch (type) {
            case "RSA" ->
                new PrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    RSAPrivateKey.getInstance(der));
            case "EC" -> {
              ECPrivateKey sec1 = ECPrivateKey.getInstance(der);
              if (sec1.getParametersObject() == null) {
                yield null;
              }
              yield new PrivateKeyInfo(
                  new AlgorithmIdentifier(
                      X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject()),
                  sec1);
            }
            default -> PrivateKeyInfo.getInstance(der);
          };
      if (info == null) {
        return Optional.empty();
      }
      AsymmetricKeyParameter pub = publicOf(PrivateKeyFactory.createKey(info));
      if (pub == null) {
        return Optional.empty();
      }
      return Optional.of(
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(
                          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub)
                              .getEncoded("DER"))));
    } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
      // not a key we can read (truncated, a placeholder body, an unsupported algorithm): unknown
      return Optional.empty();
    }
  }

  private static @Nullable AsymmetricKeyParameter publicOf(AsymmetricKeyParameter k) {
    if (k instanceof RSAPrivateCrtKeyParameters r) {
      return new RSAKeyParameters(false, r.getModulus(), r.getPublicExponent());
    }
    if (k instanceof ECPrivateKeyParameters e) {
      return new ECPublicKeyParameters(
          new FixedPointCombMultiplier().multiply(e.getParameters().getG(), e.getD()).normalize(),
          e.getParameters());
    }
    if (k instanceof Ed25519PrivateKeyParameters ed) {
      return ed.generatePublicKey();
    }
    if (k instanceof Ed448PrivateKeyParameters ed) {
      return ed.generatePublicKey();
    }
    return null;
  }
}
