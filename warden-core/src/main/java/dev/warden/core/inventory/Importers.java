package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers of inventory imports: Kubernetes dumps, GitHub Actions workflows, .env files, CSV and
 * JSON. They keep names and metadata and drop every value: an .env value or a Kubernetes secret's
 * data never leaves the parser, except as an HMAC fingerprint of an .env value when a
 * {@link Fingerprinter} is given (so the same secret found twice can be recognised, NHI9).
 *
 * <p>Bad rows are collected with their line number; the caller decides whether a partial import
 * is acceptable. Duplicates by (source, kind, name) inside one input are merged (later fields win)
 * and reported.
 */
public final class Importers {
  /** Formats accepted by {@link #parse}. */
  public enum Format {
    K8S, GITHUB_WORKFLOW, ENV, CSV, JSON, CI_VARIABLES;

    /** @throws ValidationException naming the accepted formats */
    public static Format parse(String s) {
      if (s != null) {
        for (Format f : values()) {
          if (f.wire().equalsIgnoreCase(s)) {
            return f;
          }
        }
      }
      throw new ValidationException("format",
          "'" + s + "' is not one of k8s, github-workflow, env, csv, json, ci-variables");
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Defaults applied to items that do not say: where they came from and who owns them. */
  public record Defaults(String source, String owner, String team, String environment, String location) {}

  /** A row that could not be imported. */
  public record LineError(int line, String message) {}

  /** What parsing found. */
  public record Parsed(List<ImportedNhi> items, List<LineError> errors, List<String> duplicates, int skipped) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SECRET_REF = Pattern.compile("secrets\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern ENV_LINE = Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=(.*)$");
  /** Columns and fields that would carry a secret value: refused, the import takes names only. */
  private static final Set<String> VALUE_FIELDS = Set.of("value", "secret", "password", "token", "data");
  private static final Set<String> CSV_FIELDS = Set.of("source", "kind", "name", "owner", "team", "environment",
      "location", "fingerprint", "createdat", "expiresat", "lastrotatedat", "lastusedat");

  private Importers() {}

  /**
   * Parses one input.
   *
   * @param workflowTree for {@link Format#GITHUB_WORKFLOW}, the workflow YAML already read as a tree
   *     (core has no YAML parser); ignored otherwise
   * @param fingerprinter fingerprints .env values; null to drop them entirely
   * @throws ValidationException when the input as a whole is unusable (not JSON at all, no header)
   */
  public static Parsed parse(Format format, String text, JsonNode workflowTree, Defaults d, Fingerprinter fingerprinter) {
    Acc acc = new Acc();
    switch (format) {
      case K8S -> k8s(text, d, acc);
      case GITHUB_WORKFLOW -> githubWorkflow(text, workflowTree, d, acc);
      case ENV -> env(text, d, fingerprinter, acc);
      case CSV -> csv(text, d, acc);
      case JSON -> json(text, d, acc);
      case CI_VARIABLES -> ciVariables(text, d, fingerprinter, acc);
    }
    return new Parsed(List.copyOf(acc.items.values()), List.copyOf(acc.errors), List.copyOf(acc.duplicates), acc.skipped);
  }

  private static final class Acc {
    final Map<String, ImportedNhi> items = new LinkedHashMap<>();
    final List<LineError> errors = new ArrayList<>();
    final List<String> duplicates = new ArrayList<>();
    int skipped;

    void add(ImportedNhi n) {
      ImportedNhi prev = items.put(n.id(), n);
      if (prev != null) {
        items.put(n.id(), merge(prev, n));
        duplicates.add(n.source() + "/" + n.kind() + "/" + n.name());
      }
    }
  }

  /** Later non-null fields win; attributes are merged. */
  public static ImportedNhi merge(ImportedNhi a, ImportedNhi b) {
    Map<String, String> attrs = new TreeMap<>(a.attributes());
    attrs.putAll(b.attributes());
    return new ImportedNhi(a.source(), a.kind(), a.name(), or(b.owner(), a.owner()), or(b.team(), a.team()),
        or(b.environment(), a.environment()), or(b.location(), a.location()), or(b.fingerprint(), a.fingerprint()),
        or(b.createdAt(), a.createdAt()), or(b.expiresAt(), a.expiresAt()), or(b.lastRotatedAt(), a.lastRotatedAt()),
        or(b.lastUsedAt(), a.lastUsedAt()), attrs);
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }

  private static String src(Defaults d, String fallback) {
    return d.source() == null || d.source().isBlank() ? fallback : d.source();
  }

  // ---- Kubernetes: kubectl get serviceaccounts,secrets -A -o json

  static void k8s(String text, Defaults d, Acc acc) {
    JsonNode root = readJson(text);
    JsonNode items = root.has("items") ? root.get("items") : root;
    if (!items.isArray()) {
      items = JSON.createArrayNode().add(root);
    }
    int i = 0;
    for (JsonNode o : items) {
      i++;
      String kind = o.path("kind").asText("");
      JsonNode md = o.path("metadata");
      String ns = md.path("namespace").asText("default");
      String name = md.path("name").asText("");
      if (name.isEmpty()) {
        acc.errors.add(new LineError(i, "item " + i + " has no metadata.name"));
        continue;
      }
      Map<String, String> attrs = new TreeMap<>();
      attrs.put("namespace", ns);
      String owner = first(md, "warden.dev/owner", "owner");
      String team = first(md, "warden.dev/team", "team");
      String env = first(md, "warden.dev/environment", "environment");
      Instant created = instant(md.path("creationTimestamp").asText(null));
      String source = src(d, "k8s");
      if (kind.equals("ServiceAccount")) {
        List<String> secrets = new ArrayList<>();
        o.path("secrets").forEach(s -> secrets.add(s.path("name").asText()));
        if (!secrets.isEmpty()) {
          attrs.put("secrets", String.join(",", secrets));
        }
        acc.add(new ImportedNhi(source, "k8s-service-account", ns + "/" + name, or(owner, d.owner()), or(team, d.team()),
            or(env, d.environment()), ns, null, created, null, null, null, attrs));
      } else if (kind.equals("Secret")) {
        String type = o.path("type").asText("Opaque");
        if (!type.equals("Opaque") && !type.equals("kubernetes.io/service-account-token")) {
          acc.skipped++;
          continue;
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
        acc.add(new ImportedNhi(source, "k8s-secret", ns + "/" + name, or(owner, d.owner()), or(team, d.team()),
            or(env, d.environment()), ns, null, created, null, null, null, attrs));
      } else {
        acc.skipped++;
      }
    }
  }

  private static String first(JsonNode md, String annotation, String label) {
    String a = md.path("annotations").path(annotation).asText(null);
    return a != null ? a : md.path("labels").path(label).asText(null);
  }

  // ---- GitHub Actions workflow

  static void githubWorkflow(String text, JsonNode tree, Defaults d, Acc acc) {
    if (tree == null || !tree.isObject()) {
      throw new ValidationException("content", "a GitHub Actions workflow must be a YAML mapping");
    }
    String source = src(d, "github");
    String name = d.location() != null ? d.location() : tree.path("name").asText("workflow");
    Set<String> secrets = new TreeSet<>();
    String[] lines = text.split("\n", -1);
    Map<String, Integer> firstLine = new HashMap<>();
    for (int i = 0; i < lines.length; i++) {
      Matcher m = SECRET_REF.matcher(lines[i]);
      while (m.find()) {
        if (!m.group(1).equals("GITHUB_TOKEN")) {
          secrets.add(m.group(1));
          firstLine.putIfAbsent(m.group(1), i + 1);
        }
      }
    }
    Map<String, String> perms = new TreeMap<>();
    collectPermissions(tree.path("permissions"), "", perms);
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("jobs").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> job = it.next();
      collectPermissions(job.getValue().path("permissions"), job.getKey() + ".", perms);
    }
    boolean oidc = perms.entrySet().stream().anyMatch(e -> e.getKey().endsWith("id-token") && e.getValue().equals("write"))
        || "write-all".equals(perms.get("*"));
    Map<String, String> attrs = new TreeMap<>();
    attrs.put("oidc", Boolean.toString(oidc));
    if (!perms.isEmpty()) {
      List<String> p = new ArrayList<>();
      perms.forEach((k, v) -> p.add(k + ":" + v));
      attrs.put("permissions", String.join(",", p));
    }
    if (!secrets.isEmpty()) {
      attrs.put("secrets", String.join(",", secrets));
    }
    acc.add(new ImportedNhi(source, "github-workflow", name, d.owner(), d.team(), d.environment(), d.location(), null,
        null, null, null, null, attrs));
    for (String s : secrets) {
      acc.add(new ImportedNhi(source, "ci-secret", s, d.owner(), d.team(), d.environment(), d.location(), null, null,
          null, null, null, Map.of("usedBy", name, "line", Integer.toString(firstLine.get(s)))));
    }
  }

  private static void collectPermissions(JsonNode p, String prefix, Map<String, String> out) {
    if (p.isTextual()) {
      out.put(prefix + "*", p.asText());
    } else if (p.isObject()) {
      p.fields().forEachRemaining(e -> out.put(prefix + e.getKey(), e.getValue().asText()));
    }
  }

  // ---- .env and CI variable lists: names only

  static void env(String text, Defaults d, Fingerprinter fp, Acc acc) {
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Matcher m = ENV_LINE.matcher(l);
      String name;
      String value;
      if (m.matches()) {
        name = m.group(1);
        value = unquote(m.group(2).strip());
      } else if (l.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        name = l; // a bare name, as in a list of CI variable names
        value = "";
      } else {
        // never echo the line: it may hold a value
        acc.errors.add(new LineError(i + 1, "not NAME=value or NAME"));
        continue;
      }
      String fingerprint = fp == null || value.isEmpty() ? null : fp.fingerprint(value);
      acc.add(new ImportedNhi(src(d, "env"), "env-var", name, d.owner(), d.team(), d.environment(), d.location(),
          fingerprint, null, null, null, null, Map.of("line", Integer.toString(i + 1))));
    }
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    int hash = v.indexOf(" #");
    return hash < 0 ? v : v.substring(0, hash).strip();
  }

