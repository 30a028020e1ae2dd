package dev.warden.core.document;

import static dev.warden.core.document.Fields.F;
import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.stringList;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Durations;
import dev.warden.core.model.UsernameTemplate;

/** A resource's {@code spec.database}: the database Warden creates users in. */
final class DatabaseTargetDocument {
  private DatabaseTargetDocument() {}

  /**
   * Parses a resource's {@code spec.database}. It names the admin password's secret; a password
   * itself is refused, so it can never reach a document, its history or a diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  static DatabaseTarget parse(JsonNode d) {
    if (!d.isObject()) {
      throw new ValidationException(
          "spec.database", "must be an object: {url, adminUser, adminPasswordSecret, roles}");
    }
    if (d.has("adminPassword") || d.has("password")) {
      throw new ValidationException(
          "spec.database." + (d.has("adminPassword") ? "adminPassword" : "password"),
          "a password never goes in a document; store it with 'warden database password set <name>' and name it in"
              + " spec.database.adminPasswordSecret");
    }
    allowOnly(
        d,
        "spec.database",
        "url",
        "adminUser",
        "adminPasswordSecret",
        "roles",
        "usernameTemplate",
        "maxTtl",
        "maxLeasesPerWorkload",
        "markerRole",
        "acl");
    String template = text(d, "usernameTemplate");
    JsonNode max = d.get("maxLeasesPerWorkload");
    int maxLeases = 0;
    if (max != null && !max.isNull()) {
      if (!max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 1) {
        throw new ValidationException(
            "spec.database.maxLeasesPerWorkload",
            "must be a whole number from 1 to " + DatabaseTarget.MAX_LEASES_LIMIT);
      }
      maxLeases = max.intValue();
    }
    return new DatabaseTarget(
        text(d, "url"),
        text(d, "adminUser"),
        text(d, "adminPasswordSecret"),
        stringList(d, "roles"),
        template == null ? null : new UsernameTemplate(template),
        Durations.parse("spec.database.maxTtl", text(d, "maxTtl")),
        maxLeases,
        text(d, "markerRole"),
        stringList(d, "acl"));
  }

  /** Renders a database target: {@code databaseTarget(databaseSpec(t))} equals t. */
  static ObjectNode render(DatabaseTarget t) {
    ObjectNode d = F.objectNode();
    d.put("url", t.url());
    d.put("adminUser", t.adminUser());
    d.put("adminPasswordSecret", t.adminPasswordSecret());
    strings(d, "roles", t.roles());
    d.put("usernameTemplate", t.usernameTemplate().text());
    d.put("maxTtl", Durations.format(t.maxTtl()));
    d.put("maxLeasesPerWorkload", t.maxLeasesPerWorkload());
    if (t.markerRole() != null) {
      d.put("markerRole", t.markerRole());
    }
    if (!t.acl().isEmpty()) {
      strings(d, "acl", t.acl());
    }
    return d;
  }
}
