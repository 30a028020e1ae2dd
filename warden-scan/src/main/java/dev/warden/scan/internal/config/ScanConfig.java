package dev.warden.scan.internal.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.scan.ScanException;
import dev.warden.scan.Severity;
import dev.warden.scan.internal.detect.FindingFilter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The scanner's config file (JSON). Every key is optional:
 *
 * <pre>{@code
 * {
 *   "maxFileSize": "10MiB",                  // or a number of bytes
 *   "exclude": ["vendor/**", "*.min.js"],      // globs; no '/' means "file name anywhere"
 *   "disableRules": ["generic-password"],
 *   "allowValues": ["^AKIA[A-Z2-7]{12}TEST$"], // regexes (find) on the secret value
 *   "allowPaths": ["test/fixtures/**"],        // findings in these paths are not reported
 *   "failOn": "medium",
 *   "rules": { "jwt": { "allowValues": ["..."], "allowPaths": ["docs/**"] } }
 * }
 * }</pre>
 *
 * Unknown keys are errors, so a typo never silently disables an allowlist.
 */
public record ScanConfig(
    @Nullable Long maxFileSize,
    List<Glob> exclude,
    Set<String> disableRules,
    List<Pattern> allowValues,
    List<Glob> allowPaths,
    @Nullable Severity failOn,
    Map<String, RuleAllow> rules)
    implements FindingFilter {

  /** Allowlist of one rule. */
  public record RuleAllow(List<Pattern> allowValues, List<Glob> allowPaths) {
    public RuleAllow {
      allowValues = List.copyOf(allowValues);
      allowPaths = List.copyOf(allowPaths);
    }
  }

  public ScanConfig {
    exclude = List.copyOf(exclude);
    disableRules = Set.copyOf(disableRules);
    allowValues = List.copyOf(allowValues);
    allowPaths = List.copyOf(allowPaths);
    rules = Map.copyOf(rules);
  }

  public static final ScanConfig EMPTY =
      new ScanConfig(null, List.of(), Set.of(), List.of(), List.of(), null, Map.of());

  private static final Set<String> TOP_KEYS =
      Set.of(
          "maxFileSize", "exclude", "disableRules", "allowValues", "allowPaths", "failOn", "rules");
  private static final Set<String> RULE_KEYS = Set.of("allowValues", "allowPaths");

  /**
   * Parses config text.
   *
   * @param knownRules ids of the built-in rules, to reject misspelt rule ids
   * @throws ScanException BAD_CONFIG naming the offending key or value
   */
  public static ScanConfig parse(String json, Set<String> knownRules) throws ScanException {
    if (json == null || json.isBlank()) {
      throw bad("config is empty");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw bad("config is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw bad("config must be a JSON object");
    }
    checkKeys(root, TOP_KEYS, "config");
    Long max = null;
    JsonNode m = root.get("maxFileSize");
    if (m != null) {
      max =
          m.isIntegralNumber()
              ? Long.valueOf(m.asLong())
              : m.isTextual() ? parseSize(m.asText()) : null;
      if (max == null || max <= 0) {
        throw bad("maxFileSize must be a positive number of bytes or a size such as \"10MiB\"");
      }
    }
    Set<String> disabled = new java.util.HashSet<>(strings(root, "disableRules", "config"));
    for (String id : disabled) {
      if (!knownRules.contains(id)) {
        throw bad("disableRules: unknown rule id '" + id + "' (see warden scan --list-rules)");
      }
    }
    Severity failOn = null;
    if (root.has("failOn")) {
      try {
        failOn = Severity.parse(root.get("failOn").asText());
      } catch (IllegalArgumentException e) {
        throw bad("failOn: " + e.getMessage());
      }
    }
    Map<String, RuleAllow> rules = new TreeMap<>();
    JsonNode r = root.get("rules");
    if (r != null) {
      if (!r.isObject()) {
        throw bad("rules must be an object keyed by rule id");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!knownRules.contains(e.getKey())) {
          throw bad("rules: unknown rule id '" + e.getKey() + "' (see warden scan --list-rules)");
        }
        if (!e.getValue().isObject()) {
          throw bad("rules." + e.getKey() + " must be an object");
        }
        checkKeys(e.getValue(), RULE_KEYS, "rules." + e.getKey());
        rules.put(
            e.getKey(),
            new RuleAllow(
                regexes(e.getValue(), "allowValues", "rules." + e.getKey()),
                globs(e.getValue(), "allowPaths", "rules." + e.getKey())));
      }
    }
    return new ScanConfig(
        max,
        globs(root, "exclude", "config"),
        disabled,
        regexes(root, "allowValues", "config"),
        globs(root, "allowPaths", "config"),
        failOn,
        rules);
  }

  @Override
  public boolean suppressed(String ruleId, String path, String value) {
    if (matchesAny(allowPaths, path) || findsAny(allowValues, value)) {
      return true;
    }
    RuleAllow ra = rules.get(ruleId);
    return ra != null && (matchesAny(ra.allowPaths(), path) || findsAny(ra.allowValues(), value));
  }

  private static boolean matchesAny(List<Glob> globs, String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    for (Glob g : globs) {
      if (g.matches(path) || (!g.toString().contains("/") && g.matches(name))) {
        return true;
      }
    }
    return false;
  }

  private static boolean findsAny(List<Pattern> patterns, String value) {
    for (Pattern p : patterns) {
      if (p.matcher(value).find()) {
        return true;
      }
    }
    return false;
  }

  private static void checkKeys(JsonNode obj, Set<String> allowed, String where)
      throws ScanException {
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw bad(
            where
                + ": unknown key '"
                + k
                + "'; allowed keys are "
                + new java.util.TreeSet<>(allowed));
      }
    }
  }

  private static List<String> strings(JsonNode obj, String key, String where) throws ScanException {
    JsonNode a = obj.get(key);
    List<String> out = new ArrayList<>();
    if (a == null) {
      return out;
    }
    if (!a.isArray()) {
      throw bad(where + "." + key + " must be an array of strings");
    }
    for (JsonNode s : a) {
      if (!s.isTextual()) {
        throw bad(where + "." + key + " must be an array of strings");
      }
      out.add(s.asText());
    }
    return out;
  }

  private static List<Glob> globs(JsonNode obj, String key, String where) throws ScanException {
    List<Glob> out = new ArrayList<>();
    for (String s : strings(obj, key, where)) {
      try {
        out.add(Glob.compile(s.startsWith("/") ? s.substring(1) : s));
      } catch (IllegalArgumentException e) {
        throw bad(where + "." + key + ": bad glob '" + s + "'");
      }
    }
    return out;
  }

  private static List<Pattern> regexes(JsonNode obj, String key, String where)
      throws ScanException {
    List<Pattern> out = new ArrayList<>();
    for (String s : strings(obj, key, where)) {
      try {
        out.add(Pattern.compile(s));
      } catch (PatternSyntaxException e) {
        throw bad(
            where + "." + key + ": bad regular expression '" + s + "': " + e.getDescription());
      }
    }
    return out;
  }

  /**
   * Parses a size such as {@code 1048576}, {@code 512KiB}, {@code 10MB}, {@code 1g}.
   *
   * @return the size in bytes, or null if the text is not a size
   */
  public static @Nullable Long parseSize(String text) {
    var m = Pattern.compile("(?i)\\s*(\\d{1,15})\\s*([kmgt]?)(i?b)?\\s*").matcher(text);
    if (!m.matches()) {
      return null;
    }
    long v = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    if (shift > 0 && v > (Long.MAX_VALUE >> shift)) {
      return null;
    }
    return v << shift;
  }

  private static ScanException bad(String message) {
    return new ScanException(ScanException.Reason.BAD_CONFIG, message);
  }
}
