package dev.warden.core.pki;

import static dev.warden.core.pki.PkiFixtures.ec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.SpiffeId;
import dev.warden.testkit.MutableClock;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SvidVerifierTest {
  static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/api");
  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
  final AuditWriter audit = new AuditWriter(new MemoryAuditStore(), 100, 5000);
  final CaManager ca =
      new CaManager(
          new PkiFixtures.MemoryAuthorities(),
          SecretBox.generate(),
          clock,
          PkiSettings.defaults("example.org"),
          null,
          audit);
  final KeyPair caKey;

  SvidVerifierTest() throws Exception {
    ca.ensureActive();
    caKey = ec("secp256r1");
  }

  @AfterEach
  void close() {
    audit.close();
  }

  /**
   * A leaf signed by a throwaway CA of the test, with the given key usage / basic constraints /
   * SANs.
   */
  X509Certificate forged(int keyUsage, boolean isCa, GeneralName... sans) throws Exception {
    KeyPair leafKey = ec("secp256r1");
    var b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=ca"),
            BigInteger.TWO,
            Date.from(clock.instant().minusSeconds(60)),
            Date.from(clock.instant().plusSeconds(3600)),
            new X500Name("O=x"),
            leafKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    if (sans.length > 0) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    }
    return Der.certificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate()))
            .getEncoded());
  }

  Reason reason(X509Certificate leaf) {
    try {
      SvidVerifier.verify(List.of(leaf), ca.current().bundle(), clock.instant());
      return null;
    } catch (DeniedException e) {
      return e.reason();
    }
  }

  static GeneralName uri(String u) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, u);
  }

  @Test
  void aWellFormedSvidFromAnUnknownCaIsRejectedAsUnknownAuthority() throws Exception {
    assertThat(reason(forged(KeyUsage.digitalSignature, false, uri(ID.toString()))))
        .isEqualTo(Reason.UNKNOWN_AUTHORITY);
  }

  @Test
  void certificatesBreakingTheSpiffeLeafRulesAreRejectedBeforeChainBuilding() throws Exception {
    assertThat(
            reason(
                forged(
                    KeyUsage.digitalSignature | KeyUsage.keyCertSign, false, uri(ID.toString()))))
        .isEqualTo(Reason.INVALID_SVID);
    assertThat(reason(forged(KeyUsage.keyEncipherment, false, uri(ID.toString()))))
        .isEqualTo(Reason.INVALID_SVID);
    assertThat(reason(forged(KeyUsage.digitalSignature, true, uri(ID.toString()))))
        .isEqualTo(Reason.INVALID_SVID);
    assertThat(reason(forged(KeyUsage.digitalSignature, false))).isEqualTo(Reason.INVALID_SVID);
    assertThat(
            reason(
                forged(
                    KeyUsage.digitalSignature,
                    false,
                    uri(ID.toString()),
                    uri("spiffe://example.org/b"))))
        .isEqualTo(Reason.INVALID_SVID);
    assertThat(reason(forged(KeyUsage.digitalSignature, false, uri("https://example.org/x"))))
        .isEqualTo(Reason.INVALID_SVID);
  }

  @Test
  void anExpiredSvidIsRejected() throws Exception {
    var spki = Csrs.publicKeyFor(PkiFixtures.csr(ec("secp256r1")), ID);
    IssuedSvid s = ca.current().issue(ID, spki, Duration.ofMinutes(5), clock.instant());
    List<X509Certificate> chain = s.chainDer().stream().map(Der::certificate).toList();
    assertThat(SvidVerifier.verify(chain, ca.current().bundle(), clock.instant())).isEqualTo(ID);
    assertThatThrownBy(
            () ->
                SvidVerifier.verify(chain, ca.current().bundle(), clock.instant().plusSeconds(600)))
        .isInstanceOf(DeniedException.class);
  }
}
