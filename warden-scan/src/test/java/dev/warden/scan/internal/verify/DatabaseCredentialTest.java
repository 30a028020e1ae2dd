package dev.warden.scan.internal.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The login around a found database password: read only from the line it was found on. */
class DatabaseCredentialTest {

  @Test
  void aPostgresUrlGivesHostPortDatabaseUserAndTheDecodedPassword() {
    DatabaseCredential c =
        DatabaseCredential.read(
                "uri-postgres",
                "DATABASE_URL=\"postgresql+psycopg://app%40corp:p%40ss%2Fw0rd@db.internal:6543/ledger?sslmode=require\"",
                "p%40ss%2Fw0rd")
            .orElseThrow();
    assertThat(c)
        .isEqualTo(
            new DatabaseCredential(
                Engine.POSTGRES, "db.internal", 6543, "ledger", "app@corp", "p@ss/w0rd"));
  }

  @Test
  void defaultPortsApplyAndRedisMayHaveNoUser() {
    assertThat(
            DatabaseCredential.read(
                "uri-mysql", "url: mysql://root:Sup3rS3cret@10.0.0.5/shop", "Sup3rS3cret"))
        .contains(
            new DatabaseCredential(
                Engine.MARIADB, "10.0.0.5", 3306, "shop", "root", "Sup3rS3cret"));
    assertThat(
            DatabaseCredential.read(
                "uri-redis", "REDIS_URL=rediss://:r3disPass@cache:6380/0", "r3disPass"))
        .contains(new DatabaseCredential(Engine.REDIS, "cache", 6380, "0", null, "r3disPass"));
  }

  @Test
  void theUrlWhosePasswordIsTheFoundOneIsChosenWhenALineHoldsTwo() {
    String line = "a=postgres://u1:first-pw@h1/db1 b=postgres://u2:second-pw@h2:5433/db2";
    assertThat(DatabaseCredential.read("uri-postgres", line, "second-pw").orElseThrow().host())
        .isEqualTo("h2");
  }

  @Test
  void aJdbcUrlNeedsItsUserParameter() {
    assertThat(
            DatabaseCredential.read(
                "jdbc-password",
                "spring.datasource.url=jdbc:postgresql://pg:5432/orders?user=orders_app&password=Orders-Pw-77&ssl=true",
                "Orders-Pw-77"))
        .contains(
            new DatabaseCredential(
                Engine.POSTGRES, "pg", 5432, "orders", "orders_app", "Orders-Pw-77"));
    assertThat(
            DatabaseCredential.read(
                "jdbc-password", "jdbc:mysql://pg/orders?password=Orders-Pw-77", "Orders-Pw-77"))
        .isEmpty();
  }

  @Test
  void aPgpassLineWithEscapesAndAWildcardDatabase() {
    assertThat(
            DatabaseCredential.read(
                "pgpass-password", "db.acme.test:5432:*:report\\:er:pa\\:ss", "pa\\:ss"))
        .contains(
            new DatabaseCredential(
                Engine.POSTGRES, "db.acme.test", 5432, null, "report:er", "pa:ss"));
  }

  @Test
  void noHostNoUserOtherRulesAndMismatchedPasswordsGiveNothing() {
    assertThat(DatabaseCredential.read("pgpass-password", "*:5432:*:app:secret-pw", "secret-pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("pgpass-password", "h:5432:*:*:secret-pw", "secret-pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("pgpass-password", "h:99999:*:u:secret-pw", "secret-pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("pgpass-password", "h:port:*:u:secret-pw", "secret-pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("pgpass-password", "h:١٢٣:*:u:secret-pw", "secret-pw"))
        .isEmpty();
    assertThat(
            DatabaseCredential.read("generic-password", "postgres://u:pw-pw-pw@h/db", "pw-pw-pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("uri-postgres", "postgres://u:pw-pw-pw@h/db", "other"))
        .isEmpty();
    assertThat(DatabaseCredential.read("uri-postgres", "postgres://u:pw@h:70000/db", "pw"))
        .isEmpty();
    assertThat(DatabaseCredential.read("uri-postgres", "", "pw")).isEqualTo(Optional.empty());
  }

  @Test
  void toStringNeverShowsThePassword() {
    assertThat(
            new DatabaseCredential(Engine.POSTGRES, "h", 1, "d", "u", "hunter2-secret").toString())
        .doesNotContain("hunter2");
  }

  @Test
  void percentDecodingKeepsPlusAndMalformedEscapes() {
    assertThat(DatabaseCredential.decode("a+b%2Bc%zz%4")).isEqualTo("a+b+c%zz%4");
  }

  @Test
  void aTargetNamesALoginOnlyOnTheSameEngineHostAndPort() {
    Target t =
        new Target(
            "ledger",
            Engine.POSTGRES,
            "DB.internal",
            5432,
            "ledger",
            "jdbc:postgresql://DB.internal/ledger");
    assertThat(
            t.names(new DatabaseCredential(Engine.POSTGRES, "db.internal", 5432, null, "u", "p")))
        .isTrue();
    assertThat(
            t.names(new DatabaseCredential(Engine.POSTGRES, "db.internal", 5433, null, "u", "p")))
        .isFalse();
    assertThat(t.names(new DatabaseCredential(Engine.MARIADB, "db.internal", 5432, null, "u", "p")))
        .isFalse();
    assertThat(t.names(new DatabaseCredential(Engine.POSTGRES, "10.0.0.1", 5432, null, "u", "p")))
        .isFalse();
  }
}
