package dev.warden.agent.workloadapi;

import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.JwtSvids;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A real (not mocked) identity source for Workload API tests: a P-256 CA made here,
 * SPIFFE-conformant leaves, ES256 JWT-SVIDs. {@link #rotate()} issues a new leaf and tells
 * listeners, as the agent does.
 */
final class TestIdentities implements IdentitySource {
  static final String TD = "example.org";
  final SpiffeId id = SpiffeId.parse("spiffe://example.org/app");
  final Set<Selector> required;
  final KeyPair caKey;
  final X509Certificate ca;
  final KeyMaterial jwtKey = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
  final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  volatile X509Svid current;

  TestIdentities(Set<Selector> required) throws Exception {
    this.required = required;
    caKey = ec();
    X500Name name = new X500Name("CN=test CA,O=Warden tests");
    var b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.ONE,
            Date.from(Instant.now().minusSeconds(60)),
            Date.from(Instant.now().plus(Duration.ofDays(1))),
            name,
            caKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + TD)));
    ca =
        cert(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate()))
                .getEncoded());
    rotate();
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static X509Certificate cert(byte[] der) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(der));
  }

  void rotate() throws Exception {
    KeyPair leafKey = ec();
    var b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=test CA,O=Warden tests"),
            new BigInteger(64, new SecureRandom()).add(BigInteger.TWO),
            Date.from(Instant.now().minusSeconds(10)),
            Date.from(Instant.now().plus(Duration.ofHours(1))),
            new X500Name("O=Warden"),
            leafKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
    X509Certificate leaf =
        cert(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate()))
                .getEncoded());
    current = new X509Svid(id, List.of(leaf), leafKey.getPrivate(), null);
    listeners.forEach(Runnable::run);
  }

  @Override
  public List<X509Svid> x509Svids(Set<Selector> callerSelectors) {
    return callerSelectors.containsAll(required) ? List.of(current) : List.of();
  }

  @Override
  public Map<String, List<X509Certificate>> x509Bundles() {
    return Map.of(TD, List.of(ca));
  }

  @Override
  public Map<String, List<String>> jwtAuthorities() {
    return Map.of(TD, List.of(jwtKey.publicJwk()));
  }

  @Override
  public String jwtSvid(SpiffeId who, List<String> audience) {
    return JwtSvids.mint(jwtKey, who, audience, Duration.ofMinutes(5), Instant.now());
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
