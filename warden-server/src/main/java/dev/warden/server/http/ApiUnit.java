package dev.warden.server.http;

import dev.warden.core.error.NotFoundException;
import org.jspecify.annotations.Nullable;

/**
 * One API under {@code /v1}, registered with {@link ApiRouter}: the raw paths it owns (no two units
 * own the same path), the label of its requests in the metrics, and its routes. Authentication,
 * scope checks, error rendering and metrics are the router's, not the unit's.
 */
interface ApiUnit {
  /** The {@code route} label of this unit's requests in {@code warden_http_requests}. */
  String group();

  /** True for the raw paths this unit serves. */
  boolean owns(String rawPath);

  void routes(RouteTable routes);

  /**
   * True (the default): every request must carry a valid admin token, checked before routing, so
   * even an unknown path answers 401 without one. False: only routes with a scope ask for one.
   */
  default boolean adminTokenFirst() {
    return true;
  }

  /** Runs before anything else, even authentication, for headers every answer carries. */
  default void before(Call call) {}

  /** What a path this unit owns but does not route answers. */
  default RuntimeException notFound(Call call) {
    return new NotFoundException("route", call.rawPath());
  }

  /** The first segment below {@code /v1/} of a raw path: "" for {@code /v1} itself. */
  static String head(String rawPath) {
    String rest = rest(rawPath);
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /**
   * What follows the first segment below {@code /v1/}, percent-decoded; null when nothing does.
   *
   * @throws BadRequestException when the percent-encoding is broken
   */
  static @Nullable String tail(String rawPath) {
    String rest = rest(rawPath);
    int slash = rest.indexOf('/');
    return slash < 0 ? null : Params.decode(rest.substring(slash + 1));
  }

  /**
   * {@link #tail} of a path whose route is reached only with one: an earlier route of the same unit
   * takes the path without a tail.
   *
   * @throws BadRequestException when the percent-encoding is broken
   */
  static String routedTail(String rawPath) {
    return java.util.Objects.requireNonNull(tail(rawPath), "an earlier route takes no tail");
  }

  /** True when the path has a tail and {@code test} accepts it. */
  static boolean tailMatches(String rawPath, java.util.function.Predicate<String> test) {
    String t = tail(rawPath);
    return t != null && test.test(t);
  }

  private static String rest(String rawPath) {
    return rawPath.length() > 4 ? rawPath.substring(4) : "";
  }
}
