package dev.warden.core.upstream;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.TargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One upstream token per key (resource, client, scope set), reused while it has more than a safety
 * margin of life left, and fetched at most once at a time: concurrent grants that miss share one
 * upstream request (single flight) and its outcome. A failure is shared only by the grants that
 * waited for that request; nothing remembers it afterwards, so the next grant tries again.
 *
 * @param <K> the key: a value with equals and hashCode
 */
final class UpstreamTokenCache<K> {
  /**
   * Reuse stops this long before expiry, at least: a token handed out must still work when it is
   * used.
   */
  static final Duration MIN_MARGIN = Duration.ofSeconds(60);

  /** Keys beyond this are pruned of expired tokens when a new one is stored. */
  static final int PRUNE_ABOVE = 1000;

  /**
   * A token and when it was obtained and expires; {@code assumed}: the upstream did not say how
   * long it lives.
   */
  record Cached(
      Secret token,
      Instant obtainedAt,
      Instant expiresAt,
      @Nullable String scope,
      boolean assumed) {
    Duration lifetime() {
      return Duration.between(obtainedAt, expiresAt);
    }

    /**
     * Reusable while more than its margin is left: 10% of its lifetime, at least 60 s, at most half
     * of it (so that a token living two minutes is still reused for one).
     */
    boolean reusableAt(Instant now) {
      Duration life = lifetime();
      Duration margin = life.dividedBy(10);
      if (margin.compareTo(MIN_MARGIN) < 0) {
        margin = MIN_MARGIN;
      }
      if (margin.compareTo(life.dividedBy(2)) > 0) {
        margin = life.dividedBy(2);
      }
      return now.plus(margin).isBefore(expiresAt);
    }
  }

  /**
   * How a grant got its token: from the cache, by its own upstream request, or by waiting for
   * another grant's.
   */
  enum Source {
    HIT,
    MISS,
    SHARED;

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  record Outcome(Cached token, Source source) {}

  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    @Nullable Cached current;
    @Nullable CompletableFuture<Cached> inflight;
  }

  private final Map<K, Slot> slots = new ConcurrentHashMap<>();

  /**
   * The token for {@code key}: the cached one while reusable, else the outcome of one upstream
   * request, shared with every caller that asks meanwhile.
   *
   * @param now the caller's clock reading, for reuse
   * @param fetch asks the upstream; may throw {@link TargetException}
   * @throws TargetException when that request failed
   */
  Outcome get(K key, Instant now, Supplier<Cached> fetch) {
    Slot s = slots.computeIfAbsent(key, k -> new Slot());
    CompletableFuture<Cached> mine = null;
    CompletableFuture<Cached> flight;
    s.lock.lock();
    try {
      if (s.current != null && s.current.reusableAt(now)) {
        return new Outcome(s.current, Source.HIT);
      }
      if (s.inflight == null) {
        s.inflight = mine = new CompletableFuture<>();
      }
      flight = s.inflight;
    } finally {
      s.lock.unlock();
    }
    if (mine == null) {
      try {
        return new Outcome(flight.join(), Source.SHARED);
      } catch (CompletionException e) {
        // a fresh exception per waiter: they are audited and rethrown on different threads
        Throwable c = e.getCause();
        throw c instanceof TargetException t
            ? new TargetException(
                // a TargetException always has its message
                Objects.requireNonNullElse(t.getMessage(), "the upstream request failed"), false, t)
            : new TargetException("the upstream request failed", false, c);
      }
    }
    Cached got;
    try {
      got = fetch.get();
    } catch (RuntimeException e) {
      finish(s, null);
      mine.completeExceptionally(e);
      throw e;
    }
    finish(s, got);
    mine.complete(got);
    if (slots.size() > PRUNE_ABOVE) {
      prune(now);
    }
    return new Outcome(got, Source.MISS);
  }

  /**
   * Forgets every current token {@code drop} accepts (a token reported leaked), so the next grant
   * of its key asks the upstream for a new one.
   *
   * @return the tokens forgotten, with their keys
   */
  java.util.List<Map.Entry<K, Cached>> evict(java.util.function.Predicate<Cached> drop) {
    java.util.List<Map.Entry<K, Cached>> out = new java.util.ArrayList<>();
    for (Map.Entry<K, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      s.lock.lock();
      try {
        if (s.current != null && drop.test(s.current)) {
          out.add(Map.entry(e.getKey(), s.current));
          s.current = null;
        }
      } finally {
        s.lock.unlock();
      }
    }
    return out;
  }

  /** Forgets every token (after the client's secret or configuration changed). */
  void clear() {
    slots.clear();
  }

  int size() {
    return slots.size();
  }

  private static void finish(Slot s, @Nullable Cached got) {
    s.lock.lock();
    try {
      if (got != null) {
        s.current = got;
      }
      s.inflight = null;
    } finally {
      s.lock.unlock();
    }
  }

  private void prune(Instant now) {
    slots
        .entrySet()
        .removeIf(
            e -> {
              Slot s = e.getValue();
              s.lock.lock();
              try {
                return s.inflight == null
                    && (s.current == null || !s.current.expiresAt().isAfter(now));
              } finally {
                s.lock.unlock();
              }
            });
  }
}
