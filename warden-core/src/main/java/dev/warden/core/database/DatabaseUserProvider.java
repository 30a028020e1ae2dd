package dev.warden.core.database;

import dev.warden.core.crypto.Secret;
import dev.warden.core.document.Documents;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.grant.Issuance;
import dev.warden.core.grant.IssuedCredential;
import dev.warden.core.grant.TargetCredentialProvider;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.DatabaseEngine;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.UsernameTemplate;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic database users behind the {@link dev.warden.core.grant.CredentialProvider} seam: a user
 * that did not exist a moment before, named after its workload ({@link UsernameTemplate}), with a
 * random password and the resource's roles, living no longer than the lease (the database itself
 * refuses logins shortly after: VALID UNTIL is the lease's end plus {@link #VALID_UNTIL_MARGIN},
 * the time the reaper needs to drop it first).
 */
public final class DatabaseUserProvider implements TargetCredentialProvider {
  /** How long after its lease ends the database still accepts the user's logins, at most. */
  public static final Duration VALID_UNTIL_MARGIN = Duration.ofMinutes(1);

  static final int PASSWORD_LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final DatabaseTargets targets;

  public DatabaseUserProvider(DatabaseTargets targets) {
    this.targets = targets;
  }

  @Override
  public CredentialKind kind() {
    return CredentialKind.DATABASE_USER;
  }

  @Override
  public Prepared prepare(Issuance in) {
    DatabaseTarget t = in.resource().database();
    if (t == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '"
              + in.resource().name()
              + "' has no spec.database, so Warden cannot create users for it");
    }
    String username = t.usernameTemplate().expand(in.workload().spiffeId(), random());
    Secret password = DatabaseTargets.generate(PASSWORD_LENGTH);
    // whole seconds, so that expires_in agrees with expires_at exactly
    Instant iat = Instant.ofEpochSecond(in.now().getEpochSecond());
    Instant cap = iat.plus(t.maxTtl());
    Instant exp =
        Instant.ofEpochSecond((in.notAfter().isBefore(cap) ? in.notAfter() : cap).getEpochSecond());
    Map<String, String> details = new LinkedHashMap<>(connection(t));
    details.put("username", username);
    details.put("roles", String.join(",", t.roles()));
    return new Prepared(
        new IssuedCredential(CredentialKind.DATABASE_USER, password, username, iat, exp, details),
        Documents.databaseSpec(t).toString(),
        t.maxLeasesPerWorkload());
  }

  @Override
  public void create(Issuance in, Prepared p) {
    DatabaseTarget t = in.resource().database();
    IssuedCredential c = p.credential();
    targets
        .database()
        .createUser(
            t, targets.adminPassword(t), c.id(), c.value(), c.expiresAt().plus(VALID_UNTIL_MARGIN));
  }

  @Override
  public Duration maxLifetime(String target) {
    return parse(target).maxTtl();
  }

  @Override
  public void extend(String target, String id, Instant validUntil) {
    DatabaseTarget t = parse(target);
    targets
        .database()
        .extendUser(t, targets.adminPassword(t), id, validUntil.plus(VALID_UNTIL_MARGIN));
  }

  /** The target as recorded with a lease ({@link Documents#databaseSpec}). */
  private static DatabaseTarget parse(String target) {
    try {
      return Documents.databaseTarget(JSON.readTree(target));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a lease's recorded target is not JSON", e);
    }
  }

  /**
   * How a client reaches the database: host, port and database (for Redis its number), and the URL
   * in the form its clients take — {@code jdbcUrl} for SQL engines, {@code url} for Redis.
   */
  public static Map<String, String> connection(DatabaseTarget t) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(t.engine() == DatabaseEngine.REDIS ? "url" : "jdbcUrl", t.url());
    m.put("engine", t.engine().kind());
    m.put("host", t.host());
    m.put("port", Integer.toString(t.port()));
    m.put("database", t.database());
    return m;
  }

  private static String random() {
    char[] c = new char[UsernameTemplate.RANDOM_LENGTH];
    for (int i = 0; i < c.length; i++) {
      c[i] =
          UsernameTemplate.RANDOM_ALPHABET.charAt(
              RANDOM.nextInt(UsernameTemplate.RANDOM_ALPHABET.length()));
    }
    return new String(c);
  }
}
