package dev.warden.core.document;

import static dev.warden.core.document.Fields.bool;
import static dev.warden.core.document.Fields.stringList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The strict field readers and the writers shared by every document kind: an unknown field, a wrong
 * type or a value where a list belongs is a {@link ValidationException} naming the field.
 */
final class Fields {
  private Fields() {}

  static final JsonNodeFactory F = JsonNodeFactory.instance;

  /**
   * A JSON boolean; absent or null is false. "true" as text is refused: YAML and JSON both have
   * booleans.
   */
  static boolean bool(JsonNode n, String field) {
    return bool(n, field, "spec");
  }

  static boolean bool(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ValidationException(
          where + "." + field, "must be true or false (a boolean, not text or a number)");
    }
    return v.booleanValue();
  }

  static void allowOnly(JsonNode n, String where, String... fields) {
    Set<String> allowed = Set.of(fields);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new ValidationException(
            where.isEmpty() ? f : where + "." + f,
            "unknown field; allowed here: " + new TreeSet<>(allowed));
      }
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new ValidationException(field, "must be a single value");
    }
    return v.asText();
  }

  static List<String> stringList(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (!v.isArray()) {
      throw new ValidationException(field, "must be a list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isValueNode() || e.isNull()) {
        throw new ValidationException(field, "must be a list of text values");
      }
      out.add(e.asText());
    }
    return out;
  }

  static Set<Selector> selectors(JsonNode n, String field) {
    Set<Selector> out = new LinkedHashSet<>();
    for (String s : stringList(n, field)) {
      out.add(Selector.parse(s));
    }
    return out;
  }

  static List<String> sortedSelectors(Set<Selector> sel) {
    return sel.stream().map(Selector::toString).sorted().toList();
  }

  static void strings(ObjectNode s, String field, List<String> values) {
    ArrayNode a = s.putArray(field);
    values.forEach(a::add);
  }

  static void putIfSet(ObjectNode s, String field, String value) {
    if (value != null) {
      s.put(field, value);
    }
  }
}
