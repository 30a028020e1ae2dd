package dev.warden.server.http;

import io.helidon.http.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one API unit, matched in order on the raw path. For the first path that matches:
 * its guard scope, if any, is checked; then the method picks the handler (405 with the path's hint
 * when none fits); then that handler's scope; then the handler runs. Units differ in whether a
 * scope is checked before the method (a guard) or after it, and that order is part of the API.
 */
final class RouteTable {
  /** Handles one call; throws the core or HTTP exception that {@link Errors#api} renders. */
  @FunctionalInterface
  interface Handler {
    void handle(Call call);
  }

  private record Action(@Nullable String scope, Handler handler) {}

  /** The routes of one path: an optional guard scope, an action per method, the 405 hint. */
  static final class Path {
    private final Predicate<String> matches;
    private final Map<Method, Action> byMethod = new LinkedHashMap<>();
    private @Nullable String guard;
    private @Nullable Action any;
    private @Nullable Function<Call, String> hint;

    private Path(Predicate<String> matches) {
      this.matches = matches;
    }

    /** A scope checked as soon as the path matches, before the method. */
    Path guard(String scope) {
      this.guard = scope;
      return this;
    }

    /**
     * @param scope checked after the method, or null for none
     */
    Path get(@Nullable String scope, Handler h) {
      return on(Method.GET, scope, h);
    }

    Path post(@Nullable String scope, Handler h) {
      return on(Method.POST, scope, h);
    }

    Path put(@Nullable String scope, Handler h) {
      return on(Method.PUT, scope, h);
    }

    Path delete(@Nullable String scope, Handler h) {
      return on(Method.DELETE, scope, h);
    }

    /** The action for every method not named. */
    Path any(@Nullable String scope, Handler h) {
      this.any = new Action(scope, h);
      return this;
    }

    /** What a 405 says; by default "use" and the one method this path takes. */
    Path hint(String text) {
      return hint(c -> text);
    }

    Path hint(Function<Call, String> text) {
      this.hint = text;
      return this;
    }

    private Path on(Method m, @Nullable String scope, Handler h) {
      byMethod.put(m, new Action(scope, h));
      return this;
    }

    private void dispatch(Call c) {
      if (guard != null) {
        c.need(guard);
      }
      Action a = byMethod.getOrDefault(c.method(), any);
      if (a == null) {
        throw new BadRequestException(
            405,
            hint != null
                ? hint.apply(c)
                : "use "
                    + byMethod.keySet().stream()
                        .map(Method::text)
                        .reduce((x, y) -> x + " or " + y)
                        .orElse("?"));
      }
      if (a.scope() != null) {
        c.need(a.scope());
      }
      a.handler().handle(c);
    }
  }

  private final List<Path> paths = new ArrayList<>();

  /** Adds the routes of the raw paths that {@code matches} accepts. */
  Path path(Predicate<String> matches) {
    Path p = new Path(matches);
    paths.add(p);
    return p;
  }

  /** Adds the routes of exactly these raw paths. */
  Path exact(String... rawPaths) {
    List<String> all = List.of(rawPaths);
    return path(all::contains);
  }

  /**
   * Routes the call to the first matching path.
   *
   * @return false when no path matches
   */
  boolean dispatch(Call c) {
    String raw = c.rawPath();
    for (Path p : paths) {
      if (p.matches.test(raw)) {
        p.dispatch(c);
        return true;
      }
    }
    return false;
  }
}
