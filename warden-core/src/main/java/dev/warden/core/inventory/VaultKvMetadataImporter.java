package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Vault KV version 2 metadata: the JSON of {@code vault kv metadata get -format=json PATH} (or of
 * the HTTP API's {@code GET /v1/<mount>/metadata/<path>}) with a {@code "path"} added, since
 * neither prints it, one object or a list of them. Each secret whose current version is neither
 * deleted nor destroyed becomes a {@code vault-kv-secret} named by its path: created at {@code
 * created_time}, last rotated when its current version was written, owner, team and environment
 * from {@code custom_metadata} (also {@code rotationInterval}, {@code workload}, {@code
 * resources}); other custom metadata is not kept.
 *
 * <p>Metadata holds no values. The output of {@code vault kv get}, which does, is recognised by its
 * {@code data.data} and refused without being read.
 */
final class VaultKvMetadataImporter implements Importer {
  static final String KIND = "vault-kv-secret";

  /**
   * custom_metadata keys kept: the item's own fields, and attributes the posture and blast-radius
   * rules read.
   */
  private static final Set<String> KEPT = Set.of("rotationInterval", "workload", "resources");

  @Override
  public void read(Input in, ImportRows out) {
    JsonImports.listed(
        in.text(),
        out,
        Set.of("secrets"),
        "the JSON of `vault kv metadata get -format=json PATH` with \"path\" added, one object or a list",
        (o, line) -> secret(o, line, in.defaults(), out));
  }

  private static void secret(JsonNode o, int line, Importers.Defaults d, ImportRows out) {
    if (!o.isObject()) {
      out.error(line, "expected a metadata object");
      return;
    }
    JsonNode md = o.path("data").isObject() ? o.get("data") : o;
    if (md.path("data").isObject() || md.has("metadata") && !md.has("versions")) {
      // `vault kv get` output: data.data holds the secret's values. Never read, never echoed.
      out.error(
          line,
          "this is `vault kv get` output, which holds the secret's values; send"
              + " `vault kv metadata get -format=json` instead");
      return;
    }
    if (!md.has("current_version") && !md.has("versions")) {
      out.error(line, "not KV v2 metadata: no current_version or versions");
      return;
    }
    String path = CloudImports.text(o, "path");
    if (path == null) {
      path = CloudImports.text(md, "path");
    }
    if (path == null) {
      out.error(
          line,
          "no \"path\": vault does not print it, add it to each object (see docs/inventory.md)");
      return;
    }
    String current = md.path("current_version").asText("");
    JsonNode version = md.path("versions").path(current);
    if (version.path("destroyed").asBoolean(false)
        || CloudImports.text(version, "deletion_time") != null
            && !"n/a".equalsIgnoreCase(CloudImports.text(version, "deletion_time"))) {
      out.skip(); // the current version is deleted or destroyed: nothing left to hold
      return;
    }
    Map<String, String> meta = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    md.path("custom_metadata")
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                meta.put(e.getKey(), e.getValue().asText());
              }
            });
    Map<String, String> attrs = new TreeMap<>();
    attrs.put("storage", "secrets-manager");
    attrs.put("replaceWith", FederationPath.VAULT_DYNAMIC.wire());
    if (!current.isEmpty()) {
      attrs.put("currentVersion", current);
    }
    if (md.path("versions").isObject()) {
      attrs.put("versions", Integer.toString(md.path("versions").size()));
    }
    for (String f : new String[] {"max_versions", "delete_version_after"}) {
      String v = CloudImports.text(md, f);
      if (v != null && !v.equals("0") && !v.equals("0s")) {
        attrs.put(f.equals("max_versions") ? "maxVersions" : "deleteVersionAfter", v);
      }
    }
    for (String k : KEPT) {
      String v = CloudImports.tag(meta, k);
      if (v != null) {
        attrs.put(k, v);
      }
    }
    try {
      Instant created = CloudImports.time("created_time", CloudImports.text(md, "created_time"));
      Instant written =
          CloudImports.time(
              "versions." + current + ".created_time", CloudImports.text(version, "created_time"));
      Instant rotated =
          ImportFields.or(
              written, CloudImports.time("updated_time", CloudImports.text(md, "updated_time")));
      out.add(
          new ImportedNhi(
              ImportFields.source(d, "vault"),
              KIND,
              path,
              ImportFields.or(CloudImports.tag(meta, CloudImports.OWNER_TAGS), d.owner()),
              ImportFields.or(CloudImports.tag(meta, CloudImports.TEAM_TAGS), d.team()),
              ImportFields.or(
                  CloudImports.tag(meta, CloudImports.ENVIRONMENT_TAGS), d.environment()),
              path,
              null,
              created,
              null,
              rotated,
              null,
              attrs));
    } catch (ValidationException e) {
      out.error(line, e.getMessage());
    }
  }
}
