package dev.warden.core.store;

import java.util.Optional;

/** Small installation-wide values (bootstrap marker, encrypted fingerprint key, schedules). */
public interface SettingsStore {

  Optional<byte[]> get(String key);

  /** Stores the value only if the key is absent; returns true if this call stored it. */
  boolean putIfAbsent(String key, byte[] value);

  void put(String key, byte[] value);
}
