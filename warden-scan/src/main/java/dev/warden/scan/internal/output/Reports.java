package dev.warden.scan.internal.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.scan.RuleInfo;
import dev.warden.scan.ScanProblem;
import dev.warden.scan.ScanResult;
import dev.warden.scan.ScanStats;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ScanResult}. The secret's value appears only when {@code showSecrets} is set;
 * otherwise its redacted form, so reports can be stored as CI artefacts.
 */
public final class Reports {
  public static final String TOOL = "warden-scan";
  public static final String INFO_URI =
      "https://github.com/warden-dev/warden/blob/main/docs/scan.md";

  private Reports() {}

  /** Human-readable report. */
  public static String text(ScanResult r, boolean showSecrets, String version) {
    StringBuilder sb = new StringBuilder();
    for (SecretFinding f : r.findings()) {
      sb.append(f.path())
          .append(':')
          .append(f.line())
          .append(':')
          .append(f.column())
          .append("  ")
          .append(f.ruleId())
          .append("  [")
          .append(f.severity().label())
          .append(", ")
          .append(f.confidence().label())
          .append(" confidence]\n");
      sb.append("    ").append(f.description()).append('\n');
      sb.append("    secret:      ")
          .append(showSecrets ? f.secret().reveal() : f.secret().redacted())
          .append('\n');
      sb.append("    fingerprint: ")
          .append(f.fingerprint())
          .append("  entropy ")
          .append(String.format(Locale.ROOT, "%.2f", f.entropy()))
          .append('\n');
      if (f.verification() != null) {
        sb.append("    verified:    ")
            .append(
                switch (f.verification().status()) {
                  case TRUE -> "LIVE";
                  case FALSE -> "no (not working)";
                  case UNKNOWN -> "unknown";
                })
            .append("  ")
            .append(f.verification().detail())
            .append('\n');
      }
      if (f.commit() != null) {
        sb.append("    commit:      ")
            .append(f.commit(), 0, Math.min(12, f.commit().length()))
            .append("  ")
            .append(f.author() == null ? "" : f.author())
            .append("  ")
            .append(f.date() == null ? "" : f.date())
            .append('\n');
      }
      sb.append('\n');
    }
    ScanStats s = r.stats();
    sb.append(r.findings().size()).append(r.findings().size() == 1 ? " finding" : " findings");
    if (s.commits() > 0) {
      sb.append(" in ").append(s.commits()).append(" commits");
    }
    sb.append(
        String.format(
            Locale.ROOT,
            " (%d files, %s scanned in %.1f s; skipped %d binary, %d too large, %d other; %d suppressed)",
            s.files(),
            human(s.bytes()),
            s.millis() / 1000.0,
            s.skippedBinary(),
            s.skippedLarge(),
            s.skippedOther(),
            s.suppressed()));
    sb.append('\n');
    return sb.toString();
  }

  /**
   * {@code verified}: {@code true}, {@code false} or {@code "unknown"} (mixed types on purpose, so
   * {@code .verified == true} selects the live ones), and {@code verification} with how it was
   * decided when {@code --verify} checked it.
   */
  private static void verified(ObjectNode o, SecretFinding f) {
    switch (f.verifiedStatus()) {
      case TRUE -> o.put("verified", true);
      case FALSE -> o.put("verified", false);
      case UNKNOWN -> o.put("verified", "unknown");
    }
    if (f.verification() != null) {
      o.put("verification", f.verification().detail());
    }
  }

  /** Problems, one per line, for standard error. */
  public static String problems(List<ScanProblem> problems) {
    StringBuilder sb = new StringBuilder();
    for (ScanProblem p : problems) {
      sb.append(p.fatal() ? "error: " : "warning: ").append(p.message()).append('\n');
    }
    return sb.toString();
  }

  /** JSON report: {@code {"version":1,"findings":[...],"problems":[...],"stats":{...}}}. */
  public static String json(ScanResult r, boolean showSecrets) {
    ObjectMapper om = mapper();
    ObjectNode root = om.createObjectNode();
    root.put("version", 1);
    root.put("tool", TOOL);
    ArrayNode fs = root.putArray("findings");
    for (SecretFinding f : r.findings()) {
      ObjectNode o = fs.addObject();
      o.put("ruleId", f.ruleId());
      o.put("description", f.description());
      o.put("severity", f.severity().label());
      o.put("confidence", f.confidence().label());
      o.put("path", f.path());
      o.put("line", f.line());
      o.put("column", f.column());
      o.put("secret", showSecrets ? f.secret().reveal() : f.secret().redacted());
      o.put("fingerprint", f.fingerprint());
      o.put("entropy", f.entropy());
      o.put("commit", f.commit());
      o.put("author", f.author());
      o.put("date", f.date());
      verified(o, f);
    }
    ArrayNode ps = root.putArray("problems");
    for (ScanProblem p : r.problems()) {
      ObjectNode o = ps.addObject();
      o.put("path", p.path());
      o.put("kind", p.kind());
      o.put("message", p.message());
      o.put("fatal", p.fatal());
    }
    ScanStats s = r.stats();
    ObjectNode st = root.putObject("stats");
    st.put("files", s.files());
    st.put("bytes", s.bytes());
    st.put("commits", s.commits());
    st.put("skippedBinary", s.skippedBinary());
    st.put("skippedLarge", s.skippedLarge());
    st.put("skippedOther", s.skippedOther());
    st.put("suppressed", s.suppressed());
    st.put("millis", s.millis());
    return write(om, root);
  }

