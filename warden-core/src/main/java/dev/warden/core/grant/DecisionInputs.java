package dev.warden.core.grant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Delegation;
import dev.warden.core.policy.RequestContext;

/**
 * The inputs a decision on a hop of a chain saw, as compact JSON for its audit record: who asked,
 * for what, on whose behalf, through whom. A reviewer re-reads exactly what the CEL conditions were
 * given ({@code request.subject}, {@code request.actor_chain}, {@code request.delegation_depth},
 * {@code request.txn}, {@code request.scopes}) without the verified claims, which stay in the
 * token.
 */
public final class DecisionInputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DecisionInputs() {}

  /** The inputs as compact JSON. */
  public static String json(Workload workload, Resource resource, RequestContext request) {
    ObjectNode o = JSON.createObjectNode();
    o.put("workload", workload.name());
    o.put("resource", resource.name());
    o.put("sourceAddress", request.sourceAddress());
    ArrayNode scopes = o.putArray("scopes");
    request.scopes().forEach(scopes::add);
    Delegation d = request.delegation();
    if (d != null) {
      o.set("subject", party(d.subject()));
      ArrayNode chain = o.putArray("actor_chain");
      d.actors().forEach(a -> chain.add(party(a)));
      o.put("delegation_depth", d.depth());
      if (d.txn() != null) {
        o.put("txn", d.txn());
      }
    }
    dev.warden.core.policy.McpRequest m = request.mcp();
    if (m != dev.warden.core.policy.McpRequest.NONE) {
      // the arguments are the agent's data (file contents, queries, perhaps secrets): their names
      // and a hash go to the log, never the values
      ObjectNode mo = o.putObject("mcp");
      mo.put("method", m.method());
      mo.put("name", m.name());
      ArrayNode keys = mo.putArray("argumentNames");
      new java.util.TreeSet<>(m.arguments().keySet()).forEach(keys::add);
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode party(Delegation.Party p) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", p.id());
    o.put("registered", p.registered());
    ArrayNode s = o.putArray("selectors");
    p.selectors().forEach(s::add);
    return o;
  }
}
