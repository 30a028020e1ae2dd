package dev.warden.testkit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that always reads the same instant. A fake, not a mock: inject it where a {@link Clock}
 * is expected.
 */
public final class FixedClock extends Clock {
  /** 2025-01-01T00:00:00Z: a fixed, readable default for tests that do not care about the date. */
  public static final Instant DEFAULT_INSTANT = Instant.parse("2025-01-01T00:00:00Z");

  private final Instant instant;
  private final ZoneId zone;

  private FixedClock(Instant instant, ZoneId zone) {
    if (instant == null || zone == null) {
      throw new IllegalArgumentException("instant and zone are required");
    }
    this.instant = instant;
    this.zone = zone;
  }

  /** A clock fixed at {@code instant}, in UTC. */
  public static FixedClock at(Instant instant) {
    return new FixedClock(instant, ZoneOffset.UTC);
  }

  /** A clock fixed at {@link #DEFAULT_INSTANT}. */
  public static FixedClock atDefault() {
    return at(DEFAULT_INSTANT);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new FixedClock(instant, zone);
  }

  @Override
  public Instant instant() {
    return instant;
  }

  @Override
  public String toString() {
    return "FixedClock[" + instant + "]";
  }
}
