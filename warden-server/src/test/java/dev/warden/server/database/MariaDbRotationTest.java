package dev.warden.server.database;

/** Two-step rotation of a static account's password against the real MariaDB. */
class MariaDbRotationTest extends StaticRotationContract {
  @Override
  TargetDb openTarget() {
    return MariaDbTarget.create();
  }
}
