package dev.warden.core.pki;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a presented X.509-SVID chain against a trust bundle the way the SPIFFE X.509-SVID spec
 * requires of a validator: leaf rules first (one URI SAN that is a SPIFFE ID, not a CA, key usage
 * digitalSignature without keyCertSign/cRLSign), then a PKIX path to one of the bundle's roots.
 */
public final class SvidVerifier {
  private SvidVerifier() {}

  /**
   * @param chain leaf first
   * @return the SPIFFE ID of the leaf
   * @throws DeniedException INVALID_SVID (breaks the SPIFFE rules) or UNKNOWN_AUTHORITY (does not
   *     chain to the bundle)
   */
  public static SpiffeId verify(
      List<X509Certificate> chain, Collection<X509Certificate> bundle, Instant now) {
    if (chain == null || chain.isEmpty()) {
      throw new DeniedException(Reason.INVALID_SVID, "no certificate presented");
    }
    X509Certificate leaf = chain.getFirst();
    SpiffeId id = leafId(leaf);
    if (leaf.getBasicConstraints() >= 0) {
      throw new DeniedException(Reason.INVALID_SVID, "the leaf certificate is a CA (cA=true)");
    }
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null || !ku[0]) {
      throw new DeniedException(Reason.INVALID_SVID, "the leaf's key usage lacks digitalSignature");
    }
    if ((ku.length > 5 && ku[5]) || (ku.length > 6 && ku[6])) {
      throw new DeniedException(
          Reason.INVALID_SVID, "the leaf's key usage has keyCertSign or cRLSign");
    }
    if (!leaf.getCriticalExtensionOIDs().contains("2.5.29.15")) {
      throw new DeniedException(
          Reason.INVALID_SVID, "the leaf's key usage extension is not critical");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate c : bundle) {
      anchors.add(new TrustAnchor(c, null));
    }
    if (anchors.isEmpty()) {
      throw new DeniedException(
          Reason.UNKNOWN_AUTHORITY, "the trust bundle for " + id.trustDomain() + " is empty");
    }
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      CertPath path = cf.generateCertPath(chain);
      PKIXParameters p = new PKIXParameters(anchors);
      p.setRevocationEnabled(false);
      p.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(path, p);
    } catch (CertPathValidatorException e) {
      Reason r =
          e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                  || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID
              ? Reason.INVALID_SVID
              : Reason.UNKNOWN_AUTHORITY;
      throw new DeniedException(
          r,
          "the certificate chain does not validate against the bundle of '"
              + id.trustDomain()
              + "': "
              + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new DeniedException(
          Reason.UNKNOWN_AUTHORITY, "the certificate chain cannot be validated: " + e.getMessage());
    }
    return id;
  }

  /** The SPIFFE ID of a leaf that carries exactly one URI SAN. */
  public static SpiffeId leafId(X509Certificate leaf) {
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new DeniedException(
          Reason.INVALID_SVID, "the leaf's subject alternative names cannot be read");
    }
    String uri = null;
    int uris = 0;
    if (sans != null) {
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          uris++;
          uri = String.valueOf(san.get(1));
        }
      }
    }
    if (uris != 1) {
      throw new DeniedException(
          Reason.INVALID_SVID, "an X.509-SVID has exactly one URI SAN, this one has " + uris);
    }
    try {
      return SpiffeId.parse(Objects.requireNonNull(uri, "uris == 1: the one URI SAN was read"));
    } catch (ValidationException e) {
      throw new DeniedException(
          Reason.INVALID_SVID, "the URI SAN is not a SPIFFE ID: " + e.getMessage());
    }
  }
}
