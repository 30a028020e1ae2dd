package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.agent.AgentRecord;
import dev.warden.core.agent.AgentService;
import dev.warden.core.agent.AgentSession;
import dev.warden.core.agent.DeclaredProxies;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.agent.SyncPage;
import dev.warden.core.document.Documents;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Selector;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.CertificateAuthority;
import dev.warden.core.pki.SpiffeBundle;
import dev.warden.core.token.KeyManager;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent protocol and the SPIFFE bundle endpoint.
 *
 * <ul>
 *   <li>{@code GET /v1/bundle} and {@code /.well-known/spiffe-bundle}: the trust bundle in the
 *       SPIFFE format, public (it holds only public keys).
 *   <li>{@code POST /v1/agent/attest}: node attestation with a join token or a platform token and a
 *       CSR; returns the agent's SVID, the bundle and a session token.
 *   <li>{@code POST /v1/agent/renew}, {@code GET /v1/agent/sync} (registrations, and on the first
 *       page the proxies declared for the agent when their version differs from {@code
 *       proxies_version}), {@code POST /v1/agent/x509-svids}, {@code POST /v1/agent/jwt-svids},
 *       {@code POST /v1/agent/connections} (what the agent's proxies accepted and refused, for the
 *       audit log), {@code POST /v1/agent/proxy-status} (how its declared proxies fare): with
 *       {@code Authorization: Bearer <session token>} or the agent's SVID over mTLS.
 *   <li>{@code POST /v1/agent-tokens}, {@code GET /v1/agents} (with each agent's declared proxies'
 *       states): admin, scope {@code agents:manage}.
 * </ul>
 */
final class AgentApi implements ApiUnit {
  private static final int MAX_BODY = 1024 * 1024;
  private static final Duration BUNDLE_REFRESH_HINT = Duration.ofMinutes(5);

  private final AgentService agents;
  private final dev.warden.core.agent.AgentLeases agentLeases;
  private final CaManager ca;
  private final KeyManager jwtSvidKeys;
  private final java.util.function.LongSupplier keysCounter;

  /**
   * @param jwtSvidKeys the keys that sign JWT-SVIDs: the bundle's JWT authorities (access-token
   *     keys are never in the bundle)
   * @param keysCounter the signing keys' change counter: with the CA's it makes the bundle sequence
   * @throws IllegalArgumentException when {@code jwtSvidKeys} are not JWT-SVID keys
   */
  AgentApi(
      AgentService agents,
      dev.warden.core.agent.AgentLeases agentLeases,
      CaManager ca,
      KeyManager jwtSvidKeys,
      java.util.function.LongSupplier keysCounter) {
    this.agentLeases = agentLeases;
    if (jwtSvidKeys.purpose() != KeyPurpose.JWT_SVID) {
      throw new IllegalArgumentException(
          "the bundle publishes JWT-SVID keys only, not " + jwtSvidKeys.purpose());
    }
    this.keysCounter = keysCounter;
    this.agents = agents;
    this.ca = ca;
    this.jwtSvidKeys = jwtSvidKeys;
  }

  @Override
  public String group() {
    return "agent";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.startsWith("/v1/agent/")
        || rawPath.equals("/v1/bundle")
        || rawPath.equals("/v1/agent-tokens")
        || rawPath.equals("/v1/agents");
  }

  /**
   * Agents authenticate with a session token or attest; only the two admin routes ask for an admin
   * token.
   */
  @Override
  public boolean adminTokenFirst() {
    return false;
  }

  @Override
  public void before(Call c) {
    if (!c.rawPath().equals("/v1/bundle")) {
      // session tokens, join tokens and SVIDs: no cache, shared or private, may keep a copy
      c.res().header("Cache-Control", "no-store");
      c.res().header("Pragma", "no-cache");
    }
  }

  @Override
  public RuntimeException notFound(Call c) {
    return new dev.warden.core.error.NotFoundException("agent API path", c.rawPath());
  }

  @Override
  public void routes(RouteTable t) {
    t.exact("/v1/bundle").get(null, c -> bundle(c.req(), c.res()));
    t.exact("/v1/agent/attest").post(null, this::attest);
    t.exact("/v1/agent/renew").post(null, this::renew);
    t.exact("/v1/agent/sync").get(null, this::sync);
    t.exact("/v1/agent/x509-svids").post(null, this::x509Svids);
    t.exact("/v1/agent/jwt-svids").post(null, this::jwtSvids);
    t.exact("/v1/agent/connections").post(null, this::connections);
    t.exact("/v1/agent/edge-certificates").post(null, this::edgeCertificate);
    t.exact("/v1/agent/lease-states").post(null, this::leaseStates);
    t.exact("/v1/agent/proxy-status").post(null, this::proxyStatus);
    t.exact("/v1/agent-tokens").post(Scopes.AGENTS_MANAGE, this::createJoinToken);
    t.exact("/v1/agents").get(Scopes.READ, this::list);
  }

