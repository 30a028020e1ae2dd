package dev.warden.core.pki;

import static dev.warden.core.pki.PkiFixtures.csr;
import static dev.warden.core.pki.PkiFixtures.ec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.DeniedException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.model.SpiffeId;
import dev.warden.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaManagerTest {
  static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/payments/api");

  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-03-01T00:00:00Z"));
  final PkiFixtures.MemoryAuthorities store = new PkiFixtures.MemoryAuthorities();
  final MemoryAuditStore auditStore = new MemoryAuditStore();
  final AuditWriter audit = new AuditWriter(auditStore, 100, 5000);
  final SecretBox box = SecretBox.generate();
  final PkiSettings settings = PkiSettings.defaults("example.org");

  @AfterEach
  void close() {
    audit.close();
  }

  CaManager manager(UpstreamCa upstream) {
    CaManager m = new CaManager(store, box, clock, settings, upstream, audit);
    m.ensureActive();
    return m;
  }

  IssuedSvid issue(CaManager m) throws Exception {
    KeyPair kp = ec("secp256r1");
    return m.current()
        .issue(ID, Csrs.publicKeyFor(csr(kp), ID), settings.x509SvidTtl(), clock.instant());
  }

  @Test
  void issuedSvidFollowsTheX509SvidSpec() throws Exception {
    CaManager m = manager(null);
    IssuedSvid s = issue(m);
    X509Certificate leaf = Der.certificate(s.leafDer());
    assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
    assertThat(List.<Object>copyOf(leaf.getSubjectAlternativeNames().iterator().next()))
        .containsExactly(6, ID.toString());
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
    boolean[] ku = leaf.getKeyUsage();
    assertThat(ku[0]).isTrue();
    assertThat(ku[5] || ku[6]).isFalse();
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(Duration.between(clock.instant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(1));
    assertThat(leaf.getSerialNumber().signum()).isPositive();
    List<X509Certificate> chain = s.chainDer().stream().map(Der::certificate).toList();
    assertThat(SvidVerifier.verify(chain, m.current().bundle(), clock.instant())).isEqualTo(ID);
    X509Certificate ca = chain.get(1);
    assertThat(ca.getBasicConstraints()).isEqualTo(0);
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
  }

  @Test
  void twoSvidsNeverShareASerial() throws Exception {
    CaManager m = manager(null);
    assertThat(issue(m).serial()).isNotEqualTo(issue(m).serial());
  }

  @Test
  void caKeyIsStoredOnlyEncryptedWithTheMasterKey() {
    manager(null);
    AuthorityRecord a = store.list().getFirst();
    assertThatThrownBy(
            () -> SecretBox.generate().decrypt(a.encryptedPrivateKey(), "ca-key:" + a.id()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(box.decrypt(a.encryptedPrivateKey(), "ca-key:" + a.id())).isNotEmpty();
  }

  @Test
  void rotationPublishesTheNextCaAtHalfLifeAndActivatesItWithASixthLeft() throws Exception {
    CaManager m = manager(null);
    String first = m.current().authorityId();
    assertThat(m.current().bundle()).hasSize(1);
    long seq0 = m.current().sequence();

    clock.advance(Duration.ofHours(11));
    m.tick();
    assertThat(m.current().bundle()).hasSize(1);

    clock.advance(Duration.ofHours(1).plusSeconds(20)); // past half of 24 h
    m.tick();
    assertThat(m.current().authorityId()).isEqualTo(first);
    assertThat(m.current().bundle()).hasSize(2);
    assertThat(m.current().sequence()).isGreaterThan(seq0);
    assertThat(auditStore.types()).contains("ca.prepared");

    clock.advance(Duration.ofHours(8)); // 20 h in: a sixth (4 h) remains
    m.tick();
    String second = m.current().authorityId();
    assertThat(second).isNotEqualTo(first);
    assertThat(m.current().bundle()).hasSize(2); // old CA still trusted: its leaves are valid
    assertThat(store.byId.get(first).state()).isEqualTo(KeyState.RETIRED);
    IssuedSvid s = issue(m);
    assertThat(
            SvidVerifier.verify(
                s.chainDer().stream().map(Der::certificate).toList(),
                m.current().bundle(),
                clock.instant()))
        .isEqualTo(ID);

    X509Certificate firstCa = Der.certificate(store.byId.get(first).chainDer());
    assertThat(m.current().bundle()).contains(firstCa);
    clock.advance(Duration.ofHours(4).plusMinutes(1)); // the first CA has expired
    m.tick();
    assertThat(m.current().bundle()).doesNotContain(firstCa);
    assertThat(store.byId.get(first).state()).isEqualTo(KeyState.DESTROYED);
    assertThat(store.byId.get(first).encryptedPrivateKey()).isNull();
    assertThat(auditStore.types()).contains("ca.activated", "ca.retired", "ca.destroyed");
  }

  @Test
  void aLeafNeverOutlivesItsCa() throws Exception {
    CaManager m = manager(null);
    clock.advance(Duration.ofHours(23).plusMinutes(30));
    // no tick: the still-active CA has 30 minutes left
    IssuedSvid s = issue(m);
    assertThat(s.notAfter()).isEqualTo(m.current().notAfter());
  }

  @Test
  void twoNodesTickingAtOnceActivateOneCa() {
    CaManager a = manager(null);
    CaManager b = new CaManager(store, box, clock, settings, null, audit);
    b.ensureActive();
    assertThat(b.current().authorityId()).isEqualTo(a.current().authorityId());
    clock.advance(Duration.ofHours(13));
    a.tick();
    b.tick();
    clock.advance(Duration.ofHours(8));
    b.tick();
    a.tick();
    assertThat(a.current().authorityId()).isEqualTo(b.current().authorityId());
    assertThat(store.list().stream().filter(r -> r.state() == KeyState.ACTIVE)).hasSize(1);
  }

  @Test
  void underAnUpstreamCaSvidsChainToTheUpstreamRoot(@TempDir Path dir) throws Exception {
    KeyPair rootKey = ec("secp384r1");
    X500Name rootName = new X500Name("CN=Corp Root,O=Corp");
    Instant now = clock.instant();
    var b =
        new JcaX509v3CertificateBuilder(
            rootName,
            java.math.BigInteger.TEN,
            Date.from(now.minusSeconds(60)),
            Date.from(now.plus(Duration.ofDays(3650))),
            rootName,
            rootKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    byte[] rootDer =
        b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(rootKey.getPrivate()))
            .getEncoded();
    X509Certificate root =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(rootDer));
    Files.writeString(dir.resolve("root.pem"), Der.pem("CERTIFICATE", List.of(rootDer)));
    Files.writeString(
        dir.resolve("root.key"),
        Der.pem("PRIVATE KEY", List.of(rootKey.getPrivate().getEncoded())));

    CaManager m = manager(UpstreamCa.load(dir.resolve("root.pem"), dir.resolve("root.key")));
    assertThat(m.current().bundle()).containsExactly(root);
    IssuedSvid s = issue(m);
    assertThat(s.chainDer()).hasSize(2);
    assertThat(
            SvidVerifier.verify(
                s.chainDer().stream().map(Der::certificate).toList(),
                List.of(root),
                clock.instant()))
        .isEqualTo(ID);
  }

  @Test
  void upstreamKeyThatDoesNotMatchItsCertificateIsRefused(@TempDir Path dir) throws Exception {
    KeyPair rootKey = ec("secp256r1");
    X500Name rootName = new X500Name("CN=Corp Root");
    var b =
        new JcaX509v3CertificateBuilder(
            rootName,
            java.math.BigInteger.TEN,
            new Date(),
            Date.from(Instant.now().plus(Duration.ofDays(30))),
            rootName,
            rootKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    byte[] rootDer =
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(rootKey.getPrivate()))
            .getEncoded();
    Files.writeString(dir.resolve("root.pem"), Der.pem("CERTIFICATE", List.of(rootDer)));
    Files.writeString(
        dir.resolve("other.key"),
        Der.pem("PRIVATE KEY", List.of(ec("secp256r1").getPrivate().getEncoded())));
    assertThatThrownBy(() -> UpstreamCa.load(dir.resolve("root.pem"), dir.resolve("other.key")))
        .hasMessageContaining("is not the private key of");
  }

  @Test
  void refusesToIssueForAnotherTrustDomain() throws Exception {
    CaManager m = manager(null);
    SpiffeId other = SpiffeId.parse("spiffe://evil.example/x");
    var spki = Csrs.publicKeyFor(csr(ec("secp256r1")), other);
    assertThatThrownBy(() -> m.current().issue(other, spki, Duration.ofHours(1), clock.instant()))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("not in trust domain");
  }
}
