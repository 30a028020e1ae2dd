package dev.warden.core.secret;

import dev.warden.core.crypto.Secret;
import dev.warden.core.database.DatabaseTargets;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseEngine;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Rotates the password of a static database account (a login an application has always used), as
 * the admin of an existing database resource of the connector's engine: a new random password of
 * {@link #PASSWORD_LENGTH} letters and digits, set in the form the engine stores (PostgreSQL: a
 * SCRAM verifier; MariaDB: the {@code mysql_native_password} hash; Redis: its SHA-256). One
 * connector per engine, named by the engine's resource kind: {@code postgres}, {@code mariadb},
 * {@code redis}.
 */
public final class DatabaseRotation implements RotationConnector {
  static final int PASSWORD_LENGTH = 32;

  private final DatabaseEngine engine;
  private final DatabaseTargets targets;
  private final Supplier<List<Resource>> resources;

  /**
   * @param resources the stored resources (not a cached snapshot)
   */
  public DatabaseRotation(
      DatabaseEngine engine, DatabaseTargets targets, Supplier<List<Resource>> resources) {
    this.engine = engine;
    this.targets = targets;
    this.resources = resources;
  }

  /** A connector for each engine. */
  public static List<RotationConnector> all(
      DatabaseTargets targets, Supplier<List<Resource>> resources) {
    return java.util.Arrays.stream(DatabaseEngine.values())
        .<RotationConnector>map(e -> new DatabaseRotation(e, targets, resources))
        .toList();
  }

  @Override
  public String name() {
    return engine.kind();
  }

  @Override
  public void check(RotationSpec spec) {
    DatabaseTarget t = target(spec);
    if (spec.account().equals(t.adminUser())) {
      throw new ValidationException(
          "rotation.account",
          "'"
              + spec.account()
              + "' is the admin of resource '"
              + spec.resource()
              + "'; rotate that password with 'warden database password rotate', not as a brokered"
              + " secret");
    }
  }

  @Override
  public Secret generate(RotationSpec spec) {
    check(spec);
    return DatabaseTargets.generate(PASSWORD_LENGTH);
  }

  /** Sets the password; the same password twice only renews the stored verifier or hash. */
  @Override
  public void apply(RotationSpec spec, Secret value) {
    check(spec);
    DatabaseTarget t = target(spec);
    targets.database().setPassword(t, targets.adminPassword(t), spec.account(), value);
  }

  private DatabaseTarget target(RotationSpec spec) {
    Resource r =
        resources.get().stream()
            .filter(x -> x.name().equals(spec.resource()))
            .findFirst()
            .orElseThrow(
                () ->
                    new ValidationException(
                        "rotation.resource",
                        "no resource named '"
                            + spec.resource()
                            + "'; name a resource of kind "
                            + engine.kind()
                            + " whose admin may set the account's password"));
    if (r.database() == null || r.database().engine() != engine) {
      throw new ValidationException(
          "rotation.resource",
          "resource '"
              + spec.resource()
              + "' is not a "
              + engine.kind()
              + " database resource; the "
              + engine.kind()
              + " connector needs one");
    }
    return r.database();
  }
}
