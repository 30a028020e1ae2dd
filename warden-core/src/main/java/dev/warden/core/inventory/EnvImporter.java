package dev.warden.core.inventory;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A .env file, or a plain list of variable names: one item per {@code NAME=value} or bare {@code
 * NAME}. A value is kept only as its fingerprint, and a line that is neither form is reported by
 * number without being echoed (it may hold a value).
 */
final class EnvImporter implements Importer {
  private static final Pattern ENV_LINE =
      Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=(.*)$");
  private static final Pattern BARE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  @Override
  public void read(Input in, ImportRows out) {
    Importers.Defaults d = in.defaults();
    String[] lines = in.text().split("\r?\n", -1);
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
      } else if (BARE_NAME.matcher(l).matches()) {
        name = l; // a bare name, as in a list of CI variable names
        value = "";
      } else {
        // never echo the line: it may hold a value
        out.error(i + 1, "not NAME=value or NAME");
        continue;
      }
      String fingerprint =
          in.fingerprinter() == null || value.isEmpty()
              ? null
              : in.fingerprinter().fingerprint(value);
      out.add(
          new ImportedNhi(
              ImportFields.source(d, "env"),
              "env-var",
              name,
              d.owner(),
              d.team(),
              d.environment(),
              d.location(),
              fingerprint,
              null,
              null,
              null,
              null,
              Map.of("line", Integer.toString(i + 1))));
    }
  }

  /** The value without its quotes, or without a trailing {@code # comment} when unquoted. */
  static String unquote(String v) {
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    int hash = v.indexOf(" #");
    return hash < 0 ? v : v.substring(0, hash).strip();
  }
}
