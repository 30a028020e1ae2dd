package dev.warden.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand ({@link #advance}, {@link #set}); thread-safe. Clocks derived
 * with {@link #withZone} share the same time, so advancing one advances all.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock that starts at {@code start}, in UTC. */
  public static MutableClock startingAt(Instant start) {
    if (start == null) {
      throw new IllegalArgumentException("start is required");
    }
    return new MutableClock(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  /** A clock that starts at {@link FixedClock#DEFAULT_INSTANT}. */
  public static MutableClock startingAtDefault() {
    return startingAt(FixedClock.DEFAULT_INSTANT);
  }

  /** Moves the clock forward (or back, with a negative duration) and returns the new time. */
  public Instant advance(Duration d) {
    return now.updateAndGet(t -> t.plus(d));
  }

  /** Sets the time. */
  public void set(Instant instant) {
    if (instant == null) {
      throw new IllegalArgumentException("instant is required");
    }
    now.set(instant);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new MutableClock(now, zone);
  }

  @Override
  public Instant instant() {
    return Objects.requireNonNull(now.get(), "a MutableClock always holds an instant");
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
