package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.core.secret.RotationSpec;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.server.admin.Scopes;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Brokered static secrets, for admins: {@code GET /v1/secrets} (metadata only), {@code GET
 * /v1/secrets/<name>} (metadata, versions, readers of the last 30 days), {@code PUT
 * /v1/secrets/<name>} with {@code {"value", "cas", "owner", ...}} (a new version; the value is
 * never echoed), {@code POST /v1/secrets/<name>:settings}, {@code :rotate}, {@code POST
 * /v1/secrets/<name>/versions/<n>:delete|:undelete|:destroy|:discard} (discard: a pending
 * rotation's version, decision 117) and {@code DELETE /v1/secrets/<name>}. No route returns a
 * value: workloads read values at {@code POST /v1/credentials} (decision 113). Reads need {@code
 * read}, changes {@code policy:write}.
 */
final class SecretApi implements ApiUnit {
  private static final String HINT =
      "use GET /v1/secrets[/<name>], PUT /v1/secrets/<name>, DELETE /v1/secrets/<name>,"
          + " POST /v1/secrets/<name>:settings|:rotate or POST /v1/secrets/<name>/versions/<n>:delete|:undelete|:destroy|:discard";
  private static final int MAX_BODY = 64 * 1024;
  private static final Duration READERS_WINDOW = Duration.ofDays(30);
  private static final Set<String> SETTINGS_FIELDS =
      Set.of("owner", "description", "rotationInterval", "maxVersions", "rotation");

  private final BrokeredSecrets secrets;
  private final Clock clock;

  SecretApi(BrokeredSecrets secrets, Clock clock) {
    this.secrets = secrets;
    this.clock = clock;
  }

  @Override
  public String group() {
    return "secrets";
  }

  @Override
  public boolean owns(String rawPath) {
    return ApiUnit.head(rawPath).equals("secrets");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.tail(p) == null).get(Scopes.READ, this::list).hint(HINT);
    t.path(p -> ApiUnit.tailMatches(p, x -> x.contains("/versions/")))
        .post(Scopes.POLICY_WRITE, this::versionAction)
        .hint(HINT);
    t.path(p -> ApiUnit.tailMatches(p, x -> x.endsWith(":rotate")))
        .post(Scopes.POLICY_WRITE, this::rotate)
        .hint(HINT);
    t.path(p -> ApiUnit.tailMatches(p, x -> x.endsWith(":settings")))
        .post(Scopes.POLICY_WRITE, this::settings)
        .hint(HINT);
    t.path(p -> true)
        .get(Scopes.READ, this::get)
        .put(Scopes.POLICY_WRITE, this::put)
        .delete(Scopes.POLICY_WRITE, this::delete)
        .hint(HINT);
  }

  private void list(Call c) {
    ArrayNode items = HttpJson.MAPPER.createArrayNode();
    for (SecretMetadata m : secrets.list()) {
      items.add(metadata(m));
    }
    ObjectNode o = HttpJson.object();
    o.set("items", items);
    c.send(200, o);
  }

  private void get(Call c) {
    String name = name(ApiUnit.routedTail(c.rawPath()));
    ObjectNode o = metadata(secrets.metadata(name));
    ArrayNode vs = o.putArray("versions");
    for (SecretVersion v : secrets.versions(name)) {
      ObjectNode x = vs.addObject();
      x.put("version", v.version());
      x.put("state", v.state().wire());
      x.put("fingerprint", v.fingerprint());
      x.put("createdAt", v.createdAt().toString());
      x.put("createdBy", v.createdBy());
      if (v.deletedAt() != null) {
        x.put("deletedAt", v.deletedAt().toString());
      }
      if (v.destroyedAt() != null) {
        x.put("destroyedAt", v.destroyedAt().toString());
      }
    }
    ArrayNode rs = o.putArray("readers");
    for (BrokeredSecretStore.Reader r :
        secrets.readers(name, clock.instant().minus(READERS_WINDOW))) {
      ObjectNode x = rs.addObject();
      x.put("workload", r.workload());
      x.put("lastReadAt", r.lastReadAt().toString());
      x.put("lastVersion", r.lastVersion());
      x.put("reads", r.reads());
    }
    c.send(200, o);
  }

  private void put(Call c) {
    String name = name(ApiUnit.routedTail(c.rawPath()));
    JsonNode body = object(c.json(MAX_BODY));
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("value") && !f.equals("cas") && !SETTINGS_FIELDS.contains(f)) {
        throw unknown(
            f, "value, cas, " + String.join(", ", new java.util.TreeSet<>(SETTINGS_FIELDS)));
      }
    }
    JsonNode v = body.get("value");
    if (v == null || !v.isTextual()) {
      throw new ValidationException("value", "is required and must be a string");
    }
    Long cas = null;
    JsonNode casNode = body.get("cas");
    if (casNode != null && !casNode.isNull()) {
      if (!casNode.isIntegralNumber() || !casNode.canConvertToLong() || casNode.longValue() < 0) {
        throw new ValidationException(
            "cas",
            "must be a whole number: 0 when the secret must not exist yet, else"
                + " the current version");
      }
      cas = casNode.longValue();
    }
    boolean hasSettings = SETTINGS_FIELDS.stream().anyMatch(body::has);
    SecretSettings settings = null;
    if (hasSettings) {
      settings = settings(body, secrets.find(name).map(SecretMetadata::settings).orElse(null));
    }
    BrokeredSecrets.Written w =
        secrets.put(name, Secret.of(v.asText()), cas, settings, c.who().actor());
    c.send(200, written(w));
  }

  private void settings(Call c) {
    String tail = ApiUnit.routedTail(c.rawPath());
    String name = name(tail.substring(0, tail.length() - ":settings".length()));
    JsonNode body = object(c.json(MAX_BODY));
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!SETTINGS_FIELDS.contains(f)) {
        throw unknown(f, String.join(", ", new java.util.TreeSet<>(SETTINGS_FIELDS)));
      }
    }
    c.send(
        200,
        metadata(
            secrets.update(
                name, settings(body, secrets.metadata(name).settings()), c.who().actor())));
  }

  private void rotate(Call c) {
    String tail = ApiUnit.routedTail(c.rawPath());
    c.send(
        200,
        written(
            secrets.rotate(
                name(tail.substring(0, tail.length() - ":rotate".length())), c.who().actor())));
  }

  private void delete(Call c) {
    String name = name(ApiUnit.routedTail(c.rawPath()));
    secrets.delete(name, c.who().actor());
    ObjectNode o = HttpJson.object();
    o.put("name", name);
    o.put("deleted", true);
    c.send(200, o);
  }

  private void versionAction(Call c) {
    String tail = ApiUnit.routedTail(c.rawPath());
    int at = tail.indexOf("/versions/");
    String name = name(tail.substring(0, at));
    String rest = tail.substring(at + "/versions/".length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      throw new BadRequestException(
          404,
          "use POST /v1/secrets/<name>/versions/<n>:delete, :undelete, :destroy or" + " :discard");
    }
    long version;
    try {
      version = Long.parseLong(rest.substring(0, colon));
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 1) {
      throw new ValidationException("version", "must be a whole number from 1");
    }
    String action = rest.substring(colon + 1);
    String actor = c.who().actor();
    switch (action) {
      case "delete" -> secrets.deleteVersion(name, version, actor);
      case "undelete" -> secrets.undeleteVersion(name, version, actor);
      case "destroy" -> secrets.destroyVersion(name, version, actor);
      case "discard" -> secrets.discardPending(name, version, actor);
      default ->
          throw new BadRequestException(
              404, "unknown action; use :delete, :undelete, :destroy or :discard");
    }
    ObjectNode o = HttpJson.object();
    o.put("name", name);
    o.put("version", version);
    o.put("action", action);
    c.send(200, o);
  }

  /**
   * Settings from a body, fields not given kept from {@code base} (null for a new secret: owner
   * then required, maxVersions defaulting to {@link SecretSettings#DEFAULT_MAX_VERSIONS}).
   */
  static SecretSettings settings(JsonNode body, @Nullable SecretSettings base) {
    String owner = body.has("owner") ? text(body, "owner") : base == null ? null : base.owner();
    if (owner == null) {
      throw new ValidationException(
          "owner", "is required for a new secret: say who answers for it");
    }
    String description =
        body.has("description")
            ? text(body, "description")
            : base == null ? null : base.description();
    Duration interval = base == null ? null : base.rotationInterval();
    if (body.has("rotationInterval")) {
      String s = text(body, "rotationInterval");
      interval = s == null ? null : Durations.parse("rotationInterval", s);
    }
    int max = base == null ? SecretSettings.DEFAULT_MAX_VERSIONS : base.maxVersions();
    JsonNode m = body.get("maxVersions");
    if (m != null && !m.isNull()) {
      if (!m.isIntegralNumber() || !m.canConvertToInt()) {
        throw new ValidationException(
            "maxVersions", "must be a whole number from 1 to " + SecretSettings.MAX_MAX_VERSIONS);
      }
      max = m.intValue();
    }
    RotationSpec rotation = base == null ? null : base.rotation();
    if (body.has("rotation")) {
      JsonNode r = body.get("rotation");
      if (r.isNull()) {
        rotation = null;
      } else if (!r.isObject()) {
        throw new ValidationException("rotation", "must be {connector, resource, account} or null");
      } else {
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!Set.of("connector", "resource", "account").contains(f)) {
            throw unknown("rotation." + f, "connector, resource, account");
          }
        }
        rotation =
            new RotationSpec(
                text(r, "connector", "rotation.connector"),
                text(r, "resource", "rotation.resource"),
                text(r, "account", "rotation.account"));
      }
    }
    return new SecretSettings(owner, description, interval, max, rotation);
  }

  private static JsonNode object(JsonNode body) {
    if (!body.isObject()) {
      throw new ValidationException("", "send a JSON object");
    }
    return body;
  }

  private static String name(String raw) {
    if (raw == null || raw.isEmpty() || raw.contains("/")) {
      throw new BadRequestException(404, "no such route; " + HINT);
    }
    return dev.warden.core.model.Names.check("name", raw);
  }

  private static @Nullable String text(JsonNode n, String field) {
    return text(n, field, field);
  }

  private static @Nullable String text(JsonNode n, String field, String label) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new ValidationException(label, "must be a string");
    }
    return v.asText();
  }

  private static ValidationException unknown(String field, String allowed) {
    return new ValidationException(
        Errors.printable(field.length() > 64 ? field.substring(0, 64) : field),
        "unknown field; allowed: " + allowed);
  }

  private static ObjectNode written(BrokeredSecrets.Written w) {
    ObjectNode o = HttpJson.object();
    o.put("name", w.name());
    o.put("version", w.version());
    o.put("fingerprint", w.fingerprint());
    return o;
  }

  static ObjectNode metadata(SecretMetadata m) {
    ObjectNode o = HttpJson.object();
    o.put("name", m.name());
    o.put("owner", m.settings().owner());
    if (m.settings().description() != null) {
      o.put("description", m.settings().description());
    }
    o.put("currentVersion", m.currentVersion());
    o.put("maxVersions", m.settings().maxVersions());
    if (m.settings().rotationInterval() != null) {
      o.put("rotationInterval", Durations.format(m.settings().rotationInterval()));
      o.put("rotationDueAt", m.rotationDueAt().toString());
    }
    if (m.settings().rotation() != null) {
      ObjectNode r = o.putObject("rotation");
      r.put("connector", m.settings().rotation().connector());
      r.put("resource", m.settings().rotation().resource());
      r.put("account", m.settings().rotation().account());
    }
    o.put("createdAt", m.createdAt().toString());
    o.put("createdBy", m.createdBy());
    o.put("updatedAt", m.updatedAt().toString());
    o.put("updatedBy", m.updatedBy());
    o.put("lastRotatedAt", m.lastRotatedAt().toString());
    if (m.lastReadAt() != null) {
      o.put("lastReadAt", m.lastReadAt().toString());
      o.put("lastReadBy", m.lastReadBy());
    }
    if (m.pending() != null) {
      ObjectNode p = o.putObject("pendingRotation");
      p.put("version", m.pending().version());
      if (m.pending().claimedAt() != null) {
        p.put("claimedAt", m.pending().claimedAt().toString());
      }
      p.put("attempts", m.pending().attempts());
      if (m.pending().failedAt() != null) {
        p.put("failedAt", m.pending().failedAt().toString());
        p.put("lastError", m.pending().lastError());
      }
    }
    return o;
  }
}
