package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.util.List;
import java.util.Set;

/**
 * The Redis ACL rules a resource may give its issued users: key, channel and command rules only.
 * Rules that set a user's state or passwords ({@code on}, {@code off}, {@code >pw}, {@code #hash},
 * {@code nopass}, {@code reset}, ...) and selectors are refused: Warden sets state and password
 * itself, and a rule that could open the user without a password must never come from a document.
 */
final class RedisAcl {
  static final int MAX_RULES = 64;
  static final int MAX_RULE_LENGTH = 256;
  private static final Set<String> FLAGS =
      Set.of("allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands");
  private static final Set<String> REFUSED =
      Set.of(
          "on",
          "off",
          "nopass",
          "resetpass",
          "reset",
          "skip-sanitize-payload",
          "sanitize-payload",
          "clearselectors");

  private RedisAcl() {}

  static void check(List<String> rules) {
    String f = "spec.database.acl";
    if (rules.isEmpty()) {
      throw new ValidationException(
          f,
          "is required for redis: the rules of every issued user, e.g."
              + " [\"~cache:*\", \"+@read\", \"+@write\"]");
    }
    if (rules.size() > MAX_RULES) {
      throw new ValidationException(f, "must have at most " + MAX_RULES + " rules");
    }
    for (String r : rules) {
      if (r == null || r.isEmpty() || r.length() > MAX_RULE_LENGTH) {
        throw new ValidationException(
            f, "each rule must be 1 to " + MAX_RULE_LENGTH + " characters");
      }
      for (int i = 0; i < r.length(); i++) {
        char c = r.charAt(i);
        if (c <= ' ' || c == 0x7f) {
          throw new ValidationException(
              f,
              "rule "
                  + (rules.indexOf(r) + 1)
                  + " must not contain spaces or control"
                  + " characters; write one rule per list item");
        }
      }
      String lower = r.toLowerCase(java.util.Locale.ROOT);
      if ("<>#!".indexOf(r.charAt(0)) >= 0) {
        // never echoed: the rule is a password or its hash
        throw new ValidationException(
            f,
            "a rule starting with '"
                + r.charAt(0)
                + "' sets a password, which Warden"
                + " does itself; give only key (~, %R~, %W~), channel (&) and command (+, -) rules");
      }
      if (REFUSED.contains(lower)) {
        throw new ValidationException(
            f,
            "rule '"
                + r
                + "' sets the user's state or password, which Warden does"
                + " itself; give only key (~, %R~, %W~), channel (&) and command (+, -) rules");
      }
      if (r.charAt(0) == '(') {
        throw new ValidationException(
            f, "selectors ('" + r + "') are not supported; give plain rules");
      }
      boolean ok =
          FLAGS.contains(lower)
              || r.charAt(0) == '~'
              || r.charAt(0) == '&'
              || r.charAt(0) == '+'
              || r.charAt(0) == '-'
              || r.matches("%(R|W|RW)~.*");
      if (!ok) {
        throw new ValidationException(
            f,
            "rule '"
                + r
                + "' is not a Redis ACL key, channel or command rule"
                + " (~pattern, %R~pattern, &channel, +command, -command, +@category, allkeys, allcommands, ...)");
      }
    }
  }
}
