package dev.warden.core.secret;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;

/**
 * How Warden rotates a brokered secret at its target: the {@link RotationConnector} by name, the
 * resource whose admin credentials it uses, and the account whose password the secret is.
 *
 * @param connector e.g. {@code postgres}
 * @param resource the resource Warden reaches the target through (for postgres: a resource of kind
 *     postgres, whose admin sets the password)
 * @param account the static account at the target (a PostgreSQL role name)
 */
public record RotationSpec(String connector, String resource, String account) {
  public RotationSpec {
    Names.required("rotation.connector", connector);
    Names.check("rotation.resource", resource);
    Names.required("rotation.account", account);
    if (account.length() > 63) {
      throw new ValidationException("rotation.account", "must be at most 63 characters");
    }
    for (int i = 0; i < account.length(); i++) {
      if (account.charAt(i) < 0x20 || account.charAt(i) == 0x7f) {
        throw new ValidationException("rotation.account", "must not contain control characters");
      }
    }
  }
}
