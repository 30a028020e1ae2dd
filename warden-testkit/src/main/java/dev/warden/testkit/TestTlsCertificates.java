package dev.warden.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA and server certificates for test servers that speak TLS (a private PostgreSQL).
 */
public final class TestTlsCertificates {
  /** A certificate with its key. */
  public record Issued(X509Certificate certificate, KeyPair keys) {
    /** Writes {@code <name>.crt} and {@code <name>.key} (PEM) into {@code dir}. */
    public void write(Path dir, String name) throws IOException {
      Files.writeString(dir.resolve(name + ".crt"), pem(certificate), StandardCharsets.US_ASCII);
      // PKCS#8 with the named curve, which every TLS server reads
      Files.writeString(
          dir.resolve(name + ".key"),
          "-----BEGIN PRIVATE KEY-----\n"
              + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                  .encodeToString(keys.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n",
          StandardCharsets.US_ASCII);
    }
  }

  private final Issued ca;

  private TestTlsCertificates(Issued ca) {
    this.ca = ca;
  }

  /** A new CA named {@code name}. */
  public static TestTlsCertificates newCa(String name) {
    try {
      KeyPair k = keys();
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      var b =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(now.toEpochMilli()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              subject,
              k.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestTlsCertificates(new Issued(sign(b, k), k));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  /** A server certificate for these DNS names and IP addresses (literals are IP SANs). */
  public Issued server(List<String> names) {
    try {
      KeyPair k = keys();
      Instant now = Instant.now();
      var b =
          new JcaX509v3CertificateBuilder(
              ca.certificate(),
              BigInteger.valueOf(System.nanoTime()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              new X500Name("CN=" + names.getFirst()),
              k.getPublic());
      GeneralName[] sans =
          names.stream()
              .map(
                  n ->
                      new GeneralName(
                          n.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName,
                          n))
              .toArray(GeneralName[]::new);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      return new Issued(sign(b, ca.keys()), k);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA certificate as PEM, for a client's trust store. */
  public String pem() {
    return pem(ca.certificate());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }
}
