package dev.warden.core.trust;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One immutable snapshot of a provider's usable keys, indexed by {@code kid}. */
final class VerificationKeys {
  final List<VerificationKey> keys;
  final Instant fetchedAt;
  private final Map<String, List<VerificationKey>> byKid;

  VerificationKeys(List<VerificationKey> keys, Instant fetchedAt) {
    this.keys = List.copyOf(keys);
    this.fetchedAt = fetchedAt;
    Map<String, List<VerificationKey>> m = new HashMap<>();
    for (VerificationKey k : keys) {
      if (k.kid != null) {
        m.computeIfAbsent(k.kid, x -> new ArrayList<>(1)).add(k);
      }
    }
    m.replaceAll((kid, l) -> List.copyOf(l));
    this.byKid = Map.copyOf(m);
  }

  /** Keys with this {@code kid} (usually one); empty when none. */
  List<VerificationKey> withKid(String kid) {
    return byKid.getOrDefault(kid, List.of());
  }

  /** Keys, with or without a kid, that may verify {@code alg}. */
  List<VerificationKey> forAlgorithm(String alg) {
    List<VerificationKey> l = new ArrayList<>(1);
    for (VerificationKey k : keys) {
      if (k.algorithms.contains(alg)) {
        l.add(k);
      }
    }
    return l;
  }

  /** Whether this very key object is still part of the set (identity, not equality). */
  boolean contains(VerificationKey key) {
    for (VerificationKey k : keys) {
      if (k == key) {
        return true;
      }
    }
    return false;
  }
}
