package dev.warden.core.inventory;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Ids by a key (an owner, a fingerprint), each key's ids in order. Most fingerprints belong to one
 * item, so a lone id is kept as itself rather than in a set: at a million items that is the
 * difference between tens and hundreds of megabytes.
 */
final class IdIndex {
  private final Map<String, Object> byKey = new HashMap<>();

  void add(String key, String id) {
    if (key == null) {
      return;
    }
    Object cur = byKey.get(key);
    if (cur == null) {
      byKey.put(key, id);
    } else if (cur instanceof String s) {
      if (!s.equals(id)) {
        TreeSet<String> set = new TreeSet<>();
        set.add(s);
        set.add(id);
        byKey.put(key, set);
      }
    } else {
      set(cur).add(id);
    }
  }

  void remove(String key, String id) {
    if (key == null) {
      return;
    }
    Object cur = byKey.get(key);
    if (cur instanceof String s) {
      if (s.equals(id)) {
        byKey.remove(key);
      }
    } else if (cur != null) {
      TreeSet<String> set = set(cur);
      set.remove(id);
      if (set.size() == 1) {
        byKey.put(key, set.first());
      }
    }
  }

  /** How many ids are under {@code key}. */
  int size(String key) {
    Object cur = key == null ? null : byKey.get(key);
    return cur == null ? 0 : cur instanceof String ? 1 : set(cur).size();
  }

  /** The ids under {@code key} after {@code cursor} (null: all), in order. */
  java.util.NavigableSet<String> after(String key, String cursor) {
    Object cur = key == null ? null : byKey.get(key);
    java.util.NavigableSet<String> all =
        cur == null
            ? new TreeSet<>()
            : cur instanceof String s ? new TreeSet<>(List.of(s)) : set(cur);
    return java.util.Collections.unmodifiableNavigableSet(
        cursor == null ? all : all.tailSet(cursor, false));
  }

  /** The ids under {@code key}, in order; empty when none. */
  Collection<String> ids(String key) {
    Object cur = key == null ? null : byKey.get(key);
    if (cur == null) {
      return List.of();
    }
    return cur instanceof String s
        ? List.of(s)
        : java.util.Collections.unmodifiableSortedSet(set(cur));
  }

  @SuppressWarnings("unchecked")
  private static TreeSet<String> set(Object o) {
    return (TreeSet<String>) o;
  }
}
