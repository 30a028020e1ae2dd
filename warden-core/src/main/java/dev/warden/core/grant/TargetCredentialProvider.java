package dev.warden.core.grant;

import dev.warden.core.error.TargetException;

/**
 * A provider whose credential exists at its target (a database user), not only as Warden's
 * signature. Intent before effect: the grant flow records the lease as {@code issuing} after {@link
 * #prepare} and before {@link #create}, so a crash at any point leaves a record that the reaper
 * finds; the lease becomes active with the issuance's audit event, and the credential is handed out
 * only after that.
 */
public interface TargetCredentialProvider extends CredentialProvider {

  /**
   * What {@link #prepare} chose: the credential (its id is the lease id), where it will live, and
   * how many live credentials one workload may hold there.
   *
   * @param target where the credential lives, recorded with the lease so it can be removed there
   *     even after the resource changes
   */
  record Prepared(IssuedCredential credential, String target, int maxLive) {}

  /**
   * Chooses the credential — its name, secret and lifetime, ending no later than {@link
   * Issuance#notAfter()} — without touching the target.
   *
   * @throws dev.warden.core.error.DeniedException when the resource cannot have such credentials
   */
  Prepared prepare(Issuance issuance);

  /**
   * Creates at the target, in one transaction, what {@link #prepare} chose.
   *
   * @throws TargetException when it could not; {@link TargetException#maybeChanged()} says whether
   *     it may exist anyway
   */
  void create(Issuance issuance, Prepared prepared);

  /**
   * The longest a credential recorded with {@code target} may live from its issuance, renewals
   * included; {@link java.time.Duration#ZERO} when it cannot be renewed.
   */
  default java.time.Duration maxLifetime(String target) {
    return java.time.Duration.ZERO;
  }

  /**
   * Moves the credential's end at the target to {@code validUntil} where the target keeps an end of
   * its own (PostgreSQL's VALID UNTIL); nothing where only the reaper ends it.
   *
   * @throws TargetException when the target cannot be reached or refuses
   */
  default void extend(String target, String id, java.time.Instant validUntil) {}

  /**
   * Not used: a credential that lives at its target is issued through {@link #prepare} and {@link
   * #create}.
   */
  @Override
  default IssuedCredential issue(Issuance issuance) {
    throw new UnsupportedOperationException(
        "issued through the grant flow's intent record: prepare, record, create");
  }
}
