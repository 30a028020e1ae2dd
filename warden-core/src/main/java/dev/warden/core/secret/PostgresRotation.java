package dev.warden.core.secret;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.DatabaseTargets;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Rotates the password of a static PostgreSQL account (a login role an application has always
 * used), as the admin of an existing {@code postgres} resource: a new random password of
 * {@link #PASSWORD_LENGTH} letters and digits, set with ALTER ROLE (as a SCRAM verifier).
 */
public final class PostgresRotation implements RotationConnector {
  public static final String NAME = "postgres";
  static final int PASSWORD_LENGTH = 32;

  private final DatabaseTargets targets;
  private final Supplier<List<Resource>> resources;

  /** @param resources the stored resources (not a cached snapshot) */
  public PostgresRotation(DatabaseTargets targets, Supplier<List<Resource>> resources) {
    this.targets = targets;
    this.resources = resources;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void check(RotationSpec spec) {
    DatabaseTarget t = target(spec);
    if (spec.account().equals(t.adminUser())) {
      throw new ValidationException("rotation.account", "'" + spec.account() + "' is the admin of resource '"
          + spec.resource() + "'; rotate that password with 'warden database password rotate', not as a brokered"
          + " secret");
    }
  }

  @Override
  public Secret rotate(SecretMetadata secret, RotationSpec spec) {
    check(spec);
    DatabaseTarget t = target(spec);
    Secret next = DatabaseTargets.generate(PASSWORD_LENGTH);
    targets.database().setPassword(t, targets.adminPassword(t), spec.account(), next);
    return next;
  }

  private DatabaseTarget target(RotationSpec spec) {
    Resource r = resources.get().stream().filter(x -> x.name().equals(spec.resource())).findFirst()
        .orElseThrow(() -> new ValidationException("rotation.resource", "no resource named '" + spec.resource()
            + "'; name a resource of kind postgres whose admin may set the account's password"));
    if (r.database() == null) {
      throw new ValidationException("rotation.resource", "resource '" + spec.resource()
          + "' has no spec.database; the postgres connector needs a resource of kind postgres");
    }
    return r.database();
  }
}
