package dev.warden.core.grant;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.pki.SvidVerifier;
import dev.warden.core.policy.PolicySnapshot;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * X.509-SVIDs over mTLS (RFC 8705 {@code tls_client_auth}): the chain must lead to the trust
 * domain's X.509 bundle, and the leaf's SPIFFE ID names the workload directly. The credential is
 * bound to the certificate ({@code cnf.x5t#S256}).
 */
final class CertificateAttestor implements Attestor<Evidence.ClientCertificate> {
  static final String PROVIDER = "mtls";

  private final Supplier<List<X509Certificate>> bundle;

  CertificateAttestor(Supplier<List<X509Certificate>> bundle) {
    this.bundle = bundle;
  }

  @Override
  public Workload attest(
      Evidence.ClientCertificate evidence, PolicySnapshot snapshot, GrantContext ctx) {
    SpiffeId id = SvidVerifier.verify(evidence.chain(), bundle.get(), ctx.now());
    ctx.attested(PROVIDER, id.toString(), Map.of(), thumbprint(evidence.chain().getFirst()));
    ctx.evidenceExpiresAt(evidence.chain().getFirst().getNotAfter().toInstant());
    Workload w = snapshot.workload(id.toString());
    if (w == null) {
      throw new DeniedException(Reason.UNKNOWN_WORKLOAD, "no workload is registered as " + id);
    }
    return w;
  }

  /**
   * RFC 8705 section 3.1: base64url SHA-256 of the certificate's DER, the {@code x5t#S256}
   * confirmation.
   */
  static String thumbprint(X509Certificate c) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Hashes.sha256(c.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