  // ---- CSV with a header row

  static void csv(String text, Defaults d, Acc acc) {
    String[] lines = text.split("\r?\n", -1);
    int h = 0;
    while (h < lines.length && lines[h].isBlank()) {
      h++;
    }
    if (h == lines.length) {
      throw new ValidationException("content", "the CSV is empty; the first line must be a header naming the columns");
    }
    List<String> headerCells = splitCsv(lines[h]);
    if (headerCells == null) {
      throw new ValidationException("content", "line " + (h + 1) + ": the CSV header has an unterminated quote");
    }
    List<String> header = new ArrayList<>();
    for (String c : headerCells) {
      header.add(c.strip().toLowerCase(Locale.ROOT));
    }
    for (String c : header) {
      if (VALUE_FIELDS.contains(c)) {
        throw new ValidationException("content", "column '" + c + "' would hold secret values; import names only");
      }
    }
    if (!header.contains("name")) {
      throw new ValidationException("content", "the CSV header must have a 'name' column");
    }
    for (int i = h + 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      List<String> cells = splitCsv(lines[i]);
      if (cells == null || cells.size() != header.size()) {
        acc.errors.add(new LineError(i + 1, "expected " + header.size() + " columns, got "
            + (cells == null ? "an unterminated quote" : Integer.toString(cells.size()))));
        continue;
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        row.put(header.get(c), cells.get(c).strip());
      }
      try {
        acc.add(fromFields(row, d));
      } catch (ValidationException | DateTimeParseException e) {
        acc.errors.add(new LineError(i + 1, e.getMessage()));
      }
    }
  }

