package dev.warden.core.agent;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.ValidationException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What agents report back: the state of the proxies declared for them, and the connections their
 * proxies accepted or refused. An agent can only report about what it runs and whom it serves.
 */
final class AgentReports {
  private final AgentStore store;
  private final RegistrationIndex index;
  private final DeclaredProxies declaredProxies;
  private final AuditWriter audit;
  private final Clock clock;
  private final @Nullable ConnectionChains chains;

  AgentReports(
      AgentStore store,
      RegistrationIndex index,
      DeclaredProxies declaredProxies,
      AuditWriter audit,
      @Nullable ConnectionChains chains,
      Clock clock) {
    this.store = store;
    this.index = index;
    this.declaredProxies = declaredProxies;
    this.audit = audit;
    this.chains = chains;
    this.clock = clock;
  }

  /** See {@link AgentService#reportProxies}. */
  void reportProxies(AgentRecord agent, List<ProxyStatus> statuses) {
    if (statuses.size() > AgentService.MAX_PROXY_STATUSES) {
      throw new ValidationException(
          "proxies", "at most " + AgentService.MAX_PROXY_STATUSES + " proxy statuses per report");
    }
    Set<String> mine = new HashSet<>();
    declaredProxies.forAgent(agent.nodeSelectors()).proxies().forEach(d -> mine.add(d.name()));
    Map<String, ProxyStatus> before = new HashMap<>();
    store.proxyStatuses(agent.id().toString()).forEach(p -> before.put(p.name(), p));
    Map<String, ProxyStatus> now = new TreeMap<>();
    for (ProxyStatus p : statuses) {
      if (now.put(p.name(), p) != null) {
        throw new ValidationException("proxies", "proxy '" + p.name() + "' is reported twice");
      }
    }
    now.keySet().retainAll(mine);
    Instant at = clock.instant();
    store.putProxyStatuses(agent.id().toString(), List.copyOf(now.values()), at);
    for (ProxyStatus p : now.values()) {
      ProxyStatus was = before.get(p.name());
      if (was != null && was.state() == p.state() && Objects.equals(was.message(), p.message())) {
        continue;
      }
      Map<String, String> d = new HashMap<>();
      d.put("proxy", p.name());
      d.put("state", p.state().wire());
      d.put("version", p.version());
      if (p.message() != null) {
        d.put("message", p.message());
      }
      boolean running = p.state() == ProxyStatus.State.RUNNING;
      audit.write(
          new AuditEvent(
              UUID.randomUUID().toString(),
              at,
              (running ? AuditType.AGENT_PROXY_RUNNING : AuditType.AGENT_PROXY_FAILED).wire(),
              (running ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE).wire(),
              running ? "" : "proxy_" + p.state().wire(),
              agent.id().toString(),
              null,
              null,
              d,
              null));
    }
  }

  /** See {@link AgentService#recordConnections}. */
  void recordConnections(AgentRecord agent, List<ProxiedConnection> events) {
    if (events.size() > AgentService.MAX_CONNECTION_EVENTS) {
      throw new ValidationException(
          "events",
          "at most " + AgentService.MAX_CONNECTION_EVENTS + " connection events per report");
    }
    Instant now = clock.instant();
    List<AuditEvent> out = new ArrayList<>();
    for (ProxiedConnection e : events) {
      if (e.workload() != null) {
        SvidIssuance.servable(index, agent, e.workload(), now);
      } else if (e.outcome() == ProxiedConnection.Outcome.PROXIED) {
        throw new ValidationException("workload", "a proxied connection names its workload");
      }
      Map<String, String> d = new HashMap<>();
      d.put("protocol", String.valueOf(e.protocol()));
      d.put("listener", String.valueOf(e.listener()));
      d.put("at", e.at().toString());
      if (e.leaseId() != null) {
        d.put("leaseId", e.leaseId());
      }
      if (e.destination() != null) {
        d.put("destination", e.destination());
      }
      if (e.reason() != null) {
        d.put("message", e.reason());
      }
      e.caller().forEach((k, v) -> d.put("caller." + k, v));
      if (chains != null) {
        chains.describe(e, now, d);
      } else if (e.hop() != null && e.hop().txnToken() != null) {
        d.put(ConnectionChains.REJECTED, "this server does not verify transaction tokens");
      }
      AuditType type =
          switch (e.outcome()) {
            case PROXIED -> AuditType.CONNECTION_PROXIED;
            case ENDED -> AuditType.CONNECTION_CLOSED;
            default -> AuditType.CONNECTION_REFUSED;
          };
      AuditOutcome outcome =
          switch (e.outcome()) {
            case PROXIED -> AuditOutcome.ALLOW;
            case ENDED -> AuditOutcome.SUCCESS;
            default -> AuditOutcome.DENY;
          };
      out.add(
          new AuditEvent(
              e.id(),
              now,
              type.wire(),
              outcome.wire(),
              e.outcome().wire(),
              agent.id().toString(),
              e.workload(),
              e.resource(),
              d,
              null));
    }
    audit.writeAll(out);
  }
}
