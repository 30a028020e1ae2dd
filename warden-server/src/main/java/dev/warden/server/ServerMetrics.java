package dev.warden.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus metrics: HTTP requests, decisions by outcome and reason, and the issuance latency
 * histogram. Counters are cached per label set so the hot path does no registry lookup.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Counter> decisions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final Timer issuance;

  /**
   * What function counters read: Micrometer holds a counter's object weakly, so a supplier passed
   * in (a method reference nobody else keeps) would be collected and the counter would go blank.
   */
  private final java.util.List<Object> readFrom = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    issuance =
        Timer.builder("warden_token_issuance")
            .description("time to answer a token request, from parse to response")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(0).plusNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(5))
            .register(registry);
  }

  /** Records one token request: outcome allow, deny or error, with its reason code. */
  public void grant(String outcome, String reason, long nanos) {
    decisions
        .computeIfAbsent(
            outcome + '|' + reason,
            k ->
                Counter.builder("warden_decisions")
                    .description("token endpoint decisions by outcome and reason")
                    .tag("outcome", outcome)
                    .tag("reason", reason)
                    .register(registry))
        .increment();
    issuance.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records one HTTP request by route group and status class. */
  public void request(String route, int status) {
    String cls = (status / 100) + "xx";
    requests
        .computeIfAbsent(
            route + '|' + cls,
            k ->
                Counter.builder("warden_http_requests")
                    .description("HTTP requests by route and status class")
                    .tag("route", route)
                    .tag("status", cls)
                    .register(registry))
        .increment();
  }

  /**
   * Registers {@code warden_config_disabled_objects{kind}}: stored configuration objects that no
   * longer compile and are disabled (alert when above zero).
   */
  public void disabledObjects(String kind, java.util.function.Supplier<Number> count) {
    io.micrometer.core.instrument.Gauge.builder("warden_config_disabled_objects", count)
        .description("stored configuration objects that no longer compile and are disabled")
        .tag("kind", kind)
        .register(registry);
  }

  /**
   * Registers {@code warden_database_leases{state}} (leases of database users by state, as of the
   * reaper's last run: alert when {@code irrevocable} is above zero) and {@code
   * warden_database_removals_total{outcome}} (removed, failed, irrevocable, orphan, expired,
   * abandoned since start).
   */
  public void databaseLeases(
      java.util.function.Supplier<java.util.Map<dev.warden.core.lease.LeaseState, Long>> states,
      java.util.function.Supplier<java.util.Map<String, Long>> totals) {
    for (dev.warden.core.lease.LeaseState s : dev.warden.core.lease.LeaseState.values()) {
      io.micrometer.core.instrument.Gauge.builder(
              "warden_database_leases", () -> states.get().getOrDefault(s, 0L))
          .description("leases of database users by state")
          .tag("state", s.wire())
          .register(registry);
    }
    readFrom.add(totals);
    for (String outcome : totals.get().keySet()) {
      io.micrometer.core.instrument.FunctionCounter.builder(
              "warden_database_removals", totals, t -> t.get().getOrDefault(outcome, 0L))
          .description("database user lifecycle actions of the reaper")
          .tag("outcome", outcome)
          .register(registry);
    }
  }

  /**
   * Registers {@code warden_brokered_secret_rotations_stuck}: brokered secrets whose pending
   * rotation the target refused and that are not complete, as of the last rotation check (alert
   * when above zero: fix the target, or discard the pending version).
   */
  public void stuckRotations(java.util.function.Supplier<Number> count) {
    io.micrometer.core.instrument.Gauge.builder("warden_brokered_secret_rotations_stuck", count)
        .description(
            "brokered secrets whose pending rotation their target refused, as of the last check")
        .register(registry);
  }

  /**
   * Registers {@code warden_change_feed_listening}: 1 while change notifications from the database
   * arrive (other nodes' changes are seen within milliseconds), 0 while only the poll of {@code
   * reload.interval} picks them up, and on the embedded store.
   */
  public void changeFeed(java.util.function.BooleanSupplier listening) {
    io.micrometer.core.instrument.Gauge.builder(
            "warden_change_feed_listening", () -> listening.getAsBoolean() ? 1 : 0)
        .description(
            "1 while change notifications from the database arrive, 0 while changes are only polled")
        .register(registry);
  }

  /**
   * Registers, for one audit stream sink: {@code warden_audit_stream_backlog{sink}} (events written
   * and not yet acknowledged by the sink, on every node; alert when it grows), {@code
   * warden_audit_stream_draining{sink}} (1 on the node that holds the sink's lease), {@code
   * warden_audit_stream_published_total{sink}} and {@code
   * warden_audit_stream_failures_total{sink}}.
   */
  public void auditStream(dev.warden.core.auditstream.AuditStreamer s) {
    io.micrometer.core.instrument.Gauge.builder("warden_audit_stream_backlog", s::backlog)
        .description("audit events not yet acknowledged by the sink (head seq - sink cursor)")
        .tag("sink", s.sink())
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "warden_audit_stream_draining", () -> s.holding() ? 1 : 0)
        .description("1 when this node holds the sink's lease and streams to it")
        .tag("sink", s.sink())
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "warden_audit_stream_published",
            s,
            dev.warden.core.auditstream.AuditStreamer::published)
        .description("audit events this node published and the sink acknowledged")
        .tag("sink", s.sink())
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "warden_audit_stream_failures", s, dev.warden.core.auditstream.AuditStreamer::failures)
        .description("failed attempts at the sink (it is retried; grants are not affected)")
        .tag("sink", s.sink())
        .register(registry);
  }

  /**
   * Registers {@code warden_audit_checkpoint_rollbacks_total}: times this node found the audit
   * chain head behind (or rewritten under) its newest signed checkpoint (alert on any).
   */
  public void auditCheckpoints(dev.warden.core.checkpoint.Checkpointer checkpoints) {
    // the counter holds what it reads weakly: the checkpointer itself, which the node keeps, not a
    // lambda
    io.micrometer.core.instrument.FunctionCounter.builder(
            "warden_audit_checkpoint_rollbacks",
            checkpoints,
            dev.warden.core.checkpoint.Checkpointer::rollbacks)
        .description("times the audit chain was found behind its newest signed checkpoint")
        .register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
