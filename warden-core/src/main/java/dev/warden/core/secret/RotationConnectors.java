package dev.warden.core.secret;

import dev.warden.core.error.ValidationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The rotation connectors by name: how Warden changes a secret at its target. */
final class RotationConnectors {
  private final Map<String, RotationConnector> byName = new HashMap<>();

  RotationConnectors(List<RotationConnector> connectors) {
    connectors.forEach(c -> byName.put(c.name(), c));
  }

  /** Connectors by name, for listing. */
  Set<String> names() {
    return Set.copyOf(byName.keySet());
  }

  /**
   * @throws ValidationException when the spec names no connector there is
   */
  RotationConnector get(RotationSpec spec) {
    RotationConnector c = byName.get(spec.connector());
    if (c == null) {
      throw new ValidationException(
          "rotation.connector",
          "'"
              + spec.connector()
              + "' is not a rotation connector;"
              + " one of "
              + new TreeSet<>(byName.keySet()));
    }
    return c;
  }
}
