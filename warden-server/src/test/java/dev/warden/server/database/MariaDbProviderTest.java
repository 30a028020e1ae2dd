package dev.warden.server.database;

/** The provider contract against the real MariaDB. */
class MariaDbProviderTest extends TargetProviderContract {
  @Override
  TargetDb openTarget() {
    return MariaDbTarget.create();
  }
}
