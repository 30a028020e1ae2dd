package dev.warden.agent.edge;

import dev.warden.agent.workloadapi.X509Svid;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Keeps each workload's credential for each target off the connection path. A connection takes the
 * cached credential while it is valid; at 80 % of its life the next one is fetched in the
 * background (one fetch per workload and target however many connections arrive), so a handshake
 * waits on the server only for the very first connection. While the server cannot be reached the
 * cached credential serves until it expires; a refusal by policy drops it at once, since policy
 * changed and the old credential must not outlive that decision for new connections.
 */
public final class CredentialCache implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(CredentialCache.class.getName());

  private record Key(String spiffeId, String resource) {}

  private static final class Entry {
    /** The credential held; null before the first fetch and after a discard. */
    volatile @Nullable EdgeCredential current;

    /** The fetch under way; null when none is. */
    @Nullable CompletableFuture<EdgeCredential> inflight;
  }

  private final CredentialFetcher fetcher;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

  public CredentialCache(CredentialFetcher fetcher, Clock clock) {
    this.fetcher = fetcher;
    this.clock = clock;
  }

  /**
   * The credential for this workload and resource: cached when valid (refreshing ahead when due),
   * else fetched now.
   */
  public EdgeCredential get(X509Svid workload, String resource) throws EdgeException {
    Entry e =
        entries.computeIfAbsent(new Key(workload.id().toString(), resource), k -> new Entry());
    Instant now = clock.instant();
    EdgeCredential c = e.current;
    if (c != null && c.usableAt(now)) {
      if (!now.isBefore(c.refreshAt())) {
        refresh(e, workload, resource); // in the background: this connection goes on with c
      }
      return c;
    }
    try {
      EdgeCredential got = refresh(e, workload, resource).get();
      if (!got.usableAt(clock.instant())) {
        // a refresh started earlier fell back to the credential held then, expired since: ask
        // again,
        // so that the caller gets a valid credential or the server's reason, never an expired one
        got = refresh(e, workload, resource).get();
        if (!got.usableAt(clock.instant())) {
          throw new EdgeException(
              EdgeException.Kind.UNAVAILABLE,
              "the credential for "
                  + resource
                  + " expired at "
                  + got.expiresAt()
                  + " and no new one could be fetched");
        }
      }
      return got;
    } catch (ExecutionException ex) {
      if (ex.getCause() instanceof EdgeException ee) {
        throw ee;
      }
      throw new EdgeException(
          EdgeException.Kind.FAILED, "fetching a credential failed: " + ex.getCause());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new EdgeException(
          EdgeException.Kind.UNAVAILABLE, "interrupted while fetching a credential");
    }
  }

  /** Forgets every credential of this workload (its registration is gone). */
  public void forget(String spiffeId) {
    entries.keySet().removeIf(k -> k.spiffeId().equals(spiffeId));
  }

  /**
   * Drops this credential if it is still the one cached: the target refused it (its lease was
   * revoked, or the user removed), so the next connection must fetch a new one rather than be
   * refused until the credential is due for refresh.
   */
  public void discard(EdgeCredential credential) {
    for (Entry e : entries.values()) {
      synchronized (e) {
        if (e.current == credential) {
          e.current = null;
        }
      }
    }
  }

  /** The leases of the credentials held now. */
  public java.util.List<String> leaseIds() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (Entry e : entries.values()) {
      EdgeCredential c = e.current;
      String lease = c == null ? null : c.leaseId();
      if (lease != null) {
        out.add(lease);
      }
    }
    return out;
  }

  /** Drops the credential of this lease, if held: the next connection asks for a new one. */
  public void discardLease(String leaseId) {
    for (Entry e : entries.values()) {
      synchronized (e) {
        EdgeCredential c = e.current;
        if (c != null && leaseId.equals(c.leaseId())) {
          e.current = null;
        }
      }
    }
  }

  /** How many workload/target pairs hold a credential now. */
  public int size() {
    return (int) entries.values().stream().filter(e -> e.current != null).count();
  }

  private CompletableFuture<EdgeCredential> refresh(Entry e, X509Svid workload, String resource) {
    synchronized (e) {
      CompletableFuture<EdgeCredential> running = e.inflight;
      if (running != null) {
        return running;
      }
      CompletableFuture<EdgeCredential> f = new CompletableFuture<>();
      e.inflight = f;
      background.execute(
          () -> {
            EdgeCredential result = null;
            Throwable failure = null;
            try {
              result = fetcher.fetch(workload, resource);
              e.current = result;
            } catch (EdgeException ex) {
              if (ex.kind() == EdgeException.Kind.DENIED) {
                e.current = null;
              }
              EdgeCredential held = e.current;
              if (held != null && held.usableAt(clock.instant())) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "could not refresh the credential of "
                        + workload.id()
                        + " for "
                        + resource
                        + " ("
                        + ex.getMessage()
                        + "); the cached one serves until "
                        + held.expiresAt());
                result = held;
              } else {
                failure = ex;
              }
            } catch (RuntimeException ex) {
              failure = ex;
            }
            // the next caller must start a new fetch, not find this finished one
            synchronized (e) {
              e.inflight = null;
            }
            if (failure != null) {
              f.completeExceptionally(failure);
            } else {
              f.complete(result);
            }
          });
      return f;
    }
  }

  @Override
  public void close() {
    background.shutdownNow();
  }
}
