package dev.warden.core.pki;

import dev.warden.core.model.SpiffeId;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * A freshly signed X.509-SVID.
 *
 * @param chainDer the leaf first, then the CA and any intermediates up to (not including) the root
 */
public record IssuedSvid(SpiffeId id, List<byte[]> chainDer, BigInteger serial, Instant notAfter) {
  public IssuedSvid {
    chainDer = List.copyOf(chainDer);
  }

  public byte[] leafDer() {
    return chainDer.getFirst();
  }
}
