package dev.warden.core.token;

import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.trust.JwsKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Signature verifiers for the keys of one {@link KeyManager}'s current keyset, built once per key:
 * parsing a JWK and validating its point costs more than the signature check itself. A new keyset
 * (rotation) starts a new table. Each is a {@link JwsKey} limited to the algorithm its key record
 * names, so Warden's own tokens are checked by the code that checks every other JWS (decision 021).
 * Thread-safe.
 */
public final class KeyVerifiers {
  private record Table(@Nullable SigningKeyset keyset, ConcurrentHashMap<String, JwsKey> byKid) {}

  private volatile Table table = new Table(null, new ConcurrentHashMap<>());

  /**
   * The verifier of {@code key}, which verifies {@code key.algorithm()} only.
   *
   * @throws IllegalArgumentException when the stored public JWK does not parse or cannot verify its
   *     record's algorithm
   */
  public JwsKey of(SigningKeyset keyset, SigningKeyRecord key) {
    Table t = table;
    if (t.keyset() != keyset) {
      t = new Table(keyset, new ConcurrentHashMap<>());
      table = t;
    }
    JwsKey v = t.byKid().get(key.kid());
    if (v == null) {
      v = JwsKey.parse(key.publicJwk(), Set.of(key.algorithm()));
      t.byKid().put(key.kid(), v);
    }
    return v;
  }
}
