package dev.warden.server.database;

/** Two-step rotation of a static account's password against the real Redis. */
class RedisRotationTest extends StaticRotationContract {
  @Override
  TargetDb openTarget() {
    return RedisTarget.create();
  }
}
