package dev.warden.core.secret;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who read which secret, kept in memory and written to the store in one batch every few seconds
 * ({@link #flush}), so a workload's read costs no database write of its own: the read itself is
 * already durable as its audit event and lease. Per secret and workload only the newest read is
 * kept between flushes.
 */
public final class ReadLog {
  private record Key(String name, String workload) {}

  private final BrokeredSecretStore store;
  private final Map<Key, BrokeredSecretStore.Read> pending = new ConcurrentHashMap<>();

  public ReadLog(BrokeredSecretStore store) {
    this.store = store;
  }

  /**
   * Notes that {@code workload} used version {@code version} of secret {@code name} (directly, or
   * through the MCP gateway).
   */
  public void record(String name, String workload, long version, Instant at) {
    pending.merge(
        new Key(name, workload),
        new BrokeredSecretStore.Read(name, workload, version, at),
        (a, b) -> b.at().isAfter(a.at()) ? b : a);
  }

  /**
   * Writes the reads recorded since the last flush. A read recorded during a flush waits for the
   * next one; a batch the store refuses is kept for the next attempt.
   */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<BrokeredSecretStore.Read> batch = new ArrayList<>();
    for (Key k : List.copyOf(pending.keySet())) {
      BrokeredSecretStore.Read r = pending.remove(k);
      if (r != null) {
        batch.add(r);
      }
    }
    try {
      store.recordReads(batch);
    } catch (RuntimeException e) {
      batch.forEach(
          r ->
              pending.merge(
                  new Key(r.name(), r.workload()), r, (a, b) -> b.at().isAfter(a.at()) ? b : a));
      throw e;
    }
  }
}
