package dev.warden.scan.internal.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.scan.ScanException;
import dev.warden.scan.SecretFinding;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Known findings to suppress, keyed by rule id and fingerprint (never the secret). Because
 * fingerprints depend on the fingerprint key, the file records the key id it was written with, and
 * loading it under another key is an error that says which key to use.
 *
 * <pre>{@code
 * {"version":1,"keyId":"local-3f2a...","findings":[{"ruleId":"github-pat","fingerprint":"9c1e...","path":"src/a.py","line":3}]}
 * }</pre>
 */
public final class Baseline {
  private final String keyId;
  private final Set<String> keys;

  private Baseline(String keyId, Set<String> keys) {
    this.keyId = keyId;
    this.keys = Set.copyOf(keys);
  }

  /**
   * Parses a baseline file.
   *
   * @throws ScanException BAD_CONFIG if the text is not a baseline, or was written under another
   *     key
   */
  public static Baseline parse(String json, String currentKeyId) throws ScanException {
    if (json == null || json.isBlank()) {
      throw bad("baseline is empty");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw bad("baseline is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null
        || !root.isObject()
        || root.path("version").asInt(-1) != 1
        || !root.path("findings").isArray()) {
      throw bad("not a warden baseline: expected {\"version\":1,\"keyId\":...,\"findings\":[...]}");
    }
    String keyId = root.path("keyId").asText(null);
    if (keyId != null && !keyId.equals(currentKeyId)) {
      throw bad(
          "the baseline was written with fingerprint key '"
              + keyId
              + "' but this scan uses '"
              + currentKeyId
              + "'; use the same key (--fingerprint-key-file or WARDEN_FINGERPRINT_KEY) or rewrite the baseline with --write-baseline");
    }
    Set<String> keys = new HashSet<>();
    for (JsonNode f : root.get("findings")) {
      String rule = f.path("ruleId").asText("");
      String fp = f.path("fingerprint").asText("");
      if (rule.isEmpty() || !fp.matches("[0-9a-f]{64}")) {
        throw bad("baseline entry needs a ruleId and a 64-hex fingerprint: " + f);
      }
      keys.add(rule + ':' + fp);
    }
    return new Baseline(keyId, keys);
  }

  public boolean contains(SecretFinding f) {
    return keys.contains(f.ruleId() + ':' + f.fingerprint());
  }

  public int size() {
    return keys.size();
  }

  public String keyId() {
    return keyId;
  }

  /** The baseline text for a set of findings (each rule and fingerprint once). */
  public static String write(Collection<SecretFinding> findings, String keyId) {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = om.createObjectNode();
    root.put("version", 1);
    root.put("keyId", keyId);
    ArrayNode arr = root.putArray("findings");
    Set<String> seen = new HashSet<>();
    for (SecretFinding f : List.copyOf(findings)) {
      if (seen.add(f.ruleId() + ':' + f.fingerprint())) {
        ObjectNode o = arr.addObject();
        o.put("ruleId", f.ruleId());
        o.put("fingerprint", f.fingerprint());
        o.put("path", f.path());
        o.put("line", f.line());
        if (f.commit() != null) {
          o.put("commit", f.commit());
        }
      }
    }
    try {
      return om.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ScanException bad(String m) {
    return new ScanException(ScanException.Reason.BAD_CONFIG, m);
  }
}
