package dev.warden.core.pki;

import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * An operator-supplied CA under which Warden's CA becomes an intermediate, so Warden's SVIDs chain
 * to a root the organisation already distributes. Its certificate is what goes into the bundle.
 */
public record UpstreamCa(X509Certificate certificate, PrivateKey key) {

  /**
   * Loads a PEM certificate and a PEM private key (PKCS#8 or traditional), and checks that they
   * belong together and that the certificate may sign CA certificates.
   *
   * @throws ValidationException naming the file and the problem
   */
  public static UpstreamCa load(Path certFile, Path keyFile) {
    X509Certificate cert;
    try {
      List<X509Certificate> certs = Der.certificates(Files.readAllBytes(certFile));
      if (certs.isEmpty()) {
        throw new ValidationException("upstream-ca-cert", certFile + " holds no certificate");
      }
      cert = certs.getFirst();
    } catch (IOException e) {
      throw new ValidationException(
          "upstream-ca-cert", "cannot read " + certFile + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          "upstream-ca-cert", certFile + " is not a PEM or DER certificate");
    }
    if (cert.getBasicConstraints() < 0) {
      throw new ValidationException(
          "upstream-ca-cert", certFile + " is not a CA certificate (basicConstraints cA=false)");
    }
    boolean[] ku = cert.getKeyUsage();
    if (ku != null && (ku.length < 6 || !ku[5])) {
      throw new ValidationException(
          "upstream-ca-cert", certFile + " lacks the keyCertSign key usage");
    }
    PrivateKey key;
    try (PEMParser p = new PEMParser(new StringReader(Files.readString(keyFile)))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        key = conv.getPrivateKey(kp.getPrivateKeyInfo());
      } else if (o instanceof PrivateKeyInfo pki) {
        key = conv.getPrivateKey(pki);
      } else {
        throw new ValidationException(
            "upstream-ca-key",
            keyFile
                + " is not an unencrypted PEM private key (PKCS#8 'PRIVATE KEY' or 'EC/RSA PRIVATE KEY')");
      }
    } catch (IOException e) {
      throw new ValidationException(
          "upstream-ca-key", "cannot read " + keyFile + ": " + e.getMessage());
    }
    UpstreamCa u = new UpstreamCa(cert, key);
    if (!u.keyMatches()) {
      throw new ValidationException(
          "upstream-ca-key", keyFile + " is not the private key of " + certFile);
    }
    return u;
  }

  String signatureAlgorithm() {
    return switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default ->
          throw new ValidationException(
              "upstream-ca-key",
              "key algorithm "
                  + key.getAlgorithm()
                  + " is not supported; use an EC or RSA upstream CA key");
    };
  }

  private boolean keyMatches() {
    try {
      byte[] probe = "warden-upstream-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(signatureAlgorithm());
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(signatureAlgorithm());
      v.initVerify(certificate.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
