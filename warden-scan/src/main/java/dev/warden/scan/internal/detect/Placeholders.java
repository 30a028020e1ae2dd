package dev.warden.scan.internal.detect;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Values that have a secret's shape but are documentation, templates or test fixtures. Every rule
 * runs these filters; generic rules also run {@link #isWeakGenericValue(String)}.
 */
public final class Placeholders {
  private Placeholders() {}

  /** Example credentials published in providers' own documentation. */
  private static final Set<String> DOCUMENTED_EXAMPLES =
      Set.of(
          "AKIAIOSFODNN7EXAMPLE",
          "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "AKIAI44QH8DHBEXAMPLE",
          "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
          "ASIAIOSFODNN7EXAMPLE",
          "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
          "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
          "rk_test_51HxZmQExAmPlE",
          "gho_16C7e42F292c6912E7710c838347Ae178B4a",
          "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
          "xoxb-not-a-real-token-this-will-not-work",
          "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");

  /** Words that, anywhere in a value, mark it as a stand-in. */
  private static final List<String> MARKERS =
      List.of(
          "example",
          "xxxxx",
          "*****",
          "changeme",
          "change_me",
          "change-me",
          "replace_me",
          "replaceme",
          "your_",
          "your-",
          "yourtoken",
          "yourkey",
          "yoursecret",
          "yourpassword",
          "placeholder",
          "redacted",
          "dummy",
          "<",
          ">",
          "${",
          "{{",
          "}}",
          "$(",
          "%(",
          "...",
          "\u2026",
          "insert_",
          "put_your",
          "notreal",
          "not_real",
          "not-a-real",
          "fake_",
          "_fake",
          "-fake",
          "fake-",
          "sample_",
          "mytoken",
          "mysecret",
          "mypassword",
          "secret_here",
          "token_here",
          "key_here");

  private static final Pattern REPEATED = Pattern.compile("(.)\\1{7,}");
  private static final Pattern SEQUENTIAL =
      Pattern.compile("(?i).*(0123456789|123456789|abcdefghij|qwertyuiop|ABCDEFGHIJ).*");

  /** True when the value is a documented example, a template or obviously fake. */
  public static boolean isPlaceholder(String value) {
    return hasMarker(value)
        || REPEATED.matcher(value).find()
        || SEQUENTIAL.matcher(value).matches();
  }

  /**
   * True when the value is a documented example or contains a stand-in marker; unlike {@link
   * #isPlaceholder(String)} it accepts long runs, which key material legitimately has.
   */
  public static boolean hasMarker(String value) {
    if (DOCUMENTED_EXAMPLES.contains(value)) {
      return true;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    for (String m : MARKERS) {
      if (lower.contains(m)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when the value contains a stand-in word ({@code changeme}, {@code example}, {@code put
   * your unique phrase here}) or a run of one character; punctuation markers are not checked,
   * because generated keys (Django, WordPress) legitimately contain {@code <}, {@code $(}.
   */
  public static boolean hasWordMarker(String value) {
    if (DOCUMENTED_EXAMPLES.contains(value) || REPEATED.matcher(value).find()) {
      return true;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    for (String m : MARKERS) {
      if (Character.isLetter(m.charAt(0)) || m.charAt(0) == '_') {
        if (lower.contains(m)) {
          return true;
        }
      }
    }
    return lower.contains("unique phrase")
        || lower.contains("your ")
        || lower.startsWith("secret key");
  }

  /** Common values of password fields that are not secrets worth reporting. */
  private static final Set<String> WEAK_GENERIC =
      Set.of(
          "password",
          "passwd",
          "pass",
          "secret",
          "token",
          "changeit",
          "admin",
          "root",
          "guest",
          "postgres",
          "mysql",
          "redis",
          "rabbitmq",
          "test",
          "testing",
          "tester",
          "example",
          "sample",
          "default",
          "none",
          "null",
          "nil",
          "true",
          "false",
          "undefined",
          "empty",
          "required",
          "optional",
          "string",
          "hidden",
          "masked",
          "unknown",
          "todo",
          "tbd",
          "foo",
          "bar",
          "foobar",
          "qwerty",
          "letmein",
          "welcome",
          "secret123",
          "password1",
          "password123",
          "admin123",
          "p@ssw0rd",
          "passw0rd",
          "s3cr3t",
          "12345678",
          "123456789",
          "1234567890",
          "abcdefgh",
          "username",
          "user",
          "localhost",
          "value",
          "key",
          "apikey",
          "api_key",
          "secretkey",
          "accesskey",
          "access_key",
          "auth",
          "bearer");

  private static final Pattern VARIABLE_REFERENCE =
      Pattern.compile(
          "(?x) ^ ( \\$[A-Za-z_][A-Za-z0-9_]* | \\$\\{[^}]*\\}? | %[A-Za-z_]+% | %s | %d | \\{[^}]*\\}"
              + " | @[A-Za-z_][A-Za-z0-9_.]*@? | env\\(.* | os\\.environ.* | process\\.env.* | getenv.*"
              + " | ENV\\[.* | System\\.getenv.* | secrets\\.[A-Za-z_].* | vars\\.[A-Za-z_].* ) $");

  /**
   * A value made of words and separators ({@code db_password_2}, {@code arn:…:secret:x}), or only
   * of letters, or a secret word with a number stuck on ({@code Password123!}): a name or a
   * stand-in. A word inside a value that also mixes in digits or symbols without separating it into
   * a name ({@code Adm1nSecret77}, {@code Win!Passwd2020}) is a password that happens to contain
   * the word.
   */
  private static boolean namesASecret(String value) {
    boolean digitOrSymbol = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!Character.isLetter(c) && "_.-:/".indexOf(c) < 0) {
        digitOrSymbol = true;
        break;
      }
    }
    return !digitOrSymbol
        || SEPARATED_NAME.matcher(value).matches()
        || WORD_AND_NUMBER.matcher(value).matches();
  }

  private static final Pattern SEPARATED_NAME =
      Pattern.compile("[A-Za-z0-9]+(?:[_.:/-][A-Za-z0-9]+)+[_.:/-]?");

  private static final Pattern WORD_AND_NUMBER =
      Pattern.compile(
          "(?i)(?:my|the|a|new|old|super|top)?(?:password|passwd|secret|token|api_?key)s?[0-9!@#$%&*?.]*");

  private static final Pattern IDENTIFIER_PATH =
      Pattern.compile("^[A-Za-z_][A-Za-z_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*(?:\\(\\)?)?$");

  /**
   * True for values of {@code password = ...}-style assignments that are references, code, or
   * well-known defaults rather than a hardcoded secret.
   */
  /**
   * {@link #isWeakGenericValue} for the password of a URL: the same weak values and references, but
   * a value made of letters is a password there, not an identifier such as {@code config.password}.
   */
  public static boolean isWeakUrlPassword(String value) {
    return value.indexOf('.') < 0 && value.indexOf(':') < 0 && value.indexOf('(') < 0
        ? isWeakGenericValue(value, false)
        : isWeakGenericValue(value);
  }

  public static boolean isWeakGenericValue(String value) {
    return isWeakGenericValue(value, true);
  }

  private static boolean isWeakGenericValue(String value, boolean identifiers) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (WEAK_GENERIC.contains(lower)
        || lower.startsWith("test")
        || lower.startsWith("dummy")
        || value.startsWith("!")
        || value.startsWith("&")
        || value.startsWith("*")) {
      return true;
    }
    if ((lower.contains("password")
            || lower.contains("secret")
            || lower.contains("passwd")
            || lower.contains("token")
            || lower.contains("api_key")
            || lower.contains("apikey"))
        && namesASecret(value)) {
      // e.g. "my_db_password", "SECRET_KEY_NAME", "secretsmanager:..." - names, not values
      return true;
    }
    if (VARIABLE_REFERENCE.matcher(value).matches()) {
      return true;
    }
    // Code such as config.password, self.token, getPassword(), MyEnum.VALUE: letters, dots and
    // underscores only, no digits - identifiers rather than random values.
    if (identifiers && IDENTIFIER_PATH.matcher(value).matches()) {
      return true;
    }
    // Path-like values and URLs without credentials are not secrets.
    return value.startsWith("/")
        || value.startsWith("./")
        || value.startsWith("~/")
        || lower.startsWith("http://")
        || lower.startsWith("https://")
        || lower.startsWith("file:");
  }
}