  /**
   * The SPIFFE bundle (https_web profile document), also served at {@code
   * /.well-known/spiffe-bundle}.
   */
  void bundle(ServerRequest req, ServerResponse res) {
    CertificateAuthority c = ca.current();
    // both counters only grow, so their sum moves whenever either set of authorities changes
    Map<String, Object> b =
        SpiffeBundle.json(
            c.bundle(),
            jwtAuthorities(),
            c.sequence() + keysCounter.getAsLong(),
            BUNDLE_REFRESH_HINT);
    res.status(200);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "public, max-age=60");
    res.send(HttpJson.bytes(HttpJson.MAPPER.valueToTree(b)));
  }

  private void attest(Call c) {
    JsonNode b = c.json(MAX_BODY);
    byte[] csr = AgentWire.base64(b, "csr");
    String join = AgentWire.text(b, "join_token");
    String token = AgentWire.text(b, "token");
    if ((join == null) == (token == null)) {
      throw new ValidationException(
          "join_token", "send exactly one of join_token or token (a platform token)");
    }
    AgentSession s =
        join != null
            ? agents.attestWithJoinToken(join, csr)
            : agents.attestWithPlatformToken(token, csr);
    c.send(200, AgentWire.session(s));
  }

  private void renew(Call c) {
    String tok = bearer(c.req());
    AgentRecord a = session(tok);
    if (c.req().isSecure()) {
      // both: the session token says which session, the SVID that the caller holds its key
      AgentRecord holder = caller(c);
      if (!holder.id().equals(a.id())) {
        throw new AuthException(401, "the session token and the X.509-SVID name different agents");
      }
    }
    JsonNode b = c.json(MAX_BODY);
    c.send(200, AgentWire.session(agents.renew(a, tok, AgentWire.base64(b, "csr"))));
  }

  private void sync(Call c) {
    AgentRecord a = caller(c);
    long since = longParam(c.req(), "since", 0);
    int limit = (int) longParam(c.req(), "limit", 1000);
    String pageToken = c.query("page_token");
    SyncPage p = agents.sync(a, since, pageToken, limit);
    ObjectNode o = AgentWire.page(p);
    if (pageToken == null) {
      // on the first page only: the agent acts on them once the registrations are in
      DeclaredProxies.View v = agents.proxies(a);
      ObjectNode px = o.putObject("proxies");
      px.put("version", v.version());
      if (!v.version().equals(c.query("proxies_version"))) {
        ArrayNode items = px.putArray("items");
        v.proxies().forEach(d -> items.add(Documents.toDocument(d)));
      }
    }
    c.send(200, o);
  }

  private void proxyStatus(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(MAX_BODY);
    JsonNode ps = b.get("proxies");
    if (ps == null || !ps.isArray()) {
      throw new ValidationException(
          "proxies",
          "send {\"proxies\": [{\"name\", \"version\", \"state\", \"message\"," + " \"since\"}]}");
    }
    List<ProxyStatus> list = AgentWire.proxyStatuses(ps);
    agents.reportProxies(a, list);
    ObjectNode o = HttpJson.object();
    o.put("recorded", agents.proxyStatuses(a).size());
    c.send(200, o);
  }

  private void x509Svids(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(MAX_BODY);
    JsonNode rs = b.get("requests");
    if (rs == null || !rs.isArray()) {
      throw new ValidationException(
          "requests", "is required: [{\"spiffe_id\": ..., \"csr\": <base64 DER>}]");
    }
    List<AgentService.SvidRequest> reqs = new ArrayList<>();
    for (JsonNode r : rs) {
      reqs.add(
          new AgentService.SvidRequest(AgentWire.text(r, "spiffe_id"), AgentWire.base64(r, "csr")));
    }
    List<AgentService.SvidResult> results = agents.issueX509(a, reqs);
    c.send(200, AgentWire.svids(results));
  }

  private void jwtSvids(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(MAX_BODY);
    List<String> aud = new ArrayList<>();
    JsonNode an = b.get("audience");
    if (an != null && an.isArray()) {
      an.forEach(x -> aud.add(x.asText()));
    } else if (an != null && an.isTextual()) {
      aud.add(an.asText());
    }
    String jwt = agents.issueJwt(a, AgentWire.text(b, "spiffe_id"), aud);
    ObjectNode o = HttpJson.object();
    o.put("token", jwt);
    c.send(200, o);
  }

  private void leaseStates(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(MAX_BODY);
    JsonNode ids = b.get("lease_ids");
    if (ids == null || !ids.isArray()) {
      throw new ValidationException("lease_ids", "send {\"lease_ids\": [...]}");
    }
    List<String> list = new ArrayList<>();
    ids.forEach(n -> list.add(n.asText()));
    ObjectNode o = HttpJson.object();
    agentLeases.ended(a, list).forEach(o.putArray("ended")::add);
    if (!o.has("ended")) {
      o.putArray("ended");
    }
    c.send(200, o);
  }

  private void edgeCertificate(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(MAX_BODY);
    String destination = b.hasNonNull("destination") ? b.get("destination").asText() : null;
    var cert =
        destination == null
            ? agents.issueEdgeCertificate(
                a, AgentWire.base64(b, "csr"), AgentWire.text(b, "resource"))
            : agents.issueEgressCertificate(
                a, AgentWire.base64(b, "csr"), AgentWire.text(b, "resource"), destination);
    ObjectNode o = HttpJson.object();
    ArrayNode chain = o.putArray("chain");
    cert.chainDer().forEach(d -> chain.add(Base64.getEncoder().encodeToString(d)));
    o.put("expires_at", cert.notAfter().toString());
    c.send(200, o);
  }

  private void connections(Call c) {
    AgentRecord a = caller(c);
    JsonNode b = c.json(4 * MAX_BODY);
    JsonNode events = b.get("events");
    if (events == null || !events.isArray()) {
      throw new ValidationException("events", "send {\"events\": [...]}");
    }
    List<dev.warden.core.agent.ProxiedConnection> list = AgentWire.connections(events);
    agents.recordConnections(a, list);
    ObjectNode o = HttpJson.object();
    o.put("recorded", list.size());
    c.send(200, o);
  }

  private void createJoinToken(Call c) {
    JsonNode b = c.json(MAX_BODY);
    Set<Selector> sel = new LinkedHashSet<>();
    JsonNode sn = b.get("selectors");
    if (sn != null && sn.isArray()) {
      sn.forEach(x -> sel.add(Selector.parse(x.asText())));
    }
    String ttlText = AgentWire.text(b, "ttl");
    Duration ttl = ttlText == null ? Duration.ofMinutes(10) : Durations.parse("ttl", ttlText);
    AgentService.CreatedJoinToken t = agents.createJoinToken(sel, ttl, c.who().actor());
    ObjectNode o = HttpJson.object();
    o.put("id", t.id());
    o.put("token", t.token().reveal());
    o.put("expires_at", t.expiresAt().toString());
    c.send(201, o);
  }

  private void list(Call c) {
    c.send(200, AgentWire.agents(agents.list(), agents::proxyStatuses));
  }

  private List<String> jwtAuthorities() {
    List<String> out = new ArrayList<>();
    for (SigningKeyRecord k : jwtSvidKeys.keyset().records()) {
      if (k.state() != KeyState.DESTROYED) {
        out.add(k.publicJwk());
      }
    }
    return out;
  }

  /**
   * The agent calling. Over HTTPS only its X.509-SVID over mTLS authenticates it (decision 402): a
   * session token alone, which a log or a proxy could leak, is refused there. Over plain HTTP (a
   * development server) the session token does.
   */
  private AgentRecord caller(Call c) {
    List<java.security.cert.X509Certificate> chain = TokenEndpoint.clientCertificates(c.req());
    if (!chain.isEmpty()) {
      try {
        return agents.authenticate(chain);
      } catch (dev.warden.core.error.DeniedException e) {
        throw new AuthException(401, e.getMessage());
      }
    }
    if (c.req().isSecure()) {
      throw new AuthException(
          401,
          "over HTTPS an agent authenticates with its X.509-SVID (mTLS); a session token"
              + " alone is not accepted: present the SVID in the TLS handshake, or attest again");
    }
    return session(bearer(c.req()));
  }

  private AgentRecord session(String token) {
    try {
      return agents.authenticate(token);
    } catch (dev.warden.core.error.DeniedException e) {
      // 401 tells the agent to attest again; 403 is kept for "you may not serve that workload"
      throw new AuthException(401, e.getMessage());
    }
  }

  private static String bearer(ServerRequest req) {
    String h = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new AuthException(
          401, "send the agent session token as 'Authorization: Bearer <token>'");
    }
    return h.substring(7).trim();
  }

  private static long longParam(ServerRequest req, String name, long dflt) {
    String v = req.query().first(name).orElse(null);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }
}
