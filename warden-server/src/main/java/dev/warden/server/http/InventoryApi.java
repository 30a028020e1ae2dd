package dev.warden.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.CredentialType;
import dev.warden.core.inventory.Importers;
import dev.warden.core.inventory.Inventory;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.server.admin.Scopes;

/**
 * The inventory (issue #5): {@code GET /v1/inventory}, {@code POST /v1/inventory:import} and {@code
 * GET /v1/inventory/<id>/blast-radius}. The scope is checked before the method.
 */
final class InventoryApi implements ApiUnit {
  private static final int MAX_IMPORT = 16 * 1024 * 1024;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String ITEMS = "/v1/inventory/";
  private static final String BLAST_RADIUS = "/blast-radius";

  private final InventoryService inventory;
  private final Fingerprinter fingerprinter;

  InventoryApi(InventoryService inventory, Fingerprinter fingerprinter) {
    this.inventory = inventory;
    this.fingerprinter = fingerprinter;
  }

  @Override
  public String group() {
    return "inventory";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.startsWith("/v1/inventory");
  }

  @Override
  public void routes(RouteTable t) {
    t.exact("/v1/inventory").guard(Scopes.READ).get(null, this::list);
    t.exact("/v1/inventory:import").guard(Scopes.POLICY_WRITE).post(null, this::importItems);
    t.path(p -> p.startsWith(ITEMS) && p.endsWith(BLAST_RADIUS))
        .guard(Scopes.READ)
        .get(null, this::blastRadius);
  }

  private void list(Call c) {
    Inventory.Filter filter =
        new Inventory.Filter(
            c.param("kind"),
            c.param("owner"),
            c.param("team"),
            c.param("environment"),
            CredentialType.parse(c.param("credentialType")),
            c.param("q"));
    int limit = 100;
    if (c.param("limit") != null) {
      try {
        limit = Math.max(1, Math.min(1000, Integer.parseInt(c.param("limit"))));
      } catch (NumberFormatException e) {
        throw new ValidationException("limit", "must be a whole number");
      }
    }
    PostureIndex.ItemsPage page =
        inventory.items(filter, c.param("cursor"), limit, Params.flag(c, "recompute"));
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    page.items().forEach(i -> a.add(InventoryRender.item(i)));
    ObjectNode o = HttpJson.object();
    o.set("items", a);
    if (page.next() != null) {
      o.put("next", page.next());
    }
    c.send(200, o);
  }

  private void blastRadius(Call c) {
    String raw = c.rawPath();
    String id = Params.decode(raw.substring(ITEMS.length(), raw.length() - BLAST_RADIUS.length()));
    c.send(200, InventoryRender.blastRadius(inventory.blastRadius(id)));
  }

  private void importItems(Call c) {
    JsonNode b = c.json(MAX_IMPORT);
    Importers.Format format = Importers.Format.parse(Params.text(b, "format"));
    String content = Params.text(b, "content");
    if (content == null) {
      throw new BadRequestException(
          "send {\"format\": \""
              + Importers.Format.names().replace(", ", "|")
              + "\", \"content\": \"...\"}");
    }
    JsonNode tree = null;
    if (format == Importers.Format.GITHUB_WORKFLOW) {
      try {
        tree = YAML.readTree(content);
      } catch (JsonProcessingException e) {
        throw new ValidationException(
            "content",
            "not a YAML workflow (line "
                + (e.getLocation() == null ? 0 : e.getLocation().getLineNr())
                + ")");
      }
    }
    Importers.Defaults d =
        new Importers.Defaults(
            Params.text(b, "source"),
            Params.text(b, "owner"),
            Params.text(b, "team"),
            Params.text(b, "environment"),
            Params.text(b, "location"));
    Importers.Parsed parsed = Importers.parse(format, content, tree, d, fingerprinter);
    InventoryService.ImportResult r =
        inventory.importItems(
            parsed, b.path("partial").asBoolean(false), format.wire(), c.who().actor());
    ObjectNode o = HttpJson.object();
    o.put("imported", r.imported());
    o.put("received", r.received());
    o.put("created", r.created());
    o.put("updated", r.updated());
    o.put("unchanged", r.unchanged());
    o.put("skipped", r.skipped());
    ArrayNode dups = o.putArray("duplicates");
    r.duplicates().forEach(dups::add);
    ArrayNode errs = o.putArray("errors");
    StringBuilder msg = new StringBuilder();
    for (Importers.LineError e : r.errors()) {
      ObjectNode x = errs.addObject();
      x.put("line", e.line());
      x.put("message", e.message());
      msg.append(msg.isEmpty() ? "" : "; ")
          .append("line ")
          .append(e.line())
          .append(": ")
          .append(e.message());
    }
    if (!r.imported()) {
      o.put("error", "invalid_import");
      o.put(
          "message",
          r.errors().size()
              + " bad row(s), nothing imported (send partial=true to import the rest): "
              + msg);
      c.send(422, o);
      return;
    }
    c.send(200, o);
  }
}
