package dev.warden.core.database;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.database.TargetSecretStore.Sealed;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Names;
import dev.warden.core.model.Resource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The databases Warden issues users in, and the target secrets Warden reaches targets with:
 * database admin passwords, and the client secrets and private keys of upstream OAuth clients.
 *
 * <p>Design note (decision 111). An admin password is never part of a configuration document: a
 * resource names a <em>target secret</em>, which is set through its own write-only endpoint, sealed
 * with the master key (associated data: its name) and shown only as an HMAC fingerprint. Both ways
 * in validate before they write: applying a resource connects with the stored password and checks
 * the admin's privileges and roles, and setting a password checks it against every resource that
 * uses it; a refused change leaves the store as it was.
 */
public final class DatabaseTargets {
  /** What may be shown of a stored secret. */
  public record SecretInfo(
      String name,
      String fingerprint,
      long version,
      java.time.Instant updatedAt,
      String updatedBy,
      List<String> usedBy) {}

  /** Long enough for a PEM RSA-4096 private key (an OAuth client's {@code private_key_jwt} key). */
  static final int MAX_SECRET_LENGTH = 8192;

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final UserDatabase database;
  private final TargetSecretStore secrets;
  private final Supplier<List<Resource>> resources;
  private final SecretBox box;
  private final Fingerprinter fingerprinter;
  private final AuditWriter audit;
  private final Clock clock;
  private final java.util.function.BiConsumer<Resource, Secret> otherCheck;

  /**
   * @param resources the stored resources (not a cached snapshot)
   */
  public DatabaseTargets(
      UserDatabase database,
      TargetSecretStore secrets,
      Supplier<List<Resource>> resources,
      SecretBox box,
      Fingerprinter fingerprinter,
      AuditWriter audit,
      Clock clock) {
    this(database, secrets, resources, box, fingerprinter, audit, clock, (r, v) -> {});
  }

  /**
   * @param otherCheck checks a value about to be stored against a resource without a database that
   *     uses it (an {@code oauth-client} whose private key it is); throws {@link
   *     ValidationException}
   */
  public DatabaseTargets(
      UserDatabase database,
      TargetSecretStore secrets,
      Supplier<List<Resource>> resources,
      SecretBox box,
      Fingerprinter fingerprinter,
      AuditWriter audit,
      Clock clock,
      java.util.function.BiConsumer<Resource, Secret> otherCheck) {
    this.otherCheck = otherCheck;
    this.database = database;
    this.secrets = secrets;
    this.resources = resources;
    this.box = box;
    this.fingerprinter = fingerprinter;
    this.audit = audit;
    this.clock = clock;
  }

  public UserDatabase database() {
    return database;
  }

  /**
   * Checks a resource before it is stored: for a postgres resource, its admin password must be
   * stored and must let Warden manage users there.
   *
   * @throws ValidationException naming what is wrong; nothing is written
   */
  public void verify(Resource r) {
    if (r.database() == null) {
      return;
    }
    Secret admin =
        secret(r.database().adminPasswordSecret())
            .orElseThrow(
                () ->
                    new ValidationException(
                        "spec.database.adminPasswordSecret",
                        "resource '"
                            + r.name()
                            + "': no target secret named '"
                            + r.database().adminPasswordSecret()
                            + "' is stored; store the admin password first with"
                            + " 'warden database password set "
                            + r.database().adminPasswordSecret()
                            + "'"));
    try {
      database.verify(r.database(), admin);
    } catch (ValidationException e) {
      throw new ValidationException(e.field(), "resource '" + r.name() + "': " + detail(e));
    }
  }

  /**
   * The admin password of a target, for issuing and removing users.
   *
   * @throws TargetException when it is not stored (nothing can be done at the target)
   */
  public Secret adminPassword(DatabaseTarget t) {
    return secret(t.adminPasswordSecret())
        .orElseThrow(
            () ->
                new TargetException(
                    "no target secret named '" + t.adminPasswordSecret() + "' is stored",
                    false,
                    null));
  }

  /**
   * Stores a target secret, after checking it against every resource that uses it.
   *
   * @throws ValidationException when the name or value is unusable, or a resource that uses it
   *     cannot be managed with it; nothing is written
   */
  public SecretInfo set(String name, Secret value, String actor) {
    Names.check("name", name);
    checkValue(value);
    List<Resource> users = usedBy(name);
    for (Resource r : users) {
      if (r.database() == null) {
        otherCheck.accept(r, value);
        continue;
      }
      try {
        database.verify(r.database(), value);
      } catch (ValidationException e) {
        throw new ValidationException(
            e.field(),
            "not stored: resource '" + r.name() + "' uses this secret, and " + detail(e));
      }
    }
    return store(
        name, value, secrets.get(name).map(Sealed::version).orElse(0L), actor, "set", users);
  }

