package dev.warden.core.config;

import dev.warden.core.document.Kind;
import java.util.List;

/**
 * What applying one document did (or, in a dry run, would do).
 *
 * @param action {@code created}, {@code updated}, {@code unchanged} or {@code deleted}
 * @param diff one line per changed field, {@code field: old -> new}
 */
public record Change(Kind kind, String name, String action, long fromVersion, long toVersion, List<String> diff) {}