  /** One CSV line split into cells (RFC 4180 quoting within the line); null on an unclosed quote. */
  static List<String> splitCsv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (quoted) {
      return null;
    }
    out.add(cur.toString());
    return out;
  }

  /**
   * Moves {@code p} to the start of the list: the top-level array, or the value of the first of
   * {@code fields} in a top-level object. Returns the current token (START_ARRAY when found).
   */
  private static JsonToken toArray(JsonParser p, Set<String> fields) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        t = p.nextToken();
        if (fields.contains(f)) {
          break;
        }
        p.skipChildren();
      }
    }
    return t;
  }

  // ---- CI/CD variables: `gh secret list --json name,updatedAt,visibility`, `gh variable list
  // --json name,value,updatedAt`, or GitLab's GET /projects/:id/variables (key, value, masked, ...)

  /** Names that say they hold a credential, for variables not marked secret by their platform. */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(token|secret|passw(or)?d|passwd|pwd|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth).*");

  static void ciVariables(String text, Defaults d, Fingerprinter fp, Acc acc) {
    try (JsonParser p = JSON.createParser(text)) {
      // {"secrets": [...]} (the GitHub REST API) or {"variables": [...]}
      JsonToken t = toArray(p, Set.of("secrets", "variables"));
      if (t != JsonToken.START_ARRAY) {
        throw new ValidationException("content", "send the JSON array printed by `gh secret list --json name,updatedAt`,"
            + " `gh variable list --json name,value,updatedAt` or GitLab's GET /projects/:id/variables");
      }
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        int line = p.currentTokenLocation().getLineNr();
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          acc.errors.add(new LineError(line, "expected an object with a name (GitHub) or key (GitLab)"));
          continue;
        }
        JsonNode o = p.readValueAsTree();
        String name = o.hasNonNull("name") ? o.get("name").asText() : o.hasNonNull("key") ? o.get("key").asText() : null;
        if (name == null || name.isBlank()) {
          acc.errors.add(new LineError(line, "no name (GitHub) or key (GitLab)"));
          continue;
        }
        boolean hasValue = o.has("value");
        boolean masked = o.path("masked").asBoolean(false) || o.path("hidden").asBoolean(false);
        // a secrets listing never shows values; a variable is a secret if its platform hides it
        // or its name says so. Plain configuration (FEATURE_FLAG=on) is not an NHI: skipped.
        boolean secret = !hasValue || masked || SECRET_NAME.matcher(name).matches();
        if (!secret) {
          acc.skipped++;
          continue;
        }
        String value = hasValue && o.get("value").isValueNode() ? o.get("value").asText() : "";
        Map<String, String> attrs = new TreeMap<>();
        for (String f : new String[] {"variable_type", "protected", "masked", "hidden", "raw", "visibility"}) {
          if (o.hasNonNull(f) && o.get(f).isValueNode()) {
            attrs.put(f, o.get(f).asText());
          }
        }
        String scope = o.path("environment_scope").asText("");
        try {
          String updated = o.hasNonNull("updatedAt") ? o.get("updatedAt").asText()
              : o.hasNonNull("updated_at") ? o.get("updated_at").asText() : null;
          Instant rotated = updated == null || updated.isBlank() ? null : Instant.parse(updated);
          acc.add(new ImportedNhi(src(d, "ci"), "ci-secret", name, d.owner(), d.team(),
              scope.isEmpty() || scope.equals("*") ? d.environment() : scope, d.location(),
              fp == null || value.isEmpty() ? null : fp.fingerprint(value), null, null, rotated, null, attrs));
        } catch (ValidationException | DateTimeParseException e) {
          // the message names a field or a date, never the value
          acc.errors.add(new LineError(line, e instanceof DateTimeParseException
              ? "updatedAt is not an ISO-8601 instant" : e.getMessage()));
        }
      }
    } catch (JsonProcessingException e) {
      acc.errors.add(new LineError(e.getLocation() == null ? 0 : e.getLocation().getLineNr(), malformed(e)));
    } catch (IOException e) {
      throw new ValidationException("content", "cannot read the JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  // ---- JSON: an array of items, or {"items": [...]}

  static void json(String text, Defaults d, Acc acc) {
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken t = toArray(p, Set.of("items"));
      if (t != JsonToken.START_ARRAY) {
        throw new ValidationException("content", "send a JSON array of items, or {\"items\": [...]}");
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        int line = p.currentTokenLocation().getLineNr();
        JsonNode o = p.readValueAsTree();
        Map<String, String> row = new LinkedHashMap<>();
        String refused = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String k = e.getKey().toLowerCase(Locale.ROOT);
          if (k.equals("attributes") && e.getValue().isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> a = e.getValue().fields(); a.hasNext(); ) {
              Map.Entry<String, JsonNode> ae = a.next();
              if (VALUE_FIELDS.contains(ae.getKey().toLowerCase(Locale.ROOT))) {
                refused = "attributes." + ae.getKey();
              }
              row.put("attr:" + ae.getKey(), ae.getValue().asText());
            }
          } else if (VALUE_FIELDS.contains(k)) {
            refused = e.getKey();
          } else if (e.getValue().isValueNode()) {
            row.put(k, e.getValue().asText());
          }
        }
        if (refused != null) {
          acc.errors.add(new LineError(line, "field '" + refused + "' would hold a secret value; import names only"));
          row = null;
        }
        if (row == null) {
          continue;
        }
        try {
          acc.add(fromFields(row, d));
        } catch (ValidationException | DateTimeParseException e) {
          acc.errors.add(new LineError(line, e.getMessage()));
        }
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        acc.errors.add(new LineError(p.currentTokenLocation().getLineNr(), "every item must be a JSON object"));
      }
    } catch (JsonProcessingException e) {
      acc.errors.add(new LineError(e.getLocation() == null ? 0 : e.getLocation().getLineNr(), malformed(e)));
    } catch (IOException e) {
      throw new ValidationException("content", "cannot read the JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static ImportedNhi fromFields(Map<String, String> row, Defaults d) {
    Map<String, String> attrs = new TreeMap<>();
    row.forEach((k, v) -> {
      if (k.startsWith("attr:")) {
        attrs.put(k.substring(5), v);
      } else if (!CSV_FIELDS.contains(k) && !v.isEmpty()) {
        attrs.put(k, v);
      }
    });
    return new ImportedNhi(or(blank(row.get("source")), src(d, "import")), or(blank(row.get("kind")), "static"),
        row.get("name"), or(blank(row.get("owner")), d.owner()), or(blank(row.get("team")), d.team()),
        or(blank(row.get("environment")), d.environment()), or(blank(row.get("location")), d.location()),
        blank(row.get("fingerprint")), instant(row.get("createdat")), instant(row.get("expiresat")),
        instant(row.get("lastrotatedat")), instant(row.get("lastusedat")), attrs);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static Instant instant(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(s.strip());
    } catch (DateTimeParseException e) {
      throw new ValidationException("time", "'" + s + "' is not an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
    }
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ValidationException("content", malformed(e));
    }
  }

  /**
   * Where the JSON broke, without Jackson's own message: that quotes the offending token ("Unrecognized
   * token 'sk_live_…'"), which in an import may be a secret value.
   */
  static String malformed(JsonProcessingException e) {
    return e.getLocation() == null ? "malformed JSON"
        : "malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