  /**
   * Rotates an admin password: Warden generates a new one, sets it on the database (ALTER ROLE) and
   * stores it, after which only Warden knows it. Every resource using the secret must name the same
   * admin user on the same server.
   *
   * <p>The new password is stored as the next version only once the database accepted it; if
   * storing then fails, the database holds a password Warden has lost, and the operator must set it
   * again by hand. The store write is a single row update, so that window is one statement.
   *
   * @throws ValidationException when no resource uses the secret, or they disagree on the admin
   * @throws TargetException when the database refuses
   */
  public SecretInfo rotate(String name, String actor) {
    Sealed current =
        secrets
            .get(name)
            .orElseThrow(() -> new dev.warden.core.error.NotFoundException("target secret", name));
    List<Resource> users = usedBy(name);
    if (users.isEmpty()) {
      throw new ValidationException(
          "name",
          "no resource uses target secret '"
              + name
              + "'; Warden rotates only a password it can set on a database");
    }
    for (Resource r : users) {
      if (r.database() == null) {
        throw new ValidationException(
            "name",
            "resource '"
                + r.name()
                + "' uses target secret '"
                + name
                + "' as an OAuth client credential, which only its upstream can change; rotate it there and store the"
                + " new value with 'warden target-secret set "
                + name
                + "'");
      }
    }
    DatabaseTarget t = users.getFirst().database();
    for (Resource r : users) {
      if (!r.database().adminUser().equals(t.adminUser())
          || r.database().engine() != t.engine()
          || !r.database().hostPort().equals(t.hostPort())) {
        throw new ValidationException(
            "name",
            "resources '"
                + users.getFirst().name()
                + "' and '"
                + r.name()
                + "' use this secret for different admin users or servers; give each its own secret to rotate it");
      }
    }
    Secret old = open(current);
    Secret next = generate(32);
    database.changeAdminPassword(t, old, next);
    return store(name, next, current.version(), actor, "rotated", users);
  }

  public List<SecretInfo> list() {
    List<SecretInfo> out = new ArrayList<>();
    for (Sealed s : secrets.list()) {
      out.add(info(s, usedBy(s.name())));
    }
    return out;
  }

  /**
   * A random password of {@code n} letters and digits (about 5.95 bits each), from SecureRandom.
   */
  public static Secret generate(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
    }
    return Secret.of(new String(c));
  }

  private SecretInfo store(
      String name, Secret value, long expected, String actor, String action, List<Resource> users) {
    String fp = fingerprinter.fingerprint(value);
    java.time.Instant now = clock.instant();
    long version =
        secrets.put(
            name,
            box.encrypt(value.reveal().getBytes(StandardCharsets.UTF_8), ad(name)),
            fp,
            expected,
            now,
            actor);
    Map<String, String> d = new HashMap<>();
    d.put("name", name);
    d.put("fingerprint", fp);
    d.put("version", Long.toString(version));
    d.put("action", action);
    d.put("usedBy", String.join(",", users.stream().map(Resource::name).toList()));
    audit.write(
        AuditEvent.of(
            AuditType.TARGET_SECRET_SET, AuditOutcome.SUCCESS, null, now, actor, null, null, d));
    return info(secrets.get(name).orElseThrow(), users);
  }

  /**
   * The value of a stored target secret, for a provider that authenticates with it at its target
   * (an OAuth client's secret or private key). Never log or audit what it holds.
   */
  public Optional<Secret> targetSecret(String name) {
    return secret(name);
  }

  private Optional<Secret> secret(String name) {
    return secrets.get(name).map(this::open);
  }

  private Secret open(Sealed s) {
    return Secret.of(new String(box.decrypt(s.ciphertext(), ad(s.name())), StandardCharsets.UTF_8));
  }

  private List<Resource> usedBy(String name) {
    return resources.get().stream()
        .filter(
            r ->
                r.database() != null && r.database().adminPasswordSecret().equals(name)
                    || r.oauth() != null && r.oauth().secret().equals(name))
        .toList();
  }

  private static SecretInfo info(Sealed s, List<Resource> users) {
    return new SecretInfo(
        s.name(),
        s.fingerprint(),
        s.version(),
        s.updatedAt(),
        s.updatedBy(),
        users.stream().map(Resource::name).toList());
  }

  private static String ad(String name) {
    return "target-secret:" + name;
  }

  private static void checkValue(Secret v) {
    if (v == null || v.length() == 0) {
      throw new ValidationException("value", "is required");
    }
    if (v.length() > MAX_SECRET_LENGTH) {
      throw new ValidationException(
          "value", "must be at most " + MAX_SECRET_LENGTH + " characters");
    }
    String s = v.reveal();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == 0) {
        throw new ValidationException("value", "must not contain NUL characters");
      }
    }
  }

  private static String detail(ValidationException e) {
    String m = e.getMessage();
    return e.field() != null && m.startsWith(e.field() + ": ")
        ? m.substring(e.field().length() + 2)
        : m;
  }
}
