package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a {@code /v1/posture} answer as CSV (RFC 4180) or as one self-contained HTML page. */
final class PostureReports {
  private static final String[] SEVERITIES = {"critical", "high", "medium", "low"};
  private static final Map<String, String> COLORS = Map.of("critical", "#8b0000", "high", "#d9480f", "medium", "#f59f00",
      "low", "#868e96");

  private PostureReports() {}

  static String csv(JsonNode posture) {
    StringBuilder sb = new StringBuilder("severity,owasp,ruleId,itemId,subject,evidence,remediation\r\n");
    for (JsonNode f : posture.path("findings")) {
      sb.append(String.join(",", cell(f, "severity"), cell(f, "owasp"), cell(f, "ruleId"), cell(f, "itemId"),
          cell(f, "subject"), cell(f, "evidence"), cell(f, "remediation"))).append("\r\n");
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
        ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  static String html(JsonNode posture) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String s : SEVERITIES) {
      counts.put(s, posture.path("bySeverity").path(s).asInt(0));
    }
    int max = Math.max(1, counts.values().stream().mapToInt(Integer::intValue).max().orElse(1));
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Warden posture report</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}")
        .append("td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f1f3f5}")
        .append("</style></head><body><h1>Warden posture report</h1>");
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"").append(24 * SEVERITIES.length + 8)
        .append("\" role=\"img\" aria-label=\"findings by severity\">");
    int y = 4;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int w = (int) Math.round(360.0 * e.getValue() / max);
      sb.append("<text x=\"0\" y=\"").append(y + 15).append("\" font-size=\"13\">").append(e.getKey()).append("</text>")
          .append("<rect x=\"80\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"18\" fill=\"")
          .append(COLORS.get(e.getKey())).append("\"/>")
          .append("<text x=\"").append(86 + w).append("\" y=\"").append(y + 15).append("\" font-size=\"13\">")
          .append(e.getValue()).append("</text>");
      y += 24;
    }
    sb.append("</svg><table><tr><th>Severity</th><th>OWASP</th><th>Rule</th><th>Item</th><th>Evidence</th>")
        .append("<th>Remediation</th></tr>");
    for (JsonNode f : posture.path("findings")) {
      sb.append("<tr><td>").append(esc(f.path("severity").asText())).append("</td><td>").append(esc(f.path("owasp").asText()))
          .append("</td><td>").append(esc(f.path("ruleId").asText())).append("</td><td>").append(esc(f.path("itemId").asText()))
          .append("</td><td>").append(esc(f.path("evidence").asText())).append("</td><td>")
          .append(esc(f.path("remediation").asText())).append("</td></tr>");
    }
    sb.append("</table></body></html>\n");
    return sb.toString();
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
