package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.agent.AgentRecord;
import dev.warden.core.agent.AgentService;
import dev.warden.core.agent.AgentSession;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.agent.SyncPage;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import dev.warden.core.pki.Der;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of the agent protocol under {@code /v1/agent}: reading what an agent sends (strings,
 * base64 DER, proxy states, connection events with their chain hop) and writing what it is answered
 * (a session, a sync page, SVID results). Apart from {@link AgentApi} so that the handlers read as
 * what they ask of core, and the shapes the agent depends on stay in one place.
 */
final class AgentWire {
  private AgentWire() {}

  /** The proxies' states an agent reports: {@code [{name, version, state, message, since}]}. */
  static List<ProxyStatus> proxyStatuses(JsonNode ps) {
    List<ProxyStatus> list = new ArrayList<>();
    for (JsonNode p : ps) {
      java.time.Instant since;
      try {
        since = java.time.Instant.parse(p.path("since").asText());
      } catch (java.time.format.DateTimeParseException ex) {
        throw new ValidationException("since", "each proxy's since is an RFC 3339 time");
      }
      list.add(
          new ProxyStatus(
              text(p, "name"),
              text(p, "version"),
              ProxyStatus.State.parse(p.path("state").asText()),
              text(p, "message"),
              since));
    }
    return list;
  }

  /** The connection events of an agent's proxies, as its spool sends them. */
  static List<dev.warden.core.agent.ProxiedConnection> connections(JsonNode events) {
    List<dev.warden.core.agent.ProxiedConnection> list = new ArrayList<>();
    for (JsonNode e : events) {
      java.time.Instant at;
      try {
        at = java.time.Instant.parse(e.path("at").asText());
      } catch (java.time.format.DateTimeParseException ex) {
        throw new ValidationException("at", "each event's at is an RFC 3339 time");
      }
      Map<String, String> caller = new java.util.LinkedHashMap<>();
      e.path("caller").properties().forEach(f -> caller.put(f.getKey(), f.getValue().asText()));
      list.add(
          new dev.warden.core.agent.ProxiedConnection(
              text(e, "id"),
              at,
              dev.warden.core.agent.ProxiedConnection.Outcome.parse(e.path("outcome").asText()),
              text(e, "protocol"),
              text(e, "listener"),
              text(e, "resource"),
              text(e, "workload"),
              text(e, "lease_id"),
              text(e, "destination"),
              text(e, "reason"),
              caller,
              hop(e.get("hop"))));
    }
    return list;
  }

  /** The answer to a batch of X.509-SVID requests: a chain, or why not, for each. */
  static ObjectNode svids(List<AgentService.SvidResult> results) {
    ObjectNode o = HttpJson.object();
    ArrayNode out = o.putArray("svids");
    for (AgentService.SvidResult r : results) {
      ObjectNode e = out.addObject();
      e.put("spiffe_id", r.spiffeId());
      if (r.svid() != null) {
        ArrayNode chain = e.putArray("chain");
        r.svid().chainDer().forEach(d -> chain.add(Base64.getEncoder().encodeToString(d)));
        e.put("expires_at", r.svid().notAfter().toString());
      } else {
        e.put("error", r.reason().code());
        e.put("message", r.message());
      }
    }
    return o;
  }

  /** The agents this server knows, each with its proxies' last reported states. */
  static ObjectNode agents(
      List<AgentRecord> all, java.util.function.Function<AgentRecord, List<ProxyStatus>> proxies) {
    ObjectNode o = HttpJson.object();
    ArrayNode arr = o.putArray("agents");
    for (AgentRecord a : all) {
      ObjectNode e = arr.addObject();
      e.put("spiffe_id", a.id().toString());
      e.put("attestation", a.attestation());
      ArrayNode ns = e.putArray("node_selectors");
      a.nodeSelectors().stream().map(Selector::toString).sorted().forEach(ns::add);
      e.put("attested_at", a.attestedAt().toString());
      e.put("session_expires_at", a.sessionExpiresAt().toString());
      if (a.bannedAt() != null) {
        e.put("banned_at", a.bannedAt().toString());
      }
      ArrayNode px = e.putArray("proxies");
      for (ProxyStatus p : proxies.apply(a)) {
        ObjectNode s = px.addObject();
        s.put("name", p.name());
        s.put("state", p.state().wire());
        s.put("version", p.version());
        if (p.message() != null) {
          s.put("message", p.message());
        }
        s.put("since", p.since().toString());
      }
    }
    return o;
  }

  /** The chain a proxied request named (unverified: the agent passes its headers on). */
  static dev.warden.core.agent.ProxiedConnection.@Nullable Hop hop(@Nullable JsonNode h) {
    if (h == null || h.isNull()) {
      return null;
    }
    String token = text(h, "txn_token");
    return new dev.warden.core.agent.ProxiedConnection.Hop(
        token == null ? null : dev.warden.core.crypto.Secret.of(token),
        text(h, "txn_token_omitted"),
        text(h, "traceparent"));
  }

  static ObjectNode session(AgentSession s) {
    ObjectNode o = HttpJson.object();
    o.put("spiffe_id", s.agentId().toString());
    ArrayNode chain = o.putArray("svid_chain");
    s.svid().chainDer().forEach(d -> chain.add(Base64.getEncoder().encodeToString(d)));
    ArrayNode bundle = o.putArray("bundle");
    s.bundle().forEach(c -> bundle.add(Base64.getEncoder().encodeToString(Der.encoded(c))));
    o.put("session_token", s.sessionToken().reveal());
    o.put("expires_at", s.expiresAt().toString());
    o.put("trust_domain", s.agentId().trustDomain());
    return o;
  }

  static ObjectNode page(SyncPage p) {
    ObjectNode o = HttpJson.object();
    o.put("full", p.full());
    o.put("revision", p.revision());
    ArrayNode es = o.putArray("entries");
    for (Workload w : p.entries()) {
      ObjectNode e = es.addObject();
      e.put("spiffe_id", w.name());
      ArrayNode sel = e.putArray("selectors");
      w.selectors().stream().map(Selector::toString).sorted().forEach(sel::add);
      if (w.expiresAt() != null) {
        e.put("expires_at", w.expiresAt().toString());
      }
    }
    ArrayNode rm = o.putArray("removed");
    p.removed().forEach(rm::add);
    if (p.nextPageToken() != null) {
      o.put("next_page_token", p.nextPageToken());
    }
    return o;
  }

  static @Nullable String text(@Nullable JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new ValidationException(field, "must be a string");
    }
    return v.asText();
  }

  static byte[] base64(JsonNode n, String field) {
    String s = text(n, field);
    if (s == null) {
      throw new ValidationException(field, "is required (base64 of the DER PKCS#10 request)");
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(field, "is not valid base64");
    }
  }
}
