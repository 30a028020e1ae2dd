package dev.warden.scan.internal.verify;

import dev.warden.scan.Verification;

/** One test login at a database Warden manages, with a found user and password. */
interface Login {
  /**
   * @return TRUE when the database accepted it, FALSE when it refused the credential, else UNKNOWN
   */
  Verification attempt(Target target, DatabaseCredential found);
}
