package dev.warden.agent.runtime;

import dev.warden.agent.edge.EdgeProxy;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs the proxies the server declares for this agent (EdgeProxy documents, decision 407) beside
 * the command line's {@code --proxy} ones, and tells the server how each fares.
 *
 * <p>Design note. After every sync cycle the declared set is compared with what runs: a new
 * declaration is started, a removed one stopped, one whose proxy settings changed is stopped and
 * started again (a change of its node selectors or description alone restarts nothing). Stopping
 * closes the listener and then the connections it still carries: a removed declaration takes effect
 * at once, as a deleted policy does, and clients reconnect (to the restarted proxy when it was only
 * changed). A declaration is never started on an address another proxy of this agent already holds:
 * the command line's proxies come first (they were there before any sync), then declarations in
 * name order; the one left out is reported {@code refused}. One that cannot start (address in use
 * by another process, a path that cannot be created, an unreadable CA file, a server that is not
 * HTTPS) is reported {@code failed} with the reason, and tried again after each sync until it
 * starts or is removed — the agent itself keeps running either way.
 */
public final class ProxyReconciler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProxyReconciler.class.getName());

  /**
   * What one declaration has on this agent: a running proxy, or why not ({@code proxy} null). An
   * unreadable declaration has no {@code declaration}; its status still names it.
   */
  private record Held(
      @Nullable ProxyDeclaration declaration, @Nullable EdgeProxy proxy, ProxyStatus status) {}

  private final AgentRuntime runtime;
  private final Supplier<EdgeProxies> edgeFactory;
  private final Clock clock;
  private final Map<String, Held> held = new TreeMap<>();

  /** The command line's proxies, or made when a first one is declared; null until then. */
  private @Nullable EdgeProxies edge;

  private boolean ownsEdge;
  private AgentRuntime.@Nullable DeclaredProxySet applied;

  /** What the server took whole last; null: nothing yet, or it must be sent again. */
  private @Nullable List<ProxyStatus> reported;

  private @Nullable AutoCloseable subscription;

  private ProxyReconciler(
      AgentRuntime runtime,
      @Nullable EdgeProxies edge,
      Supplier<EdgeProxies> edgeFactory,
      Clock clock) {
    this.runtime = runtime;
    this.edge = edge;
    this.edgeFactory = edgeFactory;
    this.clock = clock;
  }

  /**
   * Starts following the runtime's declared proxies: once now, then after every sync cycle.
   *
   * @param edge the command line's proxies, or null when there are none
   * @param edgeFactory makes the proxies' shared machinery when {@code edge} is null and a first
   *     proxy is declared; may throw {@link IllegalArgumentException} (say, the server is not
   *     HTTPS), which is reported for each declaration
   */
  public static ProxyReconciler follow(
      AgentRuntime runtime,
      @Nullable EdgeProxies edge,
      Supplier<EdgeProxies> edgeFactory,
      Clock clock) {
    ProxyReconciler d = new ProxyReconciler(runtime, edge, edgeFactory, clock);
    d.reconcile();
    d.subscription = runtime.afterEachCycle(d::reconcile);
    return d;
  }

  /** One round: start, stop and restart what the declared set says, then report. Never throws. */
  synchronized void reconcile() {
    try {
      AgentRuntime.DeclaredProxySet set = runtime.declaredProxies();
      boolean retry = held.values().stream().anyMatch(h -> h.proxy() == null);
      if (set != applied || retry) {
        apply(set);
        applied = set;
      }
      report();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "reconciling the declared proxies failed", e);
    }
  }

  private void apply(AgentRuntime.DeclaredProxySet set) {
    Map<String, ProxyDeclaration> wanted = new TreeMap<>();
    set.proxies().forEach(d -> wanted.put(d.name(), d));
    // a copy: the loop removes and replaces entries
    for (Map.Entry<String, Held> en : new TreeMap<>(held).entrySet()) {
      String name = en.getKey();
      Held h = en.getValue();
      ProxyDeclaration w = wanted.get(name);
      ProxyDeclaration had = h.declaration();
      EdgeProxy running = h.proxy();
      if (had == null) {
        held.remove(name); // was unreadable: read again below, or gone
      } else if (w == null || !w.proxy().equals(had.proxy())) {
        if (running != null) {
          String why =
              w == null
                  ? "its declaration (EdgeProxy " + name + ") was removed"
                  : "its declaration (EdgeProxy " + name + ") changed; restarting it";
          LOG.log(
              System.Logger.Level.INFO,
              "stopping declared proxy " + name + " on " + running.spec().where() + ": " + why);
          stop(running, why);
        }
        held.remove(name);
      } else if (!w.equals(had)) {
        held.put(
            name, new Held(w, running, h.status())); // only its selectors or description changed
      }
    }
    Map<String, String> taken = new HashMap<>();
    if (edge != null) {
      for (EdgeProxy p : edge.proxies()) {
        if (held.values().stream().noneMatch(h -> h.proxy() == p)) {
          taken.put(
              p.spec().where(),
              "the command line's --proxy " + p.spec().protocol().wire() + " proxy");
        }
      }
    }
    for (Held h : held.values()) {
      EdgeProxy p = h.proxy();
      if (p != null) {
        taken.put(p.spec().where(), "EdgeProxy " + h.status().name());
      }
    }
    for (ProxyDeclaration d : wanted.values()) {
      Held h = held.get(d.name());
      if (h != null && h.proxy() != null) {
        continue;
      }
      held.put(d.name(), start(d, taken, h == null ? null : h.status()));
    }
    set.unreadable()
        .forEach(
            (name, why) -> {
              try {
                held.put(
                    name,
                    new Held(
                        null,
                        null,
                        status(name, "", ProxyStatus.State.FAILED, why, held.get(name))));
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "ignoring a declared proxy with an unusable name '" + name + "'");
              }
            });
    held.keySet().removeIf(n -> !wanted.containsKey(n) && !set.unreadable().containsKey(n));
  }

  private Held start(ProxyDeclaration d, Map<String, String> taken, @Nullable ProxyStatus before) {
    ProxySpec spec = d.proxy();
    String version = dev.warden.core.agent.DeclaredProxies.version(d);
    String holder = taken.get(spec.where());
    if (holder != null) {
      String why = holder + " already listens on " + spec.where();
      if (before == null || before.state() != ProxyStatus.State.REFUSED) {
        LOG.log(
            System.Logger.Level.WARNING,
            "refusing declared proxy "
                + d.name()
                + ": "
                + why
                + " (change the listen address of one of them)");
      }
      return new Held(d, null, status(d.name(), version, ProxyStatus.State.REFUSED, why, before));
    }
    try {
      EdgeProxies e = edge;
      if (e == null) {
        e = edgeFactory.get();
        edge = e;
        ownsEdge = true;
      }
      EdgeProxy p = e.startProxy(spec);
      taken.put(spec.where(), "EdgeProxy " + d.name());
      LOG.log(
          System.Logger.Level.INFO,
          "declared proxy "
              + d.name()
              + ": "
              + spec.protocol().wire()
              + " for "
              + (spec.resource() != null
                  ? "resource " + spec.resource()
                  : spec.routes().size() + " route(s)")
              + " on "
              + spec.where());
      return new Held(d, p, status(d.name(), version, ProxyStatus.State.RUNNING, null, before));
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      String why = e.getMessage();
      if (before == null || !Objects.equals(before.message(), why)) {
        LOG.log(
            System.Logger.Level.WARNING, "declared proxy " + d.name() + " cannot start: " + why);
      }
      return new Held(d, null, status(d.name(), version, ProxyStatus.State.FAILED, why, before));
    }
  }

  /** A status, keeping the time it entered its state when nothing about it changed. */
  private ProxyStatus status(
      String name,
      String version,
      ProxyStatus.State state,
      @Nullable String message,
      @Nullable ProxyStatus before) {
    if (before != null
        && before.state() == state
        && Objects.equals(before.message(), message)
        && before.version().equals(version)) {
      return before;
    }
    return new ProxyStatus(name, version, state, message, clock.instant());
  }

  private ProxyStatus status(
      String name,
      String version,
      ProxyStatus.State state,
      @Nullable String message,
      @Nullable Held before) {
    return status(name, version, state, message, before == null ? null : before.status());
  }

  /**
   * Tells the server when what it knows differs; a report it did not take whole is sent again next
   * round.
   */
  private void report() {
    List<ProxyStatus> now = new ArrayList<>();
    held.values().forEach(h -> now.add(h.status()));
    if (now.equals(reported)) {
      return;
    }
    try {
      int recorded = runtime.reportProxies(now);
      reported = recorded == now.size() ? now : null;
    } catch (ServerException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> "cannot report the declared proxies' states yet: " + e.getMessage());
    }
  }

  /** How each declared proxy fares here, by name. */
  public synchronized Map<String, ProxyStatus> statuses() {
    Map<String, ProxyStatus> out = new LinkedHashMap<>();
    held.forEach((n, h) -> out.put(n, h.status()));
    return out;
  }

  /** The running proxy of a declaration, or null. */
  public synchronized @Nullable EdgeProxy proxy(String name) {
    Held h = held.get(name);
    return h == null ? null : h.proxy();
  }

  /** Stops following and every declared proxy (with the shared machinery when it made it). */
  @Override
  public synchronized void close() {
    try {
      AutoCloseable sub = subscription;
      if (sub != null) {
        sub.close();
      }
    } catch (Exception ignored) {
      // removing a listener does not fail
    }
    for (Held h : held.values()) {
      EdgeProxy p = h.proxy();
      if (p != null) {
        stop(p, "the agent is stopping");
      }
    }
    held.clear();
    EdgeProxies e = edge;
    if (ownsEdge && e != null) {
      e.close();
    }
  }

  private void stop(EdgeProxy p, String why) {
    // a running declared proxy was started by start(), which set edge first
    Objects.requireNonNull(edge, "a running declared proxy has the edge that started it")
        .stopProxy(p, why);
  }
}
