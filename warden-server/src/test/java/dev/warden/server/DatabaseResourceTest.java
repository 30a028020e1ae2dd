package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.database.PgTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A postgres resource and its admin password (issue 11, model): the password goes in only through
 * the write-only target-secrets endpoint and never comes out — not in the document, its history, a
 * diff, a listing, the audit log or the server's files in clear — and a resource Warden could not
 * manage users with is refused when it is applied, leaving the store unchanged.
 */
class DatabaseResourceTest {
  static final String PASSWORD = "Sup3r-s3cret-admin-pw";

  @TempDir static Path dir;

  static ServerFixture warden;
  static PgTarget pg;

  @BeforeAll
  static void start() {
    pg = PgTarget.create();
    warden = ServerFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    if (warden != null) {
      warden.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  static ServerFixture.Response setSecret(String name, String json) {
    return warden.admin("PUT", "/v1/target-secrets/" + name, json);
  }

  static ServerFixture.Response apply(String yaml) {
    try {
      var docs = ServerFixture.JSON.createArrayNode();
      try (var it = ServerFixture.YAML.readerFor(JsonNode.class).readValues(yaml)) {
        while (it.hasNext()) {
          docs.add((JsonNode) it.next());
        }
      }
      return warden.admin("POST", "/v1/apply", ServerFixture.JSON.writeValueAsString(docs));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void appliedResourceKeepsOnlyAReferenceAndThePasswordNeverComesOut() throws IOException {
    ServerFixture.Response set = setSecret("ledger-admin", "{\"value\": \"" + PASSWORD + "\"}");
    assertThat(set.status()).as(set.json().toString()).isEqualTo(200);
    assertThat(set.json().path("fingerprint").asText()).matches("[0-9a-f]{64}");
    assertThat(set.headers().get("cache-control")).isEqualTo("no-store");

    ServerFixture.Response dry =
        warden.admin(
            "POST",
            "/v1/apply?dryRun=true",
            toJson(pg.resourceYaml("ledger-db", "ledger-admin", 5)));
    assertThat(dry.status()).as(dry.json().toString()).isEqualTo(200);
    ServerFixture.Response applied = apply(pg.resourceYaml("ledger-db", "ledger-admin", 5));
    assertThat(applied.status()).as(applied.json().toString()).isEqualTo(200);

    String everything =
        dry.json().toString()
            + applied.json()
            + warden.admin("GET", "/v1/resources/ledger-db", null).json()
            + warden.admin("GET", "/v1/resources/ledger-db?history=true", null).json()
            + warden.admin("GET", "/v1/target-secrets", null).json()
            + warden.admin("GET", "/v1/audit?limit=100", null).json();
    assertThat(everything)
        .contains("ledger-admin")
        .contains(set.json().path("fingerprint").asText())
        .doesNotContain(PASSWORD);
    assertThat(warden.admin("GET", "/v1/target-secrets", null).json().path("items").toString())
        .contains("\"usedBy\":[\"ledger-db\"]");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as("no file of the server holds the password in clear: %s", f)
            .doesNotContain(PASSWORD);
      }
    }
  }

  @Test
  void applyWhenTheSecretIsNotStoredThenRefusedAndNothingStored() {
    ServerFixture.Response r = apply(pg.resourceYaml("no-secret-db", "never-set", 5));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText())
        .contains("no target secret named 'never-set'")
        .contains("warden database password set never-set");
    assertThat(warden.admin("GET", "/v1/resources/no-secret-db", null).status()).isEqualTo(404);
  }

  @Test
  void applyWhenTheAdminUserDoesNotExistThenAClearErrorAndNothingStored() {
    setSecret("ghost-admin", "{\"value\": \"x\"}");
    String yaml =
        pg.resourceYaml("ghost-db", "ghost-admin", 5)
            .replace("adminUser: " + pg.admin, "adminUser: nobody_" + pg.suffix);

    ServerFixture.Response r = apply(yaml);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("field").asText()).endsWith("spec.database.adminUser");
    assertThat(r.json().path("message").asText())
        .contains("cannot manage users on 127.0.0.1:5432/" + pg.database)
        .contains("login was refused");
    assertThat(warden.admin("GET", "/v1/resources/ghost-db", null).status()).isEqualTo(404);
  }

