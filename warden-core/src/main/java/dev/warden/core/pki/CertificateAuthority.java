package dev.warden.core.pki;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.SpiffeId;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;

/**
 * The trust domain's active CA at one moment, immutable and thread-safe: signs SVID leaves and
 * carries the bundle (every authority a peer must trust right now, including the next and the
 * previous CA during a rotation's overlap).
 */
public final class CertificateAuthority {
  private final String trustDomain;
  private final String authorityId;
  private final ECPrivateKeyParameters key;
  private final X500Name name;
  private final SubjectKeyIdentifier ski;
  private final Instant notAfter;
  private final List<byte[]> caChainDer;
  private final List<X509Certificate> bundle;
  private final long sequence;
  private final SecureRandom random = new SecureRandom();

  CertificateAuthority(
      String trustDomain,
      String authorityId,
      ECPrivateKeyParameters key,
      byte[] caChainDer,
      List<X509Certificate> bundle,
      long sequence) {
    this.trustDomain = trustDomain;
    this.authorityId = authorityId;
    this.key = key;
    List<X509Certificate> chain = Der.certificates(caChainDer);
    try {
      X509CertificateHolder ca = new X509CertificateHolder(chain.getFirst().getEncoded());
      this.name = ca.getSubject();
      this.ski = SubjectKeyIdentifier.fromExtensions(ca.getExtensions());
      this.notAfter = ca.getNotAfter().toInstant();
    } catch (IOException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("stored CA certificate cannot be read", e);
    }
    List<byte[]> ders = new ArrayList<>();
    for (X509Certificate c : chain) {
      ders.add(Der.encoded(c));
    }
    this.caChainDer = List.copyOf(ders);
    this.bundle = List.copyOf(bundle);
    this.sequence = sequence;
  }

  public String trustDomain() {
    return trustDomain;
  }

  /** Id (certificate hash) of the authority that signs now. */
  public String authorityId() {
    return authorityId;
  }

  /** CA certificates to trust for this trust domain now. */
  public List<X509Certificate> bundle() {
    return bundle;
  }

  /** Moves whenever the set of authorities changes: the bundle's {@code spiffe_sequence}. */
  public long sequence() {
    return sequence;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /**
   * Signs an X.509-SVID for {@code id} over a public key already checked by {@link Csrs}. The leaf
   * never outlives its CA.
   */
  public IssuedSvid issue(SpiffeId id, SubjectPublicKeyInfo publicKey, Duration ttl, Instant now) {
    return issue(id, List.of(), publicKey, ttl, now);
  }

  /** An SVID that also names DNS names or IP addresses: the server's own TLS certificate. */
  public IssuedSvid issue(
      SpiffeId id,
      List<String> dnsNames,
      SubjectPublicKeyInfo publicKey,
      Duration ttl,
      Instant now) {
    if (!id.trustDomain().equals(trustDomain)) {
      throw new DeniedException(
          Reason.CSR_REJECTED, "'" + id + "' is not in trust domain '" + trustDomain + "'");
    }
    if (!now.isBefore(notAfter)) {
      throw new IllegalStateException(
          "the active CA expired at " + notAfter + "; the CA manager must rotate");
    }
    Instant end = now.plus(ttl);
    if (end.isAfter(notAfter)) {
      end = notAfter;
    }
    try {
      X509CertificateHolder h =
          Certificates.leaf(
              name,
              ski,
              id,
              dnsNames,
              publicKey,
              now.minus(Certificates.BACKDATE),
              end,
              new EcContentSigner(key),
              random);
      byte[] leaf = h.getEncoded();
      List<byte[]> chain = new ArrayList<>(caChainDer.size() + 1);
      chain.add(leaf);
      chain.addAll(caChainDer);
      return new IssuedSvid(id, chain, h.getSerialNumber(), end);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode certificate", e);
    }
  }
}
