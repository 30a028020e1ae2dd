package dev.warden.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Times are stored as BIGINT epoch microseconds: the precision both H2 and PostgreSQL keep, the
 * precision at which {@link dev.warden.core.audit.AuditChain} hashes event times, and free of
 * time-zone and TIMESTAMP-type differences between the two databases.
 */
final class Micros {
  private Micros() {}

  /**
   * @throws IllegalArgumentException when the time is beyond what 64-bit microseconds hold
   */
  static long of(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "time " + t + " is out of the storable range (±292,000 years)", e);
    }
  }

  static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** The instant as it reads back from the database. */
  static Instant truncate(Instant t) {
    return t.getNano() % 1_000 == 0 ? t : toInstant(of(t));
  }

  /** {@link #truncate}, for a time that may be absent. */
  static @Nullable Instant truncateNullable(@Nullable Instant t) {
    return t == null ? null : truncate(t);
  }
}
