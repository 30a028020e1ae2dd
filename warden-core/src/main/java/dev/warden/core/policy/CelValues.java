package dev.warden.core.policy;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts Java values into the types CEL-Java evaluates (Long, Double, String, Boolean, List, Map,
 * Timestamp).
 */
final class CelValues {
  private CelValues() {}

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static Object normalize(Object v, int depth) {
    if (v == null || depth > 8) {
      return "";
    }
    if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Instant i) {
      return timestamp(i);
    }
    if (v instanceof java.util.Date d) {
      return timestamp(d.toInstant());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), normalize(e.getValue(), depth + 1));
      }
      return out;
    }
    if (v instanceof Iterable<?> it) {
      List<Object> out = new ArrayList<>();
      for (Object o : it) {
        out.add(normalize(o, depth + 1));
      }
      return out;
    }
    return String.valueOf(v);
  }
}
