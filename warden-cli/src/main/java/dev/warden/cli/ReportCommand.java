package dev.warden.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Posture findings and maturity reports.",
    subcommands = {
      ReportCommand.Posture.class,
      ReportCommand.MaturityReport.class,
      ReportCommand.KpiReport.class
    })
final class ReportCommand extends GroupCommand {
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  enum Format {
    text,
    json,
    csv,
    html
  }

  @Command(
      name = "posture",
      mixinStandardHelpOptions = true,
      description =
          "Posture findings (OWASP NHI Top 10), current as of every change. Exit code 1 when there are"
              + " findings.",
      footer = {
        "",
        "Examples:",
        "  warden report posture",
        "  warden report posture --severity critical -o json",
        "  warden report posture --limit 50          (the 50 most severe; counts still cover every finding)",
        "  warden report posture -o html > posture.html"
      })
  static final class Posture implements Callable<Integer> {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default), json, csv or html")
    Format format = Format.text;

    @Option(names = "--severity", description = "only this severity: low, medium, high, critical")
    @Nullable String severity;

    @Option(names = "--rule", description = "only this rule id or OWASP id (e.g. NHI7)")
    @Nullable String rule;

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "at most N findings, most severe first (default: all)")
    @Nullable Integer limit;

    @Mixin Connection connection;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      StringBuilder q = new StringBuilder("/v1/posture?x=1");
      InventoryCommand.param(q, "severity", severity);
      InventoryCommand.param(q, "rule", rule);
      InventoryCommand.param(q, "limit", limit == null ? null : limit.toString());
      JsonNode r = connection.client().get(q.toString());
      PrintWriter out = spec.commandLine().getOut();
      switch (format) {
        case json -> out.println(pretty(r));
        case csv -> out.print(PostureReports.csv(r));
        case html -> out.print(PostureReports.html(r));
        case text -> {
          for (JsonNode f : r.path("findings")) {
            out.printf(
                java.util.Locale.ROOT,
                "%-8s %-6s %-40s %s%n    %s%n    fix: %s%n",
                f.path("severity").asText().toUpperCase(java.util.Locale.ROOT),
                f.path("owasp").asText(),
                f.path("ruleId").asText(),
                f.path("itemId").asText(),
                f.path("evidence").asText(),
                f.path("remediation").asText());
          }
          int total = r.path("total").asInt(r.path("findings").size());
          out.println(
              (total > r.path("findings").size() ? r.path("findings").size() + " of " : "")
                  + total
                  + " finding(s) "
                  + r.path("bySeverity"));
        }
      }
      return r.path("total").asInt(r.path("findings").size()) == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "maturity",
      mixinStandardHelpOptions = true,
      description =
          "Maturity stage 1-7 of each workload and unmanaged credential, and the distribution.")
  static final class MaturityReport implements Callable<Integer> {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default), json, csv or html")
    Format format = Format.text;

    @Mixin Connection connection;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/report/maturity");
      PrintWriter out = spec.commandLine().getOut();
      switch (format) {
        case json -> {
          out.println(pretty(r));
          return 0;
        }
        case csv -> {
          out.print(PostureReports.maturityCsv(r));
          return 0;
        }
        case html -> {
          out.print(PostureReports.maturityHtml(r));
          return 0;
        }
        default -> {}
      }
      int total = 0;
      for (var it = r.path("distribution").fields(); it.hasNext(); ) {
        total += it.next().getValue().asInt();
      }
      for (var it = r.path("distribution").fields(); it.hasNext(); ) {
        var e = it.next();
        int n = e.getValue().asInt();
        out.printf(
            java.util.Locale.ROOT,
            "stage %s  %-40s %d%n",
            e.getKey(),
            "#".repeat(total == 0 ? 0 : (int) Math.round(40.0 * n / total)),
            n);
      }
      out.println();
      for (JsonNode s : r.path("subjects")) {
        out.printf(
            java.util.Locale.ROOT,
            "%d  %-56s %s%n",
            s.path("stage").asInt(),
            s.path("subject").asText(),
            s.path("reason").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "kpi",
      mixinStandardHelpOptions = true,
      description =
          "Governance indicators: ownership, short-lived share, credential lifetimes, static secrets, leaks.")
  static final class KpiReport implements Callable<Integer> {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description =
            "text (default), json, csv (one row per day with --history) or html (with charts of the history)")
    Format format = Format.text;

    @Mixin Connection connection;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--history",
        paramLabel = "DAYS",
        arity = "0..1",
        fallbackValue = "30",
        description = "the daily snapshots of the last DAYS days (default 30) instead of now")
    @Nullable Integer history;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (format == Format.csv || format == Format.html) {
        JsonNode now = connection.client().get("/v1/report/kpi");
        JsonNode h =
            history == null && format == Format.csv
                ? null
                : connection
                    .client()
                    .get("/v1/report/kpi/history?days=" + (history == null ? 30 : history));
        out.print(
            format == Format.csv ? PostureReports.kpiCsv(now, h) : PostureReports.kpiHtml(now, h));
        return 0;
      }
      if (history != null) {
        JsonNode h = connection.client().get("/v1/report/kpi/history?days=" + history);
        if (format != Format.text) {
          out.println(pretty(h));
          return 0;
        }
        out.printf(
            java.util.Locale.ROOT,
            "%-10s %10s %7s %11s %8s %6s %6s %8s%n",
            "DAY",
            "IDENTITIES",
            "OWNED",
            "SHORT-LIVED",
            "STATIC",
            "LEAKS",
            "STALE",
            "ORPHANED");
        for (JsonNode d : h.path("days")) {
          JsonNode k = d.path("kpi");
          out.printf(
              java.util.Locale.ROOT,
              "%-10s %10d %6.1f%% %10.1f%% %8d %6d %6d %8d%n",
              d.path("day").asText(),
              k.path("identities").asInt(),
              100 * k.path("ownerShare").asDouble(),
              100 * k.path("shortLivedShare").asDouble(),
              k.path("staticSecrets").asInt(),
              k.path("leaks").asInt(),
              k.path("stale").asInt(),
              k.path("orphaned").asInt());
        }
        return 0;
      }
      JsonNode r = connection.client().get("/v1/report/kpi");
      if (format != Format.text) {
        out.println(pretty(r));
        return 0;
      }
      out.printf(
          java.util.Locale.ROOT,
          "identities                     %d%n",
          r.path("identities").asInt());
      out.printf(
          java.util.Locale.ROOT,
          "with an owner                  %.1f %%%n",
          100 * r.path("ownerShare").asDouble());
      out.printf(
          java.util.Locale.ROOT,
          "access through short-lived     %.1f %%%n",
          100 * r.path("shortLivedShare").asDouble());
      out.printf(
          java.util.Locale.ROOT,
          "credential lifetime mean / p95 %s / %s (%d sampled)%n",
          r.path("meanCredentialLifetime").asText("-"),
          r.path("p95CredentialLifetime").asText("-"),
          r.path("credentialsSampled").asInt());
      out.printf(
          java.util.Locale.ROOT,
          "static secrets                 %d%n",
          r.path("staticSecrets").asInt());
      out.printf(
          java.util.Locale.ROOT,
          "manual rotations (30 d) / due  %d / %d%n",
          r.path("manualRotations").asInt(),
          r.path("rotationsOverdue").asInt());
      out.printf(
          java.util.Locale.ROOT,
          "leaks / mean report->revoked   %d / %s%n",
          r.path("leaks").asInt(),
          r.path("meanLeakToRevocation").asText("-"));
      out.printf(
          java.util.Locale.ROOT,
          "stale / orphaned               %d / %d%n",
          r.path("stale").asInt(),
          r.path("orphaned").asInt());
      return 0;
    }
  }

  static String pretty(JsonNode n) {
    try {
      return PRETTY.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new CliException(2, e.getMessage());
    }
  }
}
