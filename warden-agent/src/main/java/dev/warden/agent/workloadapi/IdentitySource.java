package dev.warden.agent.workloadapi;

import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What the Workload API serves; the agent runtime implements it. */
public interface IdentitySource {
  /** X.509-SVIDs a caller with these attested selectors may hold right now; empty: no identity. */
  List<X509Svid> x509Svids(Set<Selector> callerSelectors);

  /** X.509 bundle per trust domain name: CA certificates to trust. */
  Map<String, List<X509Certificate>> x509Bundles();

  /** JWT authorities per trust domain name, as public JWK JSON objects with a {@code kid}. */
  Map<String, List<String>> jwtAuthorities();

  /** A JWT-SVID for one of the caller's identities (may call the server). */
  String jwtSvid(SpiffeId id, List<String> audience) throws IdentityException;

  /**
   * A JWT-SVID already held for this identity and audience, or null; must not block (it runs on the
   * socket's event loop so a cache hit costs no thread hand-off).
   */
  default @Nullable String cachedJwtSvid(SpiffeId id, List<String> audience) {
    return null;
  }

  /** Called whenever SVIDs or bundles change; closing the handle unregisters. */
  AutoCloseable onChange(Runnable listener);
}
