package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AWS IAM credential report: the CSV of {@code aws iam get-credential-report} (its {@code
 * Content}, base64-decoded), or that command's JSON output itself. Every <em>active</em> access key
 * becomes an {@code aws-access-key} (its last rotation is its age, with its last use, region and
 * service) and every active signing certificate an {@code aws-signing-certificate}; the root user's
 * row also becomes an {@code aws-root-account}. Inactive keys are counted as skipped; a user with
 * neither (a person with only a console password) is not an NHI and is skipped too.
 *
 * <p>Only the documented columns are read, by name; any other column (a {@code secret_access_key}
 * someone added) is never read. The report itself holds no secret values.
 */
final class AwsCredentialReportImporter implements Importer {
  static final String ACCESS_KEY = "aws-access-key";
  static final String SIGNING_CERTIFICATE = "aws-signing-certificate";
  static final String ROOT_ACCOUNT = "aws-root-account";
  static final String ROOT_USER = "<root_account>";
  private static final List<String> REQUIRED =
      List.of("user", "arn", "access_key_1_active", "access_key_1_last_rotated");
  private static final String SEND =
      "send the CSV of `aws iam get-credential-report --query Content --output text"
          + " | base64 -d`, or the command's JSON output";

  @Override
  public void read(Input in, ImportRows out) {
    String text = csv(in.text());
    String[] lines = text.split("\r?\n", -1);
    int h = 0;
    while (h < lines.length && lines[h].isBlank()) {
      h++;
    }
    if (h == lines.length) {
      throw new ValidationException("content", "the credential report is empty; " + SEND);
    }
    List<String> cells = CsvImporter.cells(lines[h]);
    if (cells == null) {
      throw new ValidationException(
          "content", "line " + (h + 1) + ": the header has an unterminated quote; " + SEND);
    }
    Map<String, Integer> col = new HashMap<>();
    for (int c = 0; c < cells.size(); c++) {
      col.putIfAbsent(cells.get(c).strip().toLowerCase(Locale.ROOT), c);
    }
    for (String r : REQUIRED) {
      if (!col.containsKey(r)) {
        throw new ValidationException(
            "content",
            "not an AWS credential report: the header has no '" + r + "' column; " + SEND);
      }
    }
    for (int i = h + 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      List<String> row = CsvImporter.cells(lines[i]);
      if (row == null || row.size() != cells.size()) {
        out.error(
            i + 1,
            "expected "
                + cells.size()
                + " columns, got "
                + (row == null ? "an unterminated quote" : Integer.toString(row.size())));
        continue;
      }
      try {
        row(new Row(col, row), in.defaults(), out);
      } catch (ValidationException e) {
        out.error(i + 1, e.getMessage());
      }
    }
  }

  /** The CSV itself, or the base64 {@code Content} of the command's JSON output. */
  private static String csv(String text) {
    String t = text.strip();
    if (!t.startsWith("{")) {
      return text;
    }
    JsonNode o = JsonImports.tree(t);
    String content = CloudImports.text(o, "Content");
    String format = CloudImports.text(o, "ReportFormat");
    if (content == null || format != null && !format.equals("text/csv")) {
      throw new ValidationException("content", "the JSON has no text/csv Content; " + SEND);
    }
    try {
      return new String(Base64.getMimeDecoder().decode(content), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("content", "the report's Content is not base64; " + SEND);
    }
  }

  /** One report row, cells by column name. */
  private record Row(Map<String, Integer> col, List<String> cells) {
    String get(String name) {
      Integer c = col.get(name);
      return c == null ? null : ImportFields.blank(cells.get(c).strip());
    }

    boolean yes(String name) {
      return "true".equalsIgnoreCase(get(name));
    }

    Instant time(String name) {
      return CloudImports.time(name, get(name));
    }
  }

  private static void row(Row r, Importers.Defaults d, ImportRows out) {
    String user = r.get("user");
    if (user == null) {
      throw new ValidationException("user", "the user column is empty");
    }
    String arn = r.get("arn");
    String account = CloudImports.awsAccount(arn);
    String source = ImportFields.source(d, account == null ? "aws" : "aws:" + account);
    boolean root = user.equals(ROOT_USER);
    Map<String, String> common = new TreeMap<>();
    common.put("user", user);
    put(common, "arn", arn);
    put(common, "passwordEnabled", r.get("password_enabled"));
    put(common, "mfaActive", r.get("mfa_active"));
    if (root) {
      common.put("root", "true");
    }
    Instant userCreated = r.time("user_creation_time");
    int found = 0;
    int inactive = 0;
    if (root) {
      Map<String, String> attrs = new TreeMap<>(common);
      put(attrs, "passwordLastUsed", r.get("password_last_used"));
      // its last sign-in stays an attribute: an unused root user is the goal, never "stale, delete
      // it"
      out.add(
          new ImportedNhi(
              source,
              ROOT_ACCOUNT,
              ROOT_USER,
              d.owner(),
              d.team(),
              d.environment(),
              arn,
              null,
              userCreated,
              null,
              null,
              null,
              attrs));
      found++;
    }
    for (int n = 1; n <= 2; n++) {
      String k = "access_key_" + n + "_";
      Instant rotated = r.time(k + "last_rotated");
      if (!r.yes(k + "active")) {
        if (rotated != null) {
          inactive++; // an inactive key: it exists, but cannot sign a request
          out.skip();
        }
        continue;
      }
      Map<String, String> attrs = new TreeMap<>(common);
      attrs.put("slot", "access_key_" + n);
      put(attrs, "lastUsedService", noneToNull(r.get(k + "last_used_service")));
      put(attrs, "lastUsedRegion", noneToNull(r.get(k + "last_used_region")));
      attrs.put("replaceWith", FederationPath.AWS_WEB_IDENTITY.wire());
      Instant lastUsed = r.time(k + "last_used_date");
      if (lastUsed == null) {
        attrs.put("neverUsed", "true");
      }
      // last_rotated is when the key was created or last changed: the key's age
      out.add(
          new ImportedNhi(
              source,
              ACCESS_KEY,
              user + "/access_key_" + n,
              d.owner(),
              d.team(),
              d.environment(),
              arn,
              null,
              rotated,
              null,
              rotated,
              lastUsed,
              attrs));
      found++;
    }
    for (int n = 1; n <= 2; n++) {
      String k = "cert_" + n + "_";
      Instant rotated = r.time(k + "last_rotated");
      if (!r.yes(k + "active")) {
        if (rotated != null) {
          inactive++;
          out.skip();
        }
        continue;
      }
      Map<String, String> attrs = new TreeMap<>(common);
      attrs.put("slot", "cert_" + n);
      out.add(
          new ImportedNhi(
              source,
              SIGNING_CERTIFICATE,
              user + "/cert_" + n,
              d.owner(),
              d.team(),
              d.environment(),
              arn,
              null,
              rotated,
              null,
              rotated,
              null,
              attrs));
      found++;
    }
    if (found == 0 && inactive == 0) {
      out.skip(); // a person with a console password only, or a user with no credential at all
    }
  }

  private static String noneToNull(String s) {
    return s == null || s.equalsIgnoreCase("N/A") ? null : s;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
