package dev.warden.core.document;

import static dev.warden.core.document.Fields.F;
import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.bool;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.McpUpstream;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import java.util.List;
import java.util.Locale;

/**
 * The spec of a {@code Resource} document, with the references it may carry: a database target
 * ({@link DatabaseTargetDocument}), an upstream OAuth client ({@link OAuthClientDocument}), a
 * brokered secret or an MCP server. Only names of credentials, never their values.
 */
final class ResourceDocument {
  private ResourceDocument() {}

  static Resource parse(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "audience",
        "kind",
        "sensitivity",
        "description",
        "database",
        "oauth",
        "secret",
        "mcp");
    String sens = text(s, "sensitivity");
    Sensitivity se = null;
    if (sens != null) {
      try {
        se = Sensitivity.valueOf(sens.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.sensitivity", "'" + sens + "' is not allowed; use low, medium, high or critical");
      }
    }
    JsonNode db = s.get("database");
    DatabaseTarget target = db == null || db.isNull() ? null : DatabaseTargetDocument.parse(db);
    JsonNode oa = s.get("oauth");
    OAuthClient oauth = oa == null || oa.isNull() ? null : OAuthClientDocument.parse(oa);
    JsonNode mc = s.get("mcp");
    McpUpstream mcp = mc == null || mc.isNull() ? null : mcpUpstream(mc);
    return new Resource(
        name,
        text(s, "audience"),
        text(s, "kind"),
        se,
        text(s, "description"),
        target,
        oauth,
        secretName(s.get("secret")),
        mcp);
  }

  /** Renders the spec: {@code parse(name, render(r))} equals r. */
  static void render(ObjectNode s, Resource r) {
    s.put("audience", r.audience());
    s.put("kind", r.kind());
    s.put("sensitivity", r.sensitivity().name().toLowerCase(Locale.ROOT));
    putIfSet(s, "description", r.description());
    if (r.database() != null) {
      s.set("database", DatabaseTargetDocument.render(r.database()));
    }
    if (r.oauth() != null) {
      s.set("oauth", OAuthClientDocument.render(r.oauth()));
    }
    if (r.secret() != null) {
      s.putObject("secret").put("name", r.secret());
    }
    if (r.mcp() != null) {
      s.set("mcp", mcpSpec(r.mcp()));
    }
  }

  /**
   * A resource's {@code spec.secret}: {@code {name: <brokered secret>}}. Only the name: a value
   * never goes in a document.
   */
  static String secretName(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new ValidationException("spec.secret", "must be an object: {name: <brokered secret>}");
    }
    if (n.has("value")) {
      throw new ValidationException(
          "spec.secret.value",
          "a secret's value never goes in a document; write it with"
              + " 'warden secret put <name> --value-file <file>' and name it in spec.secret.name");
    }
    allowOnly(n, "spec.secret", "name");
    JsonNode name = n.get("name");
    if (name == null || !name.isTextual()) {
      throw new ValidationException(
          "spec.secret.name", "is required: the name of a brokered secret");
    }
    return name.asText();
  }

  /**
   * A resource's {@code spec.mcp}: {@code {url, credential: {secret, header | basic} |
   * {oauthClient}, plaintext}}. Only names of credentials: a value is refused, so it never reaches
   * a document.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  static McpUpstream mcpUpstream(JsonNode m) {
    if (!m.isObject()) {
      throw new ValidationException("spec.mcp", "must be an object: {url, credential, plaintext}");
    }
    allowOnly(m, "spec.mcp", "url", "credential", "plaintext");
    JsonNode c = m.get("credential");
    McpUpstream.Credential credential = null;
    if (c != null && !c.isNull()) {
      if (!c.isObject()) {
        throw new ValidationException(
            "spec.mcp.credential",
            "must be an object: {secret, header | basic} or" + " {oauthClient}");
      }
      for (String f : List.of("value", "token", "password", "apiKey")) {
        if (c.has(f)) {
          throw new ValidationException(
              "spec.mcp.credential." + f,
              "a credential never goes in a document; store it"
                  + " as a brokered secret ('warden secret put <name>') and name it in spec.mcp.credential.secret");
        }
      }
      allowOnly(c, "spec.mcp.credential", "secret", "oauthClient", "header", "basic");
      boolean basic = bool(c, "basic", "spec.mcp.credential");
      String header = text(c, "header");
      if (basic && header != null) {
        throw new ValidationException("spec.mcp.credential", "give header or basic, not both");
      }
      credential =
          new McpUpstream.Credential(
              text(c, "secret"),
              text(c, "oauthClient"),
              basic ? McpUpstream.Placement.BASIC : null,
              header);
    }
    return new McpUpstream(text(m, "url"), credential, bool(m, "plaintext", "spec.mcp"));
  }

  static ObjectNode mcpSpec(McpUpstream m) {
    ObjectNode o = F.objectNode();
    o.put("url", m.url());
    McpUpstream.Credential c = m.credential();
    if (c != null) {
      ObjectNode co = o.putObject("credential");
      putIfSet(co, "secret", c.secret());
      putIfSet(co, "oauthClient", c.oauthClient());
      if (c.placement() == McpUpstream.Placement.HEADER) {
        co.put("header", c.header());
      } else if (c.placement() == McpUpstream.Placement.BASIC) {
        co.put("basic", true);
      }
    }
    if (m.plaintext()) {
      o.put("plaintext", true);
    }
    return o;
  }
}
