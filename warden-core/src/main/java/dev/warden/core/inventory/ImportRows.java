package dev.warden.core.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one import has read so far. Items with the same (source, kind, name) are merged (later
 * fields win, {@link Importers#merge}) and reported as duplicates; not thread-safe, one per import.
 */
final class ImportRows {
  private final Map<String, ImportedNhi> items = new LinkedHashMap<>();
  private final List<Importers.LineError> errors = new ArrayList<>();
  private final List<String> duplicates = new ArrayList<>();
  private int skipped;

  void add(ImportedNhi n) {
    ImportedNhi prev = items.put(n.id(), n);
    if (prev != null) {
      items.put(n.id(), Importers.merge(prev, n));
      duplicates.add(n.source() + "/" + n.kind() + "/" + n.name());
    }
  }

  /** A row that could not be imported; {@code message} must never quote a value. */
  void error(int line, String message) {
    errors.add(new Importers.LineError(line, message));
  }

  /** A row that is not an NHI (a TLS secret, plain configuration). */
  void skip() {
    skipped++;
  }

  Importers.Parsed parsed() {
    return new Importers.Parsed(
        List.copyOf(items.values()), List.copyOf(errors), List.copyOf(duplicates), skipped);
  }
}
