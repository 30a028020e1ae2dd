package dev.warden.core.checkpoint;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.RotationPolicy;
import dev.warden.core.token.SigningAlgorithm;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Audit checkpoint keys over an in-memory key store with the real store's compare-and-set rules.
 */
final class CheckpointKeys {
  private CheckpointKeys() {}

  static KeyManager create(Clock clock, AuditWriter audit) {
    KeyManager k =
        new KeyManager(
            KeyPurpose.AUDIT_CHECKPOINT,
            new MemoryKeys(),
            SecretBox.generate(),
            clock,
            new RotationPolicy(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofHours(25)),
            SigningAlgorithm.ES256,
            audit);
    k.ensureActiveKey();
    return k;
  }

  static final class MemoryKeys implements SigningKeyStore {
    private final Map<String, SigningKeyRecord> keys = new LinkedHashMap<>();
    private long counter;

    @Override
    public synchronized List<SigningKeyRecord> list() {
      return new ArrayList<>(keys.values());
    }

    @Override
    public synchronized void insert(SigningKeyRecord key) {
      keys.put(key.kid(), key);
      counter++;
    }

    @Override
    public synchronized boolean update(SigningKeyRecord key, KeyState expectedState) {
      SigningKeyRecord cur = keys.get(key.kid());
      if (cur == null || cur.state() != expectedState || cur.purpose() != key.purpose()) {
        return false;
      }
      keys.put(key.kid(), key);
      counter++;
      return true;
    }

    @Override
    public synchronized long changeCounter() {
      return counter;
    }
  }
}
