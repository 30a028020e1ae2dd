package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --dry-run} and {@code --window} of the commands that take access away (retire, depart,
 * revoke), and the human form of the server's impact report.
 */
final class ImpactReport {
  @Option(
      names = "--dry-run",
      description =
          "change nothing: show what would be revoked, deleted and changed, who"
              + " used it in the window and who would lose access (exit code 0)")
  boolean dryRun;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      defaultValue = "30d",
      description =
          "with --dry-run: how far back to read usage from the audit log (default ${DEFAULT-VALUE})")
  String window;

  /** Adds the dry-run fields to a request body. */
  void into(ObjectNode body) {
    if (dryRun) {
      body.put("dryRun", true);
      body.put("window", window);
    }
  }

  /** Prints a dry run's report for people. */
  static void print(PrintWriter out, JsonNode r, String headline) {
    out.println("DRY RUN, nothing was changed. " + headline);
    for (JsonNode w : r.path("workloadChanges")) {
      String owner = w.path("owner").asText("");
      String ownerAfter = w.path("ownerAfter").asText(owner);
      out.println(
          "  workload "
              + w.path("workload").asText()
              + ": "
              + w.path("state").asText()
              + " -> "
              + w.path("stateAfter").asText()
              + (owner.equals(ownerAfter) ? "" : ", owner " + owner + " -> " + ownerAfter));
    }
    JsonNode leases = r.path("leases");
    StringBuilder kinds = new StringBuilder();
    r.path("leasesByKind")
        .fields()
        .forEachRemaining(
            e ->
                kinds
                    .append(kinds.isEmpty() ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue().asInt()));
    out.println(
        "  revoke "
            + leases.size()
            + " live credential(s)"
            + (kinds.isEmpty() ? "" : ": " + kinds));
    if (!leases.isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"LEASE", "KIND", "WORKLOAD", "RESOURCE", "EXPIRES", "TARGET"});
      for (JsonNode l : leases) {
        rows.add(
            new String[] {
              l.path("id").asText(),
              l.path("kind").asText(),
              l.path("workload").asText("-"),
              l.path("resource").asText("-"),
              l.path("expiresAt").asText(),
              l.path("target").asText("-")
            });
      }
      table(out, "    ", rows);
    }
    r.path("disabledPolicies")
        .forEach(
            p -> out.println("  delete policy " + p.asText() + " (it names only this workload)"));
    r.path("keptPolicies")
        .forEach(
            p ->
                out.println(
                    "  keep policy "
                        + p.asText()
                        + " (it covers only this workload today through a pattern or selector; review it)"));
    r.path("imported").forEach(i -> out.println("  hand over imported " + i.asText()));
    JsonNode consumers = r.path("consumers");
    out.println(
        "Used in the last "
            + r.path("window").asText()
            + " (since "
            + r.path("since").asText()
            + "): "
            + consumers.size()
            + " workload/resource pair(s)");
    if (!consumers.isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"WORKLOAD", "RESOURCE", "KINDS", "USES", "LAST USED", "AFTER"});
      for (JsonNode c : consumers) {
        List<String> k = new ArrayList<>();
        c.path("credentialKinds").forEach(x -> k.add(x.asText()));
        String access = c.path("access").asText();
        String after =
            access.equals("keeps")
                ? "keeps (policy " + c.path("policy").asText() + ")"
                : access.toUpperCase(Locale.ROOT).replace('_', ' ')
                    + " ("
                    + c.path("reason").asText()
                    + ")";
        rows.add(
            new String[] {
              c.path("workload").asText(),
              c.path("resource").asText(),
              String.join(",", k),
              Long.toString(c.path("count").asLong()),
              c.path("lastUsed").asText("-"),
              after
            });
      }
      table(out, "  ", rows);
    }
    int losing = r.path("loseAccess").size();
    out.println(
        losing == 0
            ? "Nobody loses access."
            : losing + " workload/resource pair(s) will lose access.");
  }

  /** Columns padded to their widest cell; the last column is not padded. */
  private static void table(PrintWriter out, String indent, List<String[]> rows) {
    int n = rows.get(0).length;
    int[] width = new int[n];
    for (String[] row : rows) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder sb = new StringBuilder(indent);
      for (int i = 0; i < n; i++) {
        sb.append(
            i == n - 1 ? row[i] : String.format(Locale.ROOT, "%-" + width[i] + "s  ", row[i]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
