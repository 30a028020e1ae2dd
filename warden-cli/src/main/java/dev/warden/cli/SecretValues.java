package dev.warden.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where the secret commands read a value from: an environment variable, standard input or a file;
 * never the command line, where it would be seen.
 */
final class SecretValues {
  private SecretValues() {}

  /** The value of environment variable {@code var}; refused (exit code 2) when unset or empty. */
  static String fromEnv(String var) {
    String value = System.getenv(var);
    if (value == null || value.isEmpty()) {
      throw new CliException(2, "environment variable " + var + " is not set or empty");
    }
    return value;
  }

  /** The first line of the stream without its line ending; at most {@code max} characters. */
  static String firstLine(InputStream in, int max) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (buf.size() > max * 4) {
        throw new CliException(
            2, "the value on standard input is longer than " + max + " characters");
      }
      buf.write(c);
    }
    String s = buf.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** {@code s} without one trailing line break ({@code \n} or {@code \r\n}), as editors add it. */
  static String withoutTrailingLineBreak(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }
}
