package dev.warden.core.config;

import dev.warden.core.document.Kind;
import java.util.List;

/**
 * What applying one document did (or, in a dry run, would do).
 *
 * @param action {@code created}, {@code updated}, {@code unchanged} or {@code deleted}
 * @param diff one line per changed field, {@code field: old -> new}
 * @param warnings what was accepted but probably not meant, e.g. a policy naming a resource that
 *     does not exist
 */
public record Change(
    Kind kind,
    String name,
    String action,
    long fromVersion,
    long toVersion,
    List<String> diff,
    List<String> warnings) {
  public Change {
    diff = List.copyOf(diff);
    warnings = List.copyOf(warnings);
  }

  public Change(
      Kind kind, String name, String action, long fromVersion, long toVersion, List<String> diff) {
    this(kind, name, action, fromVersion, toVersion, diff, List.of());
  }
}
