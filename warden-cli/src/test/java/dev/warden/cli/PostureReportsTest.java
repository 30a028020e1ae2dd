package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PostureReportsTest {
  static final String POSTURE =
      """
      {"findings": [{"severity": "high", "owasp": "NHI7", "ruleId": "r", "itemId": "imp-1", "subject": "=cmd|' /C calc'!A0",
        "evidence": "a, \\"quoted\\" <b>", "remediation": "x"}], "bySeverity": {"high": 1}}
      """;

  @Test
  void csvQuotesAndDefusesFormulaCells() throws Exception {
    String csv = PostureReports.csv(new ObjectMapper().readTree(POSTURE));
    assertThat(csv).contains("'=cmd").contains("\"a, \"\"quoted\"\" <b>\"");
  }

  @Test
  void htmlEscapesEverythingAndDrawsBars() throws Exception {
    String html = PostureReports.html(new ObjectMapper().readTree(POSTURE));
    assertThat(html).contains("&lt;b&gt;").doesNotContain("<b>").contains("<rect");
  }

  @Test
  void maturityReportsListEverySubjectAndChartTheDistribution() throws Exception {
    var m =
        new ObjectMapper()
            .readTree(
                """
        {"distribution": {"2": 1, "7": 3}, "subjects": [{"stage": 2, "subject": "<script>", "reason": "in code"}]}
        """);
    assertThat(PostureReports.maturityCsv(m)).contains("2,<script>,in code");
    String html = PostureReports.maturityHtml(m);
    assertThat(html)
        .contains("&lt;script&gt;")
        .doesNotContain("<script>")
        .contains("stage 7")
        .contains("<rect");
  }

  @Test
  void kpiReportsHaveOneCsvRowPerDayAndChartTheShares() throws Exception {
    var now =
        new ObjectMapper()
            .readTree("{\"identities\": 4, \"ownerShare\": 0.5, \"shortLivedShare\": 0.25}");
    var history =
        new ObjectMapper()
            .readTree(
                """
        {"days": [{"day": "2026-11-22", "kpi": {"identities": 3, "ownerShare": 0.33}},
                  {"day": "2026-11-23", "kpi": {"identities": 4, "ownerShare": 0.5}}]}
        """);
    String csv = PostureReports.kpiCsv(now, history);
    assertThat(csv.split("\r\n")).hasSize(3);
    assertThat(csv).contains("2026-11-23,4,0.5");
    assertThat(PostureReports.kpiCsv(now, null)).contains("now,4,0.5,0.25");
    String html = PostureReports.kpiHtml(now, history);
    assertThat(html).contains("ownerShare (%) by day").contains("2026-11-22").contains("<rect");
  }
}
