package dev.warden.core.policy;

import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a policy condition sees: {@code workload}, {@code resource} and {@code request} (with the
 * delegation chain and the MCP message), as CEL values.
 */
final class CelActivation {
  private CelActivation() {}

  /**
   * The variables of one evaluation.
   *
   * @param wv the workload's variables, as {@link #workloadVar} makes them
   */
  static Map<String, Object> of(
      Map<String, Object> wv, Workload w, Resource r, RequestContext req) {
    Map<String, Object> rv =
        Map.of(
            "name",
            r.name(),
            "audience",
            r.audience(),
            "kind",
            r.kind(),
            "sensitivity",
            r.sensitivity().name().toLowerCase(Locale.ROOT));
    Map<String, Object> q = new HashMap<>(16);
    q.put("time", CelValues.timestamp(req.time()));
    q.put("sourceAddress", req.sourceAddress());
    q.put("claims", CelValues.normalize(req.claims(), 0));
    q.put("scopes", req.scopes());
    q.put("delegationChain", req.delegationChain());
    Delegation d = req.delegation();
    if (d == null) {
      // not delegated: the workload acts for itself, through no one
      q.put(
          "subject", Map.of("id", w.name(), "selectors", wv.get("selectors"), "registered", true));
      q.put("actor_chain", List.of());
      q.put("delegation_depth", 0L);
      q.put("txn", "");
    } else {
      q.put("subject", party(d.subject()));
      q.put("actor_chain", d.actors().stream().map(CelActivation::party).toList());
      q.put("delegation_depth", (long) d.depth());
      q.put("txn", d.txn() == null ? "" : d.txn());
    }
    McpRequest m = req.mcp();
    q.put(
        "mcp",
        m == McpRequest.NONE
            ? NO_MCP
            : Map.of(
                "method",
                m.method(),
                "tool",
                m.tool(),
                "name",
                m.name(),
                "arguments",
                CelValues.normalize(m.arguments(), 0)));
    return Map.of("workload", wv, "resource", rv, "request", q);
  }

  private static final Map<String, Object> NO_MCP =
      Map.of("method", "", "tool", "", "name", "", "arguments", Map.of());

  private static Map<String, Object> party(Delegation.Party p) {
    return Map.of("id", p.id(), "selectors", p.selectors(), "registered", p.registered());
  }

  /** A workload's variables: {@code workload} in a condition. */
  static Map<String, Object> workloadVar(Workload w) {
    List<String> selectors = new ArrayList<>();
    for (Selector s : w.selectors()) {
      selectors.add(s.toString());
    }
    selectors.sort(null);
    Map<String, Object> m = new HashMap<>();
    m.put("spiffeId", w.name());
    m.put("trustDomain", w.spiffeId().trustDomain());
    m.put("path", w.spiffeId().path());
    m.put("owner", w.owner());
    m.put("team", w.team() == null ? "" : w.team());
    m.put("environment", w.environment() == null ? "" : w.environment());
    m.put("selectors", List.copyOf(selectors));
    return Map.copyOf(m);
  }
}
