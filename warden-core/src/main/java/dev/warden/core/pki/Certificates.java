package dev.warden.core.pki;

import dev.warden.core.model.SpiffeId;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;

/** Builds the two kinds of certificate Warden makes: CA certificates and SVID leaves. */
final class Certificates {
  private static final BcX509ExtensionUtils EXT = new BcX509ExtensionUtils();
  private static final ExtendedKeyUsage SVID_EKU =
      new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
  private static final KeyUsage LEAF_KU = new KeyUsage(KeyUsage.digitalSignature);
  private static final KeyUsage CA_KU = new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign);
  // clocks of the workloads that check the certificate may run a little behind ours
  static final java.time.Duration BACKDATE = java.time.Duration.ofSeconds(10);

  private Certificates() {}

  /** 128 random bits, positive: unpredictable serials defeat chosen-prefix collisions. */
  static BigInteger serial(SecureRandom random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[0] &= 0x7f;
    BigInteger s = new BigInteger(b);
    return s.signum() == 0 ? BigInteger.ONE : s;
  }

  static X500Name caName(String trustDomain, BigInteger serial) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Warden")
        .addRDN(BCStyle.CN, "Warden CA " + trustDomain)
        .addRDN(BCStyle.SERIALNUMBER, serial.toString(16))
        .build();
  }

  static byte[] caCertificate(
      X500Name issuer,
      X500Name subject,
      SubjectPublicKeyInfo key,
      SubjectPublicKeyInfo issuerKey,
      String trustDomain,
      Instant notBefore,
      Instant notAfter,
      ContentSigner signer,
      SecureRandom random)
      throws IOException {
    X509v3CertificateBuilder b =
        new X509v3CertificateBuilder(
            issuer, serial(random), Date.from(notBefore), Date.from(notAfter), subject, key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, CA_KU);
    b.addExtension(Extension.subjectKeyIdentifier, false, EXT.createSubjectKeyIdentifier(key));
    b.addExtension(
        Extension.authorityKeyIdentifier, false, EXT.createAuthorityKeyIdentifier(issuerKey));
    // SPIFFE X.509-SVID §4.1: a signing certificate may carry the trust domain's SPIFFE ID
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
    return b.build(signer).getEncoded();
  }

  /**
   * An X.509-SVID leaf per the SPIFFE X.509-SVID spec: exactly one URI SAN, cA=false, critical key
   * usage with digitalSignature only, EKU serverAuth and clientAuth.
   */
  static X509CertificateHolder leaf(
      X500Name issuer,
      SubjectKeyIdentifier issuerSki,
      SpiffeId id,
      SubjectPublicKeyInfo key,
      Instant notBefore,
      Instant notAfter,
      ContentSigner signer,
      SecureRandom random)
      throws IOException {
    return leaf(
        issuer, issuerSki, id, java.util.List.of(), key, notBefore, notAfter, signer, random);
  }

  /**
   * As above, with DNS names too (SPIFFE allows other SAN types beside the one URI): a server's
   * SVID.
   */
  static X509CertificateHolder leaf(
      X500Name issuer,
      SubjectKeyIdentifier issuerSki,
      SpiffeId id,
      java.util.List<String> dnsNames,
      SubjectPublicKeyInfo key,
      Instant notBefore,
      Instant notAfter,
      ContentSigner signer,
      SecureRandom random)
      throws IOException {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Warden").build();
    X509v3CertificateBuilder b =
        new X509v3CertificateBuilder(
            issuer, serial(random), Date.from(notBefore), Date.from(notAfter), subject, key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, LEAF_KU);
    b.addExtension(Extension.extendedKeyUsage, false, SVID_EKU);
    GeneralName[] names = new GeneralName[1 + dnsNames.size()];
    names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, id.toString());
    for (int i = 0; i < dnsNames.size(); i++) {
      String n = dnsNames.get(i);
      boolean ip = n.matches("[0-9.]+") || n.contains(":");
      names[i + 1] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    b.addExtension(Extension.subjectKeyIdentifier, false, EXT.createSubjectKeyIdentifier(key));
    b.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier(issuerSki.getKeyIdentifier()));
    return b.build(signer);
  }
}
