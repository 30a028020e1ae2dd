package dev.warden.core.mcp;

/**
 * The MCP tool-name rules (specification 2025-11-25, "Tool names"; SEP-986): 1 to 128 characters,
 * ASCII letters, digits, underscore, hyphen and dot. The specification says SHOULD; the gateway
 * makes it a MUST, because a policy names tools by exact string and a look-alike (a Cyrillic {@code
 * а}, a zero-width space, a trailing newline) must never slip past a rule written for another.
 */
public final class ToolNames {
  public static final int MAX_LENGTH = 128;

  private ToolNames() {}

  /** What is wrong with {@code name}, or null when it is a valid tool name. */
  public static String problem(String name) {
    if (name.isEmpty()) {
      return "a tool name is 1 to " + MAX_LENGTH + " characters; it is empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "a tool name is at most " + MAX_LENGTH + " characters; it has " + name.length();
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '_'
          || c == '-'
          || c == '.')) {
        return "a tool name has only ASCII letters, digits, '_', '-' and '.'; character "
            + (i + 1)
            + " is "
            + describe(c);
      }
    }
    return null;
  }

  /**
   * A name as it may be written to the audit log or an error message: printable ASCII kept,
   * anything else as {@code \\uXXXX}, cut to {@value #MAX_LENGTH} characters, so a hostile name can
   * neither forge log lines nor hide what it was.
   */
  public static String printable(String name) {
    StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_LENGTH) + 8);
    for (int i = 0; i < name.length() && sb.length() < MAX_LENGTH; i++) {
      char c = name.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    if (sb.length() >= MAX_LENGTH && name.length() > 0) {
      sb.setLength(MAX_LENGTH);
      sb.append("...");
    }
    return sb.toString();
  }

  private static String describe(char c) {
    return c >= 0x20 && c < 0x7f
        ? "'" + c + "'"
        : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
  }
}
