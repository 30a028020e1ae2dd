package dev.warden.core.pki;

import static dev.warden.core.pki.PkiFixtures.csr;
import static dev.warden.core.pki.PkiFixtures.ec;
import static dev.warden.core.pki.PkiFixtures.sans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

class CsrsTest {
  static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/payments/api");

  static Reason reasonOf(byte[] csr) {
    try {
      Csrs.publicKeyFor(csr, ID);
      return null;
    } catch (DeniedException e) {
      assertThat(e.getMessage()).isNotBlank();
      return e.reason();
    }
  }

  @Test
  void acceptsP256P384AndRsaKeysAndReturnsTheRequestedKey() throws Exception {
    for (KeyPair kp : List.of(ec("secp256r1"), ec("secp384r1"), PkiFixtures.rsa(2048))) {
      SubjectPublicKeyInfo spki = Csrs.publicKeyFor(csr(kp), ID);
      assertThat(spki.getEncoded()).isEqualTo(kp.getPublic().getEncoded());
    }
  }

  @Test
  void acceptsPemAndACsrThatNamesItsOwnSpiffeId() throws Exception {
    KeyPair kp = ec("secp256r1");
    byte[] der =
        csr(kp, sans(new GeneralName(GeneralName.uniformResourceIdentifier, ID.toString())));
    String pem = Der.pem("CERTIFICATE REQUEST", List.of(der));
    assertThat(Csrs.publicKeyFor(pem.getBytes(StandardCharsets.US_ASCII), ID)).isNotNull();
  }

  @Test
  void rejectsGarbageEmptyTruncatedAndTrailingBytesAsMalformed() throws Exception {
    byte[] good = csr(ec("secp256r1"));
    assertThat(reasonOf(new byte[0])).isEqualTo(Reason.MALFORMED_CSR);
    assertThat(reasonOf("hello".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(Reason.MALFORMED_CSR);
    assertThat(reasonOf(Arrays.copyOf(good, good.length - 7))).isEqualTo(Reason.MALFORMED_CSR);
    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    assertThat(reasonOf(trailing)).isEqualTo(Reason.MALFORMED_CSR);
    assertThat(
            reasonOf(
                "-----BEGIN CERTIFICATE REQUEST-----\n!!!\n-----END CERTIFICATE REQUEST-----\n"
                    .getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(Reason.MALFORMED_CSR);
    assertThat(reasonOf(new byte[Csrs.MAX_BYTES + 1])).isEqualTo(Reason.MALFORMED_CSR);
  }

  @Test
  void rejectsACsrWhoseSignatureDoesNotMatchItsKey() throws Exception {
    byte[] good = csr(ec("secp256r1"));
    byte[] bad = good.clone();
    bad[bad.length - 5] ^= 0x01; // inside the signature
    assertThat(reasonOf(bad)).isIn(Reason.CSR_REJECTED, Reason.MALFORMED_CSR);
  }

  @Test
  void rejectsACsrForAnotherSpiffeId() throws Exception {
    byte[] c =
        csr(
            ec("secp256r1"),
            sans(
                new GeneralName(
                    GeneralName.uniformResourceIdentifier, "spiffe://example.org/admin")));
    assertThat(reasonOf(c)).isEqualTo(Reason.CSR_REJECTED);
  }

  @Test
  void rejectsExtraSansOfAnyKind() throws Exception {
    byte[] twoUris =
        csr(
            ec("secp256r1"),
            sans(
                new GeneralName(GeneralName.uniformResourceIdentifier, ID.toString()),
                new GeneralName(
                    GeneralName.uniformResourceIdentifier, "spiffe://example.org/other")));
    byte[] dns =
        csr(
            ec("secp256r1"),
            sans(
                new GeneralName(GeneralName.uniformResourceIdentifier, ID.toString()),
                new GeneralName(GeneralName.dNSName, "api.example.org")));
    assertThat(reasonOf(twoUris)).isEqualTo(Reason.CSR_REJECTED);
    assertThat(reasonOf(dns)).isEqualTo(Reason.CSR_REJECTED);
  }

  @Test
  void rejectsACsrAskingForACaOrCertificateSigning() throws Exception {
    ExtensionsGenerator ca = new ExtensionsGenerator();
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ExtensionsGenerator ku = new ExtensionsGenerator();
    ku.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
    assertThat(reasonOf(csr(ec("secp256r1"), ca))).isEqualTo(Reason.CSR_REJECTED);
    assertThat(reasonOf(csr(ec("secp256r1"), ku))).isEqualTo(Reason.CSR_REJECTED);
  }

  @Test
  void rejectsWeakOrUnsupportedKeys() throws Exception {
    assertThat(reasonOf(csr(PkiFixtures.rsa(1024)))).isEqualTo(Reason.WEAK_KEY);
    assertThat(reasonOf(csr(PkiFixtures.ed25519()))).isEqualTo(Reason.WEAK_KEY);
    assertThat(reasonOf(csr(ec("secp521r1")))).isEqualTo(Reason.WEAK_KEY);
  }

  @Test
  void errorMessagesNameTheProblemForTheCaller() {
    assertThatThrownBy(() -> Csrs.publicKeyFor(csr(PkiFixtures.rsa(1024)), ID))
        .hasMessageContaining("2048")
        .hasMessageContaining("1024");
  }
}
