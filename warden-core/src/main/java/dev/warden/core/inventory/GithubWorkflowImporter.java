package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitHub Actions workflow: the workflow itself (its permissions, and whether it may mint an OIDC
 * token) and each {@code secrets.NAME} it references, with the line of its first use. The YAML is
 * read by the caller (core has no YAML parser); the references are found in the text, since a tree
 * no longer knows its lines.
 */
final class GithubWorkflowImporter implements Importer {
  private static final Pattern SECRET_REF = Pattern.compile("secrets\\.([A-Za-z_][A-Za-z0-9_]*)");

  @Override
  public void read(Input in, ImportRows out) {
    JsonNode tree = in.workflowTree();
    Importers.Defaults d = in.defaults();
    if (tree == null || !tree.isObject()) {
      throw new ValidationException("content", "a GitHub Actions workflow must be a YAML mapping");
    }
    String source = ImportFields.source(d, "github");
    String name = d.location() != null ? d.location() : tree.path("name").asText("workflow");
    Set<String> secrets = new TreeSet<>();
    String[] lines = in.text().split("\n", -1);
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
    for (Map.Entry<String, JsonNode> job : tree.path("jobs").properties()) {
      collectPermissions(job.getValue().path("permissions"), job.getKey() + ".", perms);
    }
    boolean oidc =
        perms.entrySet().stream()
                .anyMatch(e -> e.getKey().endsWith("id-token") && e.getValue().equals("write"))
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
    out.add(
        new ImportedNhi(
            source,
            "github-workflow",
            name,
            d.owner(),
            d.team(),
            d.environment(),
            d.location(),
            null,
            null,
            null,
            null,
            null,
            attrs));
    for (String s : secrets) {
      out.add(
          new ImportedNhi(
              source,
              "ci-secret",
              s,
              d.owner(),
              d.team(),
              d.environment(),
              d.location(),
              null,
              null,
              null,
              null,
              null,
              Map.of("usedBy", name, "line", Integer.toString(firstLine.get(s)))));
    }
  }

  private static void collectPermissions(JsonNode p, String prefix, Map<String, String> out) {
    if (p.isTextual()) {
      out.put(prefix + "*", p.asText());
    } else if (p.isObject()) {
      p.properties().forEach(e -> out.put(prefix + e.getKey(), e.getValue().asText()));
    }
  }
}
