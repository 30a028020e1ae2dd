package dev.warden.core.oauth;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The clients Warden knows: each is named by the URL of its Client ID Metadata Document, fetched on
 * first use and cached for as long as its {@code Cache-Control} allows (a failed fetch or an
 * invalid document is not cached, so a fixed document is used at once). The cache holds at most
 * {@value #MAX_ENTRIES} clients; when full, expired entries are dropped, then everything.
 *
 * <p>Thread-safe. Two requests for the same uncached client may both fetch it; both get a valid
 * document or an error, and the later one is kept.
 */
public final class ClientRegistry {
  static final int MAX_ENTRIES = 4096;

  private record Entry(ClientMetadata metadata, Instant expiresAt) {}

  private final ClientMetadataFetcher fetcher;
  private final Clock clock;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  public ClientRegistry(ClientMetadataFetcher fetcher, Clock clock) {
    this.fetcher = fetcher;
    this.clock = clock;
  }

  /**
   * The validated metadata of the client named {@code clientId}.
   *
   * @throws DeniedException {@code invalid_client_metadata} when the URL or the document breaks a
   *     rule, {@code client_metadata_unavailable} when the document cannot be fetched
   */
  public ClientMetadata resolve(@Nullable String clientId) {
    URI url = ClientMetadata.checkClientId(clientId);
    Objects.requireNonNull(clientId, "checkClientId refuses a missing client_id");
    Instant now = clock.instant();
    Entry e = cache.get(clientId);
    if (e != null && now.isBefore(e.expiresAt())) {
      return e.metadata();
    }
    ClientMetadataFetcher.Fetched f;
    try {
      f = fetcher.fetch(url);
    } catch (IOException ex) {
      throw new DeniedException(
          Reason.CLIENT_METADATA_UNAVAILABLE,
          "cannot fetch the client's metadata document "
              + clientId.substring(0, Math.min(clientId.length(), 200))
              + ": "
              + ex.getMessage());
    }
    ClientMetadata m = ClientMetadata.parse(clientId, f.body());
    if (!f.maxAge().isZero() && !f.maxAge().isNegative()) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.values().removeIf(old -> !now.isBefore(old.expiresAt()));
        if (cache.size() >= MAX_ENTRIES) {
          cache.clear();
        }
      }
      cache.put(clientId, new Entry(m, now.plus(f.maxAge())));
    } else {
      cache.remove(clientId);
    }
    return m;
  }
}
