package dev.warden.server.database;

/** Two-step rotation of a static account's password against the real Postgres. */
class PostgresRotationTest extends StaticRotationContract {
  @Override
  TargetDb openTarget() {
    return new PgTargetDb();
  }
}
