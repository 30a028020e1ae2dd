package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.admin.AdminToken;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Durations;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Admin tokens: {@code GET /v1/whoami} (any valid token), and with {@code tokens:manage} {@code
 * GET|POST /v1/admin-tokens} and {@code DELETE /v1/admin-tokens/<id>}. A new token's secret is in
 * the creation answer only.
 */
final class AdminTokenApi implements ApiUnit {
  private static final String HINT =
      "use GET or POST on /v1/admin-tokens and DELETE on /v1/admin-tokens/<id>";

  private final AdminTokens tokens;

  AdminTokenApi(AdminTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    String head = ApiUnit.head(rawPath);
    return head.equals("whoami") || head.equals("admin-tokens");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.head(p).equals("whoami")).any(null, this::whoami);
    t.path(p -> ApiUnit.tail(p) == null)
        .guard(Scopes.TOKENS_MANAGE)
        .get(null, this::list)
        .post(null, this::create)
        .hint(HINT);
    t.path(p -> true).guard(Scopes.TOKENS_MANAGE).delete(null, this::revoke).hint(HINT);
  }

  private void whoami(Call c) {
    AdminPrincipal who = c.who();
    ObjectNode o = HttpJson.object();
    o.put("tokenId", who.tokenId());
    o.put("name", who.name());
    ArrayNode s = o.putArray("scopes");
    who.scopes().stream().sorted().forEach(s::add);
    c.send(200, o);
  }

  private void list(Call c) {
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    for (AdminToken t : tokens.list()) {
      a.add(Render.adminToken(t));
    }
    ObjectNode o = HttpJson.object();
    o.set("items", a);
    c.send(200, o);
  }

  private void create(Call c) {
    AdminPrincipal who = c.who();
    JsonNode b = c.json(64 * 1024);
    Set<String> scopes = new HashSet<>();
    JsonNode s = b.get("scopes");
    if (s != null && s.isArray()) {
      s.forEach(x -> scopes.add(x.asText()));
    } else if (s != null && s.isTextual()) {
      scopes.addAll(List.of(s.asText().split("[ ,]+")));
    }
    if (!who.has(Scopes.ADMIN) && !who.scopes().containsAll(scopes)) {
      throw new AuthException(403, "a token can only create tokens with scopes it holds itself");
    }
    AdminTokens.Issued issued =
        tokens.create(
            Params.text(b, "name"),
            scopes,
            Durations.parse("ttl", Params.text(b, "ttl")),
            who.actor());
    ObjectNode o = Render.adminToken(issued.token());
    o.put("token", issued.secret().reveal());
    c.res().header("Cache-Control", "no-store");
    c.send(201, o);
  }

  private void revoke(Call c) {
    String id = ApiUnit.routedTail(c.rawPath());
    if (!tokens.revoke(id, c.who().actor())) {
      throw new NotFoundException("admin token (active)", id);
    }
    ObjectNode o = HttpJson.object();
    o.put("id", id);
    o.put("revoked", true);
    c.send(200, o);
  }
}
