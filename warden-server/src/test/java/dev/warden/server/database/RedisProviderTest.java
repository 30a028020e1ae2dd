package dev.warden.server.database;

/** The provider contract against the real Redis. */
class RedisProviderTest extends TargetProviderContract {
  @Override
  TargetDb openTarget() {
    return RedisTarget.create();
  }
}