  /**
   * SARIF 2.1.0 log with one run. Results carry the fingerprint as a partial fingerprint (so code
   * scanning platforms track a secret across line moves) and never the secret unless asked.
   */
  public static String sarif(
      ScanResult r, List<RuleInfo> rules, boolean showSecrets, String version) {
    ObjectMapper om = mapper();
    ObjectNode root = om.createObjectNode();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", TOOL);
    driver.put("version", version);
    driver.put("informationUri", INFO_URI);
    ArrayNode rs = driver.putArray("rules");
    Map<String, Integer> index = new LinkedHashMap<>();
    for (RuleInfo ri : rules) {
      index.put(ri.id(), index.size());
      ObjectNode o = rs.addObject();
      o.put("id", ri.id());
      o.put("name", camel(ri.id()));
      o.putObject("shortDescription").put("text", ri.description());
      o.putObject("fullDescription")
          .put("text", ri.description() + " hardcoded in a file or commit.");
      o.putObject("help")
          .put(
              "text",
              "Revoke and rotate this credential, then remove it from the code. "
                  + "If it must stay (a test fixture), add a warden:ignore comment or a baseline entry.");
      o.putObject("defaultConfiguration").put("level", level(ri.severity()));
      ObjectNode props = o.putObject("properties");
      props.putArray("tags").add("security").add("secret");
      props.put("security-severity", securitySeverity(ri.severity()));
    }
    ArrayNode results = run.putArray("results");
    for (SecretFinding f : r.findings()) {
      ObjectNode o = results.addObject();
      o.put("ruleId", f.ruleId());
      Integer idx = index.get(f.ruleId());
      if (idx != null) {
        o.put("ruleIndex", idx);
      }
      o.put("level", level(f.severity()));
      o.putObject("message")
          .put(
              "text",
              f.description()
                  + " ("
                  + (showSecrets ? f.secret().reveal() : f.secret().redacted())
                  + ")"
                  + (f.commit() != null ? " introduced in commit " + f.commit() : ""));
      ObjectNode loc = o.putArray("locations").addObject().putObject("physicalLocation");
      loc.putObject("artifactLocation").put("uri", uri(f.path()));
      ObjectNode region = loc.putObject("region");
      region.put("startLine", f.line());
      region.put("startColumn", f.column());
      o.putObject("partialFingerprints").put("wardenSecretHmac/v1", f.fingerprint());
      ObjectNode props = o.putObject("properties");
      props.put("confidence", f.confidence().label());
      props.put("entropy", f.entropy());
      verified(props, f);
      if (f.commit() != null) {
        props.put("commit", f.commit());
        props.put("author", f.author());
        props.put("date", f.date());
      }
    }
    ObjectNode inv = run.putArray("invocations").addObject();
    inv.put("executionSuccessful", !r.incomplete());
    ArrayNode notes = inv.putArray("toolExecutionNotifications");
    for (ScanProblem p : r.problems()) {
      ObjectNode n = notes.addObject();
      n.put("level", p.fatal() ? "error" : "warning");
      n.putObject("message").put("text", p.message());
      n.putObject("descriptor").put("id", p.kind());
    }
    run.putObject("properties")
        .put("filesScanned", r.stats().files())
        .put("bytesScanned", r.stats().bytes());
    return write(om, root);
  }

  static String uri(String path) {
    StringBuilder sb = new StringBuilder();
    for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~/".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }

  static String level(Severity s) {
    return switch (s) {
      case CRITICAL, HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW -> "note";
    };
  }

  private static String securitySeverity(Severity s) {
    return switch (s) {
      case CRITICAL -> "9.5";
      case HIGH -> "8.0";
      case MEDIUM -> "5.5";
      case LOW -> "3.0";
    };
  }

  private static String camel(String id) {
    StringBuilder sb = new StringBuilder();
    for (String part : id.split("-")) {
      if (!part.isEmpty()) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return sb.toString();
  }

  public static String human(long bytes) {
    return dev.warden.scan.internal.source.TreeScanner.human(bytes);
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static String write(ObjectMapper om, ObjectNode root) {
    try {
      return om.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
