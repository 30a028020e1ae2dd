package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Renders a {@code /v1/posture} answer as CSV (RFC 4180) or as one self-contained HTML page. */
final class PostureReports {
  private static final String[] SEVERITIES = {"critical", "high", "medium", "low"};
  private static final Map<String, String> COLORS =
      Map.of("critical", "#8b0000", "high", "#d9480f", "medium", "#f59f00", "low", "#868e96");

  private PostureReports() {}

  static String csv(JsonNode posture) {
    StringBuilder sb =
        new StringBuilder("severity,owasp,ruleId,itemId,subject,evidence,remediation\r\n");
    for (JsonNode f : posture.path("findings")) {
      sb.append(
              String.join(
                  ",",
                  cell(f, "severity"),
                  cell(f, "owasp"),
                  cell(f, "ruleId"),
                  cell(f, "itemId"),
                  cell(f, "subject"),
                  cell(f, "evidence"),
                  cell(f, "remediation")))
          .append("\r\n");
    }
    return sb.toString();
  }

  private static String cell(JsonNode f, String field) {
    String v = f.path(field).asText("");
    // a leading = + - @ would make a spreadsheet evaluate the cell (CSV injection)
    if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
        ? "\"" + v.replace("\"", "\"\"") + "\""
        : v;
  }

