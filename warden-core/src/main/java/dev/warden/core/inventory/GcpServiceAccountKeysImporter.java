package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gcloud iam service-accounts keys list --iam-account=SA --format=json}, for one service
 * account or several (outputs one after another, or {@code jq -s}, or the REST API's {@code
 * {"keys": [...]}}). Only {@code USER_MANAGED} keys are secrets someone holds: each enabled one
 * becomes a {@code gcp-service-account-key} whose age is its {@code validAfterTime} and whose
 * expiry is its {@code validBeforeTime} (none when it is the "never" date, year 9999). {@code
 * SYSTEM_MANAGED} keys (Google holds and rotates them) and disabled keys are counted as skipped.
 * {@code privateKeyData}, present in a key's creation response, is never read.
 */
final class GcpServiceAccountKeysImporter implements Importer {
  static final String KIND = "gcp-service-account-key";
  private static final Pattern NAME =
      Pattern.compile("projects/([^/]+)/serviceAccounts/([^/]+)/keys/([^/]+)");

  /** GCP's "no expiry": keys valid until the end of year 9999. */
  private static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");

  @Override
  public void read(Input in, ImportRows out) {
    JsonImports.listed(
        in.text(),
        out,
        Set.of("keys"),
        "the JSON of `gcloud iam service-accounts keys list --iam-account=SA --format=json`",
        (o, line) -> key(o, line, in.defaults(), out));
  }

  private static void key(JsonNode o, int line, Importers.Defaults d, ImportRows out) {
    if (!o.isObject()) {
      out.error(line, "expected a key object with a name projects/P/serviceAccounts/SA/keys/ID");
      return;
    }
    String name = CloudImports.text(o, "name");
    Matcher m = name == null ? null : NAME.matcher(name);
    if (m == null || !m.matches()) {
      out.error(line, "a key without a name of the form projects/P/serviceAccounts/SA/keys/ID");
      return;
    }
    String keyType = CloudImports.text(o, "keyType");
    // an unlabelled key is counted as user-managed: the conservative reading
    if ("SYSTEM_MANAGED".equals(keyType) || o.path("disabled").asBoolean(false)) {
      out.skip();
      return;
    }
    try {
      Instant after = CloudImports.time("validAfterTime", CloudImports.text(o, "validAfterTime"));
      Instant before =
          CloudImports.time("validBeforeTime", CloudImports.text(o, "validBeforeTime"));
      Map<String, String> attrs = new TreeMap<>();
      attrs.put("project", m.group(1));
      attrs.put("serviceAccount", m.group(2));
      attrs.put("keyId", m.group(3));
      for (String f : new String[] {"keyAlgorithm", "keyOrigin", "keyType"}) {
        String v = CloudImports.text(o, f);
        if (v != null) {
          attrs.put(f, v);
        }
      }
      attrs.put("replaceWith", FederationPath.GCP_WORKLOAD_IDENTITY.wire());
      Instant expiry = before == null || !before.isBefore(NEVER) ? null : before;
      out.add(
          new ImportedNhi(
              ImportFields.source(d, "gcp:" + m.group(1)),
              KIND,
              m.group(2) + "/" + m.group(3),
              d.owner(),
              d.team(),
              d.environment(),
              name,
              null,
              after,
              expiry,
              after,
              null,
              attrs));
    } catch (ValidationException e) {
      out.error(line, e.getMessage());
    }
  }
}
