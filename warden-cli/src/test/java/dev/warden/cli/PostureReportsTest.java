package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PostureReportsTest {
  static final String POSTURE = """
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
}
