package dev.warden.server.database;

/**
 * The provider contract against the real PostgreSQL (its engine-specific cases:
 * DatabaseLifecycleTest).
 */
class PostgresProviderTest extends TargetProviderContract {
  @Override
  TargetDb openTarget() {
    return new PgTargetDb();
  }
}
