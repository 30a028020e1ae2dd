package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Azure service-principal and application credentials: {@code az ad sp credential list --id ID} and
 * {@code az ad app credential list --id ID} (password credentials, or with {@code --cert} key
 * credentials), and {@code az ad sp list} / {@code az ad app list} output whose principals carry
 * {@code passwordCredentials} and {@code keyCredentials} (also Microsoft Graph's {@code {"value":
 * [...]}}). A password credential becomes an {@code azure-client-secret}, a key credential an
 * {@code azure-certificate}; start is its age, end its expiry. A principal with neither is counted
 * as skipped.
 *
 * <p>{@code secretText} (printed when a secret is created), {@code key} and {@code hint} (the
 * secret's first characters) are never read. A bare credential listing does not name its principal:
 * its items are named by {@code keyId}, and the source ({@code --source azure:billing-api}) says
 * whose they are.
 */
final class AzureCredentialsImporter implements Importer {
  static final String CLIENT_SECRET = "azure-client-secret";
  static final String CERTIFICATE = "azure-certificate";

  @Override
  public void read(Input in, ImportRows out) {
    JsonImports.listed(
        in.text(),
        out,
        Set.of("value"),
        "the JSON of `az ad sp credential list --id ID`, `az ad app credential list --id ID` or `az ad sp list`",
        (o, line) -> entry(o, line, in.defaults(), out));
  }

  private static void entry(JsonNode o, int line, Importers.Defaults d, ImportRows out) {
    if (!o.isObject()) {
      out.error(line, "expected a credential or service-principal object");
      return;
    }
    if (o.has("passwordCredentials") || o.has("keyCredentials") || o.has("appId")) {
      principal(o, line, d, out);
    } else {
      credential(o, line, null, null, null, d, out);
    }
  }

  private static void principal(JsonNode sp, int line, Importers.Defaults d, ImportRows out) {
    String name = CloudImports.text(sp, "displayName", "appDisplayName", "appId", "id");
    if (name == null) {
      out.error(line, "a service principal without displayName or appId");
      return;
    }
    Map<String, String> tags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (JsonNode t : sp.path("tags")) {
      // az ad sp tags are plain strings; owner:alice or owner=alice names an owner
      String s = t.asText("");
      int sep = s.indexOf(':') > 0 ? s.indexOf(':') : s.indexOf('=');
      if (sep > 0) {
        tags.put(s.substring(0, sep).strip(), s.substring(sep + 1).strip());
      }
    }
    Map<String, String> common = new TreeMap<>();
    for (String[] f :
        new String[][] {
          {"appId", "appId"}, {"id", "objectId"}, {"servicePrincipalType", "servicePrincipalType"}
        }) {
      String v = CloudImports.text(sp, f[0]);
      if (v != null) {
        common.put(f[1], v);
      }
    }
    int found = 0;
    for (String list : new String[] {"passwordCredentials", "keyCredentials"}) {
      for (JsonNode c : sp.path(list)) {
        if (!c.isObject()) {
          out.error(line, name + ": " + list + " holds something that is not a credential object");
          continue;
        }
        credential(c, line, name, tags, common, d, out);
        found++;
      }
    }
    if (found == 0) {
      out.skip(); // e.g. a managed identity: no secret to hold
    }
  }

  private static void credential(
      JsonNode c,
      int line,
      String principal,
      Map<String, String> tags,
      Map<String, String> common,
      Importers.Defaults d,
      ImportRows out) {
    String keyId = CloudImports.text(c, "keyId");
    if (keyId == null) {
      out.error(line, "a credential without keyId");
      return;
    }
    // a key credential has a type (AsymmetricX509Cert, Symmetric) and a usage (Verify, Sign)
    boolean certificate = c.has("type") || c.has("usage");
    Map<String, String> attrs = new TreeMap<>();
    if (common != null) {
      attrs.putAll(common);
    }
    attrs.put("keyId", keyId);
    for (String f :
        certificate
            ? new String[] {"displayName", "type", "usage"}
            : new String[] {"displayName"}) {
      String v = CloudImports.text(c, f);
      if (v != null) {
        attrs.put(f, v);
      }
    }
    attrs.put("replaceWith", FederationPath.AZURE_FEDERATED_CREDENTIAL.wire());
    String holder = principal;
    if (holder != null) {
      attrs.put("principal", holder);
    }
    Map<String, String> t = tags == null ? Map.of() : tags;
    try {
      Instant start =
          CloudImports.time("startDateTime", CloudImports.text(c, "startDateTime", "startDate"));
      Instant end =
          CloudImports.time("endDateTime", CloudImports.text(c, "endDateTime", "endDate"));
      out.add(
          new ImportedNhi(
              ImportFields.source(d, "azure"),
              certificate ? CERTIFICATE : CLIENT_SECRET,
              holder == null ? keyId : holder + "/" + keyId,
              ImportFields.or(CloudImports.tag(t, CloudImports.OWNER_TAGS), d.owner()),
              ImportFields.or(CloudImports.tag(t, CloudImports.TEAM_TAGS), d.team()),
              ImportFields.or(CloudImports.tag(t, CloudImports.ENVIRONMENT_TAGS), d.environment()),
              holder,
              null,
              start,
              end,
              start,
              null,
              attrs));
    } catch (ValidationException e) {
      out.error(line, e.getMessage());
    }
  }
}
