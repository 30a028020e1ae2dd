package dev.warden.core.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Values read from the store, kept on this node only while every change to them is sure to reach it
 * (decision 662): a change committed on this node calls {@link #invalidate} before the writer
 * returns; one committed on another node moves a change counter, whose notification (or, when it is
 * lost, the poll) hands the new value to {@link #changed}, which drops everything.
 *
 * <p>Three rules make a dropped value never come back. A value is stored with the generation read
 * before it was loaded, and served only while that generation is current, so a load that raced an
 * invalidation is ignored. Nothing is cached while {@code coverage} says changes do not reach this
 * node (negative: the change feed is reconnecting), and a new coverage span (the feed listening
 * again) drops everything, since notifications were lost in between. And every counter value not
 * seen before drops everything, including the first one read.
 *
 * @param <K> the key
 * @param <V> the value as loaded
 */
public final class ChangeCache<K, V> {
  private record Entry<V>(V value, long generation) {}

  private final LongSupplier coverage;
  private final int maxEntries;
  private final AtomicLong generation = new AtomicLong();
  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private volatile long span = Long.MIN_VALUE;
  private long counter = Long.MIN_VALUE; // guarded by this

  /**
   * @param coverage the current unbroken span over which every change committed anywhere reaches
   *     this node (its id, the same for the whole span), or a negative number while changes may be
   *     missed
   * @param maxEntries how many values are kept at most (all are dropped when it is reached)
   */
  public ChangeCache(LongSupplier coverage, int maxEntries) {
    this.coverage = coverage;
    this.maxEntries = maxEntries;
  }

  /**
   * The value of {@code key}: kept from an earlier load, or loaded now (and kept when {@code keep}
   * says so). An exception of {@code load} passes through and nothing is kept.
   */
  public V get(K key, Function<K, V> load, Predicate<V> keep) {
    long s = coverage.getAsLong();
    if (s < 0) {
      return load.apply(key);
    }
    if (s != span) {
      newSpan(s);
    }
    long g = generation.get();
    Entry<V> e = entries.get(key);
    if (e != null && e.generation() == g) {
      return e.value();
    }
    V v = load.apply(key);
    if (keep.test(v)) {
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
      entries.put(key, new Entry<>(v, g));
    }
    return v;
  }

  private synchronized void newSpan(long s) {
    if (s != span) {
      invalidate();
      span = s;
    }
  }

  /** Drops every value: a change was committed on this node. */
  public void invalidate() {
    generation.incrementAndGet();
    entries.clear();
  }

  /**
   * Drops every value unless {@code value} is the change counter's value seen last: called with the
   * counter as read after a notification, and on every poll.
   */
  public synchronized void changed(long value) {
    if (value != counter) {
      invalidate();
      counter = value;
    }
  }

  /** How many values are kept now. */
  public int size() {
    return entries.size();
  }
}
