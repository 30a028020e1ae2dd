package dev.warden.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** JSON text columns: config specs, audit details, token scopes. */
final class JsonColumns {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private JsonColumns() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // only maps, lists and JsonNodes of strings are written: this cannot fail
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  static JsonNode tree(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
    }
  }

  static Map<String, String> stringMap(String text) {
    if ("{}".equals(text)) {
      return Map
          .of(); // most rows: no parser for nothing (a million inventory rows are read at once)
    }
    try {
      return MAPPER.readValue(text, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
    }
  }

  static Set<String> stringSet(String text) {
    try {
      return Set.copyOf(MAPPER.readValue(text, STRING_LIST));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
    }
  }
}
