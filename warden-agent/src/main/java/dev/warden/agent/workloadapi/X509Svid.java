package dev.warden.agent.workloadapi;

import dev.warden.core.model.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An X.509-SVID ready to hand to a workload: chain (leaf first), its private key, an optional hint.
 */
public record X509Svid(
    SpiffeId id, List<X509Certificate> chain, PrivateKey privateKey, @Nullable String hint) {
  public X509Svid {
    chain = List.copyOf(chain);
  }
}
