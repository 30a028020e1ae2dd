package dev.warden.core.inventory;

import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.SecretMetadata;
import java.util.List;

/**
 * A brokered secret as the inventory sees it: its metadata and the workloads that read it within
 * {@link #READERS_WINDOW}, most recent first.
 */
public record SecretSummary(SecretMetadata metadata, List<BrokeredSecretStore.Reader> readers) {
  /** How far back readers count. */
  public static final java.time.Duration READERS_WINDOW = java.time.Duration.ofDays(30);

  public SecretSummary {
    readers = List.copyOf(readers);
  }

  /** Every stored secret with its readers since {@code now - READERS_WINDOW}. */
  static List<SecretSummary> read(BrokeredSecretStore store, java.time.Instant now) {
    var readers = store.readers(now.minus(READERS_WINDOW));
    return store.list().stream()
        .map(m -> new SecretSummary(m, readers.getOrDefault(m.name(), List.of())))
        .toList();
  }
}
