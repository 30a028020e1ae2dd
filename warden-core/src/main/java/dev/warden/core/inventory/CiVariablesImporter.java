package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * CI/CD variables: {@code gh secret list --json name,updatedAt,visibility}, {@code gh variable list
 * --json name,value,updatedAt}, or GitLab's {@code GET /projects/:id/variables} (key, value,
 * masked, ...). A listed secret is always an NHI; a variable is one when its platform hides it or
 * its name says it holds a credential, and plain configuration ({@code FEATURE_FLAG=on}) is
 * skipped. Values are kept only as fingerprints.
 */
final class CiVariablesImporter implements Importer {
  /** Names that say they hold a credential, for variables not marked secret by their platform. */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i).*(token|secret|passw(or)?d|passwd|pwd|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth).*");

  /** Platform flags kept as attributes. */
  private static final String[] FLAGS = {
    "variable_type", "protected", "masked", "hidden", "raw", "visibility"
  };

  @Override
  public void read(Input in, ImportRows out) {
    JsonImports.stream(
        in.text(),
        out,
        p -> {
          // {"secrets": [...]} (the GitHub REST API) or {"variables": [...]}
          JsonToken t = JsonImports.toArray(p, Set.of("secrets", "variables"));
          if (t != JsonToken.START_ARRAY) {
            throw new ValidationException(
                "content",
                "send the JSON array printed by `gh secret list --json name,updatedAt`,"
                    + " `gh variable list --json name,value,updatedAt` or GitLab's GET /projects/:id/variables");
          }
          while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            int line = p.currentTokenLocation().getLineNr();
            if (t != JsonToken.START_OBJECT) {
              p.skipChildren();
              out.error(line, "expected an object with a name (GitHub) or key (GitLab)");
              continue;
            }
            variable(p.readValueAsTree(), line, in, out);
          }
        });
  }

  private static void variable(JsonNode o, int line, Input in, ImportRows out) {
    Importers.Defaults d = in.defaults();
    String name =
        o.hasNonNull("name")
            ? o.get("name").asText()
            : o.hasNonNull("key") ? o.get("key").asText() : null;
    if (name == null || name.isBlank()) {
      out.error(line, "no name (GitHub) or key (GitLab)");
      return;
    }
    boolean hasValue = o.has("value");
    boolean masked = o.path("masked").asBoolean(false) || o.path("hidden").asBoolean(false);
    // a secrets listing never shows values; a variable is a secret if its platform hides it
    // or its name says so. Plain configuration (FEATURE_FLAG=on) is not an NHI: skipped.
    boolean secret = !hasValue || masked || SECRET_NAME.matcher(name).matches();
    if (!secret) {
      out.skip();
      return;
    }
    String value = hasValue && o.get("value").isValueNode() ? o.get("value").asText() : "";
    Map<String, String> attrs = new TreeMap<>();
    for (String f : FLAGS) {
      if (o.hasNonNull(f) && o.get(f).isValueNode()) {
        attrs.put(f, o.get(f).asText());
      }
    }
    String scope = o.path("environment_scope").asText("");
    try {
      String updated =
          o.hasNonNull("updatedAt")
              ? o.get("updatedAt").asText()
              : o.hasNonNull("updated_at") ? o.get("updated_at").asText() : null;
      Instant rotated = updated == null || updated.isBlank() ? null : Instant.parse(updated);
      out.add(
          new ImportedNhi(
              ImportFields.source(d, "ci"),
              "ci-secret",
              name,
              d.owner(),
              d.team(),
              scope.isEmpty() || scope.equals("*") ? d.environment() : scope,
              d.location(),
              in.fingerprinter() == null || value.isEmpty()
                  ? null
                  : in.fingerprinter().fingerprint(value),
              null,
              null,
              rotated,
              null,
              attrs));
    } catch (ValidationException | DateTimeParseException e) {
      // the message names a field or a date, never the value
      out.error(
          line,
          e instanceof DateTimeParseException
              ? "updatedAt is not an ISO-8601 instant"
              : e.getMessage());
    }
  }
}
