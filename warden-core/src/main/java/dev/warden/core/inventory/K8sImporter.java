package dev.warden.core.inventory;

import static dev.warden.core.inventory.ImportFields.or;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code kubectl get serviceaccounts,secrets -A -o json}: service accounts, and Opaque and
 * service-account-token secrets by the names of their keys; the values under {@code data} and
 * {@code stringData} are never read. Other kinds and secret types are skipped.
 */
final class K8sImporter implements Importer {

  @Override
  public void read(Input in, ImportRows out) {
    Importers.Defaults d = in.defaults();
    JsonNode root = JsonImports.tree(in.text());
    JsonNode items = root.has("items") ? root.get("items") : root;
    if (!items.isArray()) {
      items = JsonImports.JSON.createArrayNode().add(root);
    }
    int i = 0;
    for (JsonNode o : items) {
      i++;
      String kind = o.path("kind").asText("");
      JsonNode md = o.path("metadata");
      String ns = md.path("namespace").asText("default");
      String name = md.path("name").asText("");
      if (name.isEmpty()) {
        out.error(i, "item " + i + " has no metadata.name");
        continue;
      }
      Map<String, String> attrs = new TreeMap<>();
      attrs.put("namespace", ns);
      String owner = or(first(md, "warden.dev/owner", "owner"), d.owner());
      String team = or(first(md, "warden.dev/team", "team"), d.team());
      String env = or(first(md, "warden.dev/environment", "environment"), d.environment());
      Instant created = ImportFields.instant(md.path("creationTimestamp").asText(null));
      String source = ImportFields.source(d, "k8s");
      String itemKind;
      if (kind.equals("ServiceAccount")) {
        itemKind = "k8s-service-account";
        List<String> secrets = new ArrayList<>();
        o.path("secrets").forEach(s -> secrets.add(s.path("name").asText()));
        if (!secrets.isEmpty()) {
          attrs.put("secrets", String.join(",", secrets));
        }
      } else if (kind.equals("Secret") && secretAttributes(o, md, ns, attrs)) {
        itemKind = "k8s-secret";
      } else {
        out.skip();
        continue;
      }
      out.add(
          new ImportedNhi(
              source,
              itemKind,
              ns + "/" + name,
              owner,
              team,
              env,
              ns,
              null,
              created,
              null,
              null,
              null,
              attrs));
    }
  }

  /**
   * A secret's type, key names and service account; false for a type that is not a credential (TLS,
   * registry).
   */
  private static boolean secretAttributes(
      JsonNode o, JsonNode md, String ns, Map<String, String> attrs) {
    String type = o.path("type").asText("Opaque");
    if (!type.equals("Opaque") && !type.equals("kubernetes.io/service-account-token")) {
      return false;
    }
    attrs.put("type", type);
    // key names only: the values under data/stringData are never read
    Set<String> keys = new TreeSet<>();
    for (String f : new String[] {"data", "stringData"}) {
      for (Iterator<String> it = o.path(f).fieldNames(); it.hasNext(); ) {
        keys.add(it.next());
      }
    }
    if (!keys.isEmpty()) {
      attrs.put("keys", String.join(",", keys));
    }
    String sa = md.path("annotations").path("kubernetes.io/service-account.name").asText(null);
    if (sa != null) {
      attrs.put("serviceAccount", ns + "/" + sa);
    }
    return true;
  }

  private static String first(JsonNode md, String annotation, String label) {
    String a = md.path("annotations").path(annotation).asText(null);
    return a != null ? a : md.path("labels").path(label).asText(null);
  }
}