  @Test
  void applyWhenTheAdminMayNotCreateRolesThenRefused() {
    String weak = "wt_weak_" + pg.suffix;
    pg.sql("CREATE ROLE " + weak + " LOGIN");
    pg.ownRole(weak);
    setSecret("weak-admin", "{\"value\": \"x\"}");

    ServerFixture.Response r =
        apply(
            pg.resourceYaml("weak-db", "weak-admin", 5)
                .replace("adminUser: " + pg.admin, "adminUser: " + weak));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText())
        .contains("may not create roles")
        .contains("CREATEROLE");
  }

  @Test
  void applyWhenAGrantedRoleIsMissingOrSuperuserThenRefused() {
    setSecret("roles-admin", "{\"value\": \"x\"}");
    ServerFixture.Response missing =
        apply(pg.resourceYaml("missing-role-db", "roles-admin", 5, "no_such_" + pg.suffix));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("message").asText())
        .contains("role 'no_such_" + pg.suffix + "' does not exist");

    ServerFixture.Response superuser =
        apply(pg.resourceYaml("super-role-db", "roles-admin", 5, "postgres"));
    assertThat(superuser.status()).isEqualTo(400);
    assertThat(superuser.json().path("message").asText()).contains("superuser");
  }

  @Test
  void applyWhenTheDatabaseIsUnreachableThenRefused() {
    setSecret("down-admin", "{\"value\": \"x\"}");
    ServerFixture.Response r =
        apply(pg.resourceYaml("down-db", "down-admin", 5).replace("127.0.0.1:5432", "127.0.0.1:1"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText()).contains("cannot connect");
    assertThat(warden.admin("GET", "/v1/resources/down-db", null).status()).isEqualTo(404);
  }

  @Test
  void setSecretIsCheckedAgainstTheResourcesUsingItBeforeItIsStored() {
    String admin2 = "wt_admin2_" + pg.suffix;
    pg.sql("CREATE ROLE " + admin2 + " LOGIN CREATEROLE");
    pg.ownRole(admin2);
    assertThat(setSecret("checked-admin", "{\"value\": \"first\"}").status()).isEqualTo(200);
    assertThat(
            apply(
                    pg.resourceYaml("checked-db", "checked-admin", 5)
                        .replace("adminUser: " + pg.admin, "adminUser: " + admin2))
                .status())
        .isEqualTo(200);
    long version = secretVersion("checked-admin");
    pg.sql("ALTER ROLE " + admin2 + " NOCREATEROLE");

    ServerFixture.Response r = setSecret("checked-admin", "{\"value\": \"second\"}");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("message").asText())
        .contains("not stored: resource 'checked-db' uses this secret");
    assertThat(secretVersion("checked-admin")).isEqualTo(version);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      not json            | {value                          | 400
      not an object       | ["x"]                           | 400
      no value            | {}                              | 400
      value not a string  | {"value": 42}                   | 400
      empty value         | {"value": ""}                   | 400
      NUL in value        | {"value": "a\\u0000b"}          | 400
      extra field         | {"value": "x", "note": "y"}     | 400
      """)
  void badSecretBodiesAreRefusedWithoutEchoingThem(String what, String body, int status) {
    ServerFixture.Response r = setSecret("body-check", body);

    assertThat(r.status()).as(what).isEqualTo(status);
    assertThat(warden.admin("GET", "/v1/target-secrets", null).json().toString())
        .doesNotContain("body-check");
  }

  @Test
  void badNamesMethodsAndScopesAreRefused() {
    assertThat(setSecret("Bad_Name", "{\"value\": \"x\"}").status()).isEqualTo(400);
    assertThat(warden.admin("POST", "/v1/target-secrets/x", "{\"value\": \"x\"}").status())
        .isEqualTo(405);
    assertThat(warden.admin("GET", "/v1/target-secrets/x", null).status()).isEqualTo(405);
    assertThat(warden.admin("PUT", "/v1/target-secrets/x", "{\"value\": \"x\"}", null).status())
        .isEqualTo(401);
    String reader =
        warden
            .admin("POST", "/v1/admin-tokens", "{\"name\": \"r\", \"scopes\": [\"read\"]}")
            .json()
            .path("token")
            .asText();
    assertThat(warden.admin("PUT", "/v1/target-secrets/x", "{\"value\": \"x\"}", reader).status())
        .isEqualTo(403);
    assertThat(warden.admin("GET", "/v1/target-secrets", null, reader).status()).isEqualTo(200);
    ServerFixture.Response big = setSecret("big", "{\"value\": \"" + "x".repeat(20_000) + "\"}");
    assertThat(big.status()).isEqualTo(413);
  }

  @Test
  void aPasswordInTheDocumentIsRefusedAndNotEchoed() {
    String yaml =
        pg.resourceYaml("inline-db", "ledger-admin", 5)
            .replace("adminUser:", "adminPassword: " + "inline-secret-pw\n    adminUser:");
    ServerFixture.Response r = apply(yaml);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().toString())
        .contains("never goes in a document")
        .doesNotContain("inline-secret-pw");
  }

  private static long secretVersion(String name) {
    for (JsonNode i : warden.admin("GET", "/v1/target-secrets", null).json().path("items")) {
      if (i.path("name").asText().equals(name)) {
        return i.path("version").asLong();
      }
    }
    throw new AssertionError("no secret " + name);
  }

  private static String toJson(String yaml) {
    try {
      var docs = ServerFixture.JSON.createArrayNode();
      try (var it = ServerFixture.YAML.readerFor(JsonNode.class).readValues(yaml)) {
        while (it.hasNext()) {
          docs.add((JsonNode) it.next());
        }
      }
      return ServerFixture.JSON.writeValueAsString(docs);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
