package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.config.Change;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Named;
import dev.warden.core.store.Versioned;
import dev.warden.server.admin.Scopes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Configuration objects: {@code POST /v1/apply} and, per kind, {@code GET /v1/<kind>} and {@code
 * GET|PUT|DELETE /v1/<kind>/<name>} (a SPIFFE ID as one percent-encoded segment). Each change
 * reloads this node's configuration before it answers.
 */
final class ConfigApi implements ApiUnit {
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final ConfigService config;
  private final BiFunction<Kind, String, String> disabledReason;
  private final Runnable reloadNow;

  /**
   * @param disabledReason why a stored object is disabled (it no longer compiles), or null when it
   *     works
   */
  ConfigApi(
      ConfigService config, BiFunction<Kind, String, String> disabledReason, Runnable reloadNow) {
    this.config = config;
    this.disabledReason = disabledReason;
    this.reloadNow = reloadNow;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    String head = ApiUnit.head(rawPath);
    return head.equals("apply") || kindOrNull(head) != null;
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.head(p).equals("apply")).post(Scopes.POLICY_WRITE, this::apply);
    t.path(p -> isEmpty(ApiUnit.tail(p))).get(Scopes.READ, this::list);
    t.path(p -> true)
        .get(Scopes.READ, this::get)
        .put(Scopes.POLICY_WRITE, this::put)
        .delete(Scopes.POLICY_WRITE, this::delete)
        .hint(c -> "use GET, PUT or DELETE on /v1/" + kind(c).plural() + "/<name>");
  }

  private void apply(Call c) {
    JsonNode body = c.json(MAX_BODY);
    JsonNode docs = body.isArray() ? body : body.get("documents");
    if (docs == null || !docs.isArray()) {
      throw new BadRequestException("send {\"documents\": [...]} or a JSON array of documents");
    }
    List<Named> parsed = new ArrayList<>();
    int i = 0;
    for (JsonNode d : docs) {
      try {
        parsed.add(Documents.parse(d));
      } catch (ValidationException e) {
        throw new ValidationException(
            "documents["
                + i
                + "]"
                + (e.field() == null || e.field().isEmpty() ? "" : "." + e.field()),
            e.getMessage().startsWith(e.field() + ": ")
                ? e.getMessage().substring(e.field().length() + 2)
                : e.getMessage());
      }
      i++;
    }
    boolean dryRun = Params.flag(c, "dryRun");
    List<Change> changes = config.apply(parsed, dryRun, c.who().actor());
    reloadNow.run();
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    changes.forEach(ch -> a.add(Render.change(ch)));
    ObjectNode o = HttpJson.object();
    o.put("dryRun", dryRun);
    o.set("changes", a);
    c.send(200, o);
  }

  private void list(Call c) {
    Kind kind = kind(c);
    ArrayNode items = HttpJson.MAPPER.createArrayNode();
    for (Versioned<Named> v : config.list(kind)) {
      items.add(Render.object(v, disabledReason.apply(kind, v.value().name())));
    }
    ObjectNode o = HttpJson.object();
    o.set("items", items);
    c.send(200, o);
  }

  private void get(Call c) {
    Kind kind = kind(c);
    String name = ApiUnit.routedTail(c.rawPath());
    if (Params.flag(c, "history")) {
      ArrayNode items = HttpJson.MAPPER.createArrayNode();
      for (Versioned<Named> v : config.history(kind, name)) {
        ObjectNode o = HttpJson.object();
        o.put("version", v.version());
        o.put("updatedAt", String.valueOf(v.updatedAt()));
        o.put("updatedBy", v.updatedBy());
        if (v.value() == null) {
          o.put("deleted", true);
        } else {
          o.set("spec", Documents.toSpec(v.value()));
        }
        items.add(o);
      }
      ObjectNode o = HttpJson.object();
      o.set("history", items);
      c.send(200, o);
      return;
    }
    Versioned<Named> v =
        config.get(kind, name).orElseThrow(() -> new NotFoundException(kind.wire(), name));
    c.send(200, Render.object(v, disabledReason.apply(kind, name)));
  }

  private void put(Call c) {
    Kind kind = kind(c);
    String name = ApiUnit.routedTail(c.rawPath());
    Named doc = Documents.parse(c.json(MAX_BODY));
    if (Documents.kindOf(doc) != kind || !doc.name().equals(name)) {
      throw new ValidationException(
          "metadata.name", "the document must be a " + kind.wire() + " named '" + name + "'");
    }
    List<Change> changes = config.apply(List.of(doc), Params.flag(c, "dryRun"), c.who().actor());
    reloadNow.run();
    c.send(200, Render.change(changes.get(0)));
  }

  private void delete(Call c) {
    Change ch =
        config.delete(
            kind(c), ApiUnit.routedTail(c.rawPath()), Params.flag(c, "dryRun"), c.who().actor());
    reloadNow.run();
    c.send(200, Render.change(ch));
  }

  private static Kind kind(Call c) {
    return Kind.parse(ApiUnit.head(c.rawPath()));
  }

  private static boolean isEmpty(@Nullable String s) {
    return s == null || s.isEmpty();
  }

  private static @Nullable Kind kindOrNull(String s) {
    try {
      return Kind.parse(s);
    } catch (ValidationException e) {
      return null;
    }
  }
}
