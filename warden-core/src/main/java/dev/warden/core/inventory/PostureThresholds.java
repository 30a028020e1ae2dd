package dev.warden.core.inventory;

import dev.warden.core.error.ValidationException;
import java.time.Duration;
import java.util.List;

/**
 * Tunable limits of the posture rules.
 *
 * @param unusedGrant a grant not used for this long is over-privilege (NHI5)
 * @param staticMaxAge a static credential older than this is long-lived (NHI7)
 * @param rotationInterval a static credential not rotated for this long is overdue (NHI7)
 * @param stale an NHI unused for this long is stale
 * @param workstationCidrs address ranges of people's machines (NHI10), e.g. {@code 10.20.0.0/16}
 * @throws ValidationException when a duration is not positive or a range does not parse
 */
public record PostureThresholds(
    Duration unusedGrant,
    Duration staticMaxAge,
    Duration rotationInterval,
    Duration stale,
    List<String> workstationCidrs) {

  public static final PostureThresholds DEFAULTS =
      new PostureThresholds(
          Duration.ofDays(30),
          Duration.ofDays(90),
          Duration.ofDays(90),
          Duration.ofDays(90),
          List.of());

  public PostureThresholds {
    for (Duration d : new Duration[] {unusedGrant, staticMaxAge, rotationInterval, stale}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new ValidationException("posture", "thresholds must be positive durations");
      }
    }
    workstationCidrs = workstationCidrs == null ? List.of() : List.copyOf(workstationCidrs);
    for (String c : workstationCidrs) {
      Cidr.parse(c);
    }
  }

  public PostureThresholds withWorkstationCidrs(List<String> cidrs) {
    return new PostureThresholds(unusedGrant, staticMaxAge, rotationInterval, stale, cidrs);
  }
}