  static String html(JsonNode posture) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String s : SEVERITIES) {
      counts.put(s, posture.path("bySeverity").path(s).asInt(0));
    }
    int max = Math.max(1, counts.values().stream().mapToInt(Integer::intValue).max().orElse(1));
    StringBuilder sb = new StringBuilder();
    sb.append(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Warden posture report</title>")
        .append(
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}")
        .append(
            "td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f1f3f5}")
        .append("</style></head><body><h1>Warden posture report</h1>");
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"")
        .append(24 * SEVERITIES.length + 8)
        .append("\" role=\"img\" aria-label=\"findings by severity\">");
    int y = 4;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int w = (int) Math.round(360.0 * e.getValue() / max);
      sb.append("<text x=\"0\" y=\"")
          .append(y + 15)
          .append("\" font-size=\"13\">")
          .append(e.getKey())
          .append("</text>")
          .append("<rect x=\"80\" y=\"")
          .append(y)
          .append("\" width=\"")
          .append(w)
          .append("\" height=\"18\" fill=\"")
          .append(COLORS.get(e.getKey()))
          .append("\"/>")
          .append("<text x=\"")
          .append(86 + w)
          .append("\" y=\"")
          .append(y + 15)
          .append("\" font-size=\"13\">")
          .append(e.getValue())
          .append("</text>");
      y += 24;
    }
    sb.append(
            "</svg><table><tr><th>Severity</th><th>OWASP</th><th>Rule</th><th>Item</th><th>Evidence</th>")
        .append("<th>Remediation</th></tr>");
    for (JsonNode f : posture.path("findings")) {
      sb.append("<tr><td>")
          .append(esc(f.path("severity").asText()))
          .append("</td><td>")
          .append(esc(f.path("owasp").asText()))
          .append("</td><td>")
          .append(esc(f.path("ruleId").asText()))
          .append("</td><td>")
          .append(esc(f.path("itemId").asText()))
          .append("</td><td>")
          .append(esc(f.path("evidence").asText()))
          .append("</td><td>")
          .append(esc(f.path("remediation").asText()))
          .append("</td></tr>");
    }
    sb.append("</table></body></html>\n");
    return sb.toString();
  }

  static String maturityCsv(JsonNode m) {
    StringBuilder sb = new StringBuilder("stage,subject,reason\r\n");
    for (JsonNode x : m.path("subjects")) {
      sb.append(String.join(",", cell(x, "stage"), cell(x, "subject"), cell(x, "reason")))
          .append("\r\n");
    }
    return sb.toString();
  }

  static String maturityHtml(JsonNode m) {
    StringBuilder sb = page("Warden maturity report");
    Map<String, Integer> dist = new LinkedHashMap<>();
    for (int stage = 1; stage <= 7; stage++) {
      dist.put("stage " + stage, m.path("distribution").path(Integer.toString(stage)).asInt(0));
    }
    bars(sb, dist, "#1c7ed6", "subjects by maturity stage");
    sb.append("<table><tr><th>Stage</th><th>Subject</th><th>Reason</th></tr>");
    for (JsonNode x : m.path("subjects")) {
      sb.append("<tr><td>")
          .append(esc(x.path("stage").asText()))
          .append("</td><td>")
          .append(esc(x.path("subject").asText()))
          .append("</td><td>")
          .append(esc(x.path("reason").asText()))
          .append("</td></tr>");
    }
    return sb.append("</table></body></html>\n").toString();
  }

  private static final String[] KPI_FIELDS = {
    "identities",
    "ownerShare",
    "shortLivedShare",
    "meanCredentialLifetime",
    "p95CredentialLifetime",
    "staticSecrets",
    "manualRotations",
    "rotationsOverdue",
    "leaks",
    "meanLeakToRevocation",
    "stale",
    "orphaned"
  };

  /** One row per day of history (or one row for now when {@code history} is null). */
  static String kpiCsv(JsonNode now, @Nullable JsonNode history) {
    StringBuilder sb = new StringBuilder("day," + String.join(",", KPI_FIELDS) + "\r\n");
    if (history == null) {
      sb.append("now");
      for (String f : KPI_FIELDS) {
        sb.append(',').append(cell(now, f));
      }
      return sb.append("\r\n").toString();
    }
    for (JsonNode d : history.path("days")) {
      sb.append(cell(d, "day"));
      for (String f : KPI_FIELDS) {
        sb.append(',').append(cell(d.path("kpi"), f));
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }

  /** The indicators now, and the daily history as charts of the two shares that should rise. */
  static String kpiHtml(JsonNode now, @Nullable JsonNode history) {
    StringBuilder sb = page("Warden NHI indicators");
    sb.append("<table><tr><th>Indicator</th><th>Now</th></tr>");
    for (String f : KPI_FIELDS) {
      sb.append("<tr><td>")
          .append(f)
          .append("</td><td>")
          .append(esc(now.path(f).asText("-")))
          .append("</td></tr>");
    }
    sb.append("</table>");
    if (history != null && history.path("days").size() > 0) {
      for (String f : new String[] {"ownerShare", "shortLivedShare"}) {
        Map<String, Integer> series = new LinkedHashMap<>();
        for (JsonNode d : history.path("days")) {
          series.put(
              d.path("day").asText(), (int) Math.round(100 * d.path("kpi").path(f).asDouble()));
        }
        sb.append("<h2>").append(f).append(" (%) by day</h2>");
        bars(sb, series, "#2f9e44", f + " by day");
      }
    }
    return sb.append("</body></html>\n").toString();
  }

  private static StringBuilder page(String title) {
    return new StringBuilder(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(title)
        .append(
            "</title><style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;")
        .append(
            "width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#f1f3f5}</style></head><body><h1>")
        .append(title)
        .append("</h1>");
  }

  /** A horizontal bar chart as inline SVG: no script, no external reference. */
  private static void bars(
      StringBuilder sb, Map<String, Integer> values, String color, String label) {
    int max = Math.max(1, values.values().stream().mapToInt(Integer::intValue).max().orElse(1));
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"")
        .append(24 * values.size() + 8)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(label))
        .append("\">");
    int y = 4;
    for (Map.Entry<String, Integer> e : values.entrySet()) {
      int w = (int) Math.round(360.0 * e.getValue() / max);
      sb.append("<text x=\"0\" y=\"")
          .append(y + 15)
          .append("\" font-size=\"13\">")
          .append(esc(e.getKey()))
          .append("</text><rect x=\"110\" y=\"")
          .append(y)
          .append("\" width=\"")
          .append(w)
          .append("\" height=\"18\" fill=\"")
          .append(color)
          .append("\"/><text x=\"")
          .append(116 + w)
          .append("\" y=\"")
          .append(y + 15)
          .append("\" font-size=\"13\">")
          .append(e.getValue())
          .append("</text>");
      y += 24;
    }
    sb.append("</svg>");
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
