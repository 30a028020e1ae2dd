package dev.warden.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Finding;
import dev.warden.core.token.SigningAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Server configuration: defaults, sources in order, and the message for each refused value. */
class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsWhenNothingIsSet() {
    ServerConfig c = ConfigLoader.load(null, Map.of(), Map.of());

    assertThat(c.get(ServerKeys.SERVER_HOST)).isEqualTo("127.0.0.1");
    assertThat(c.get(ServerKeys.SERVER_PORT)).isEqualTo(8080);
    assertThat(c.issuer()).isEqualTo("http://127.0.0.1:8080");
    assertThat(c.get(ServerKeys.SERVER_TRUST_DOMAIN)).isEqualTo("warden.local");
    assertThat(c.get(ServerKeys.SERVER_DATA_DIR)).isEqualTo(Path.of("./warden-data"));
    assertThat(c.embeddedStore()).isTrue();
    assertThat(c.get(ServerKeys.DB_USER)).isEqualTo("warden");
    assertThat(c.get(ServerKeys.DB_PASSWORD)).isNull();
    assertThat(c.get(ServerKeys.DB_MAX_POOL)).isEqualTo(16);
    assertThat(c.masterKeyFile()).isEqualTo(Path.of("./warden-data/master.key"));
    assertThat(c.masterKeyEnv()).isNull();
    assertThat(c.get(ServerKeys.KEYS_ALGORITHM)).isEqualTo(SigningAlgorithm.ES256);
    assertThat(c.rotation().rotateEvery()).isEqualTo(Duration.ofDays(30));
    assertThat(c.rotation().publishLead()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.rotation().retainAfterRetire()).isEqualTo(Duration.ofHours(25));
    assertThat(c.get(ServerKeys.KEYS_CHECK_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.get(ServerKeys.TOKENS_DEFAULT_TTL)).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.get(ServerKeys.TOKENS_TYP)).isEqualTo("JWT");
    assertThat(c.get(ServerKeys.TOKENS_MAX_REQUEST_BYTES)).isEqualTo(65536);
    assertThat(c.get(ServerKeys.TOKENS_MAX_ASSERTION_BYTES)).isEqualTo(16384);
    assertThat(c.pki().caTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(c.pki().x509SvidTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.pki().jwtSvidTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.get(ServerKeys.CA_UPSTREAM_CERT)).isNull();
    assertThat(c.tls()).isFalse();
    assertThat(c.get(ServerKeys.TLS_DNS_NAMES)).containsExactly("localhost");
    assertThat(c.get(ServerKeys.TLS_CLIENT_CAS)).isNull();
    assertThat(c.provisioning().requireExpiry()).isFalse();
    assertThat(c.provisioning().maxLifetime()).isEqualTo(Duration.ofDays(365));
    assertThat(c.posture().unusedGrant()).isEqualTo(Duration.ofDays(30));
    assertThat(c.posture().staticMaxAge()).isEqualTo(Duration.ofDays(90));
    assertThat(c.posture().rotationInterval()).isEqualTo(Duration.ofDays(90));
    assertThat(c.posture().stale()).isEqualTo(Duration.ofDays(90));
    assertThat(c.posture().workstationCidrs()).isEmpty();
    assertThat(c.get(ServerKeys.POSTURE_REBUILD_INTERVAL)).isEqualTo(Duration.ofHours(1));
    assertThat(c.get(ServerKeys.NOTIFICATIONS_WEBHOOK_URL)).isNull();
    assertThat(c.get(ServerKeys.NOTIFICATIONS_FINDINGS)).isEqualTo(Finding.Severity.CRITICAL);
    assertThat(c.get(ServerKeys.NOTIFICATIONS_RETRY_BASE)).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.get(ServerKeys.RECERT_REMINDER_INTERVAL)).isEqualTo(Duration.ofHours(24));
    assertThat(c.get(ServerKeys.AUDIT_MAX_BATCH)).isEqualTo(500);
    assertThat(c.get(ServerKeys.AUDIT_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.get(ServerKeys.RELOAD_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.get(ServerKeys.JWKS_REFRESH_MIN_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void laterSourcesWinFileThenEnvironmentThenFlags() throws IOException {
    Path file = dir.resolve("warden.yaml");
    Files.writeString(
        file, "server:\n  port: 9000\n  host: 0.0.0.0\nkeys:\n  rotateEvery: manual\n");

    ServerConfig c =
        ConfigLoader.load(
            file,
            Map.of(
                "WARDEN_SERVER_PORT",
                "9100",
                "WARDEN_KEYS_PUBLISH_LEAD",
                "0s",
                "WARDEN_TLS_SELF_ISSUED",
                "true"),
            Map.of("server.port", "9200"));

    assertThat(c.get(ServerKeys.SERVER_PORT)).isEqualTo(9200);
    assertThat(c.get(ServerKeys.SERVER_HOST)).isEqualTo("0.0.0.0");
    assertThat(c.issuer()).as("wildcard host, TLS on").isEqualTo("https://127.0.0.1:9200");
    assertThat(c.rotation().rotateEvery()).as("manual").isNull();
    assertThat(c.rotation().publishLead()).isZero();
  }

  @Test
  void unknownKeyInAFileOrFlagIsRefusedWithTheKnownKeys() throws IOException {
    Path file = dir.resolve("warden.yaml");
    Files.writeString(file, "server:\n  prot: 9000\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith(
            "server.prot: unknown configuration key in " + file + "; known keys:\n")
        .hasMessageContaining("server.port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("no.such", "1")))
        .hasMessageStartingWith("no.such: unknown configuration key; known keys:\n");
  }

  @Test
  void blankOptionalValuesMeanUnset() {
    ServerConfig c =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "db.url",
                " ",
                "notifications.webhookUrl",
                " ",
                "tls.cert",
                "",
                "tls.key",
                "",
                "notifications.findings",
                " NONE "));

    assertThat(c.embeddedStore()).isTrue();
    assertThat(c.get(ServerKeys.NOTIFICATIONS_WEBHOOK_URL)).isNull();
    assertThat(c.tls()).isFalse();
    assertThat(c.get(ServerKeys.NOTIFICATIONS_FINDINGS)).isNull();
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("refused")
  void refusedValueNamesTheKeyAndWhatIsAllowed(String key, String value, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(key, value)))
        .isInstanceOf(ValidationException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("server.port", "-1", "server.port: must be between 0 and 65535, got -1"),
        Arguments.of("server.port", "65536", "server.port: must be between 0 and 65535, got 65536"),
        Arguments.of(
            "server.port",
            "abc",
            "server.port: must be a whole number between 0 and 65535, got 'abc'"),
        Arguments.of(
            "server.port", "", "server.port: must be a whole number between 0 and 65535, got ''"),
        Arguments.of(
            "server.issuer",
            "ftp://x",
            "server.issuer: 'ftp://x' must be an http(s) URL without query or fragment"),
        Arguments.of(
            "server.issuer",
            "http://x/?q",
            "server.issuer: 'http://x/?q' must be an http(s) URL without query or fragment"),
        Arguments.of("server.issuer", "not a url", "server.issuer: 'not a url' is not a URL"),
        Arguments.of(
            "server.issuer",
            "http://x#f",
            "server.issuer: 'http://x#f' must be an http(s) URL without query or fragment"),
        Arguments.of(
            "server.trustDomain",
            "Bad Domain",
            "spiffeId: trust domain may contain only lower-case letters, digits, '.', '-' and '_' (found 'B')"),
        Arguments.of("server.trustDomain", "", "spiffeId: trust domain is missing"),
        Arguments.of(
            "db.url",
            "jdbc:mysql://x",
            "db.url: 'jdbc:mysql://x' is not supported; use jdbc:postgresql://host:5432/db (or jdbc:h2:... for tests)"),
        Arguments.of(
            "db.url",
            "jdbc:mysql://u:pw@x?password=s3",
            "db.url: 'jdbc:mysql://***@x?password=***' is not supported; use jdbc:postgresql://host:5432/db (or jdbc:h2:... for tests)"),
        Arguments.of("db.maxPool", "0", "db.maxPool: must be between 1 and 1000, got 0"),
        Arguments.of("db.maxPool", "1001", "db.maxPool: must be between 1 and 1000, got 1001"),
        Arguments.of(
            "keys.algorithm",
            "HS256",
            "keys.algorithm: 'HS256' is not supported; use ES256, EdDSA or RS256"),
        Arguments.of(
            "keys.algorithm",
            "none",
            "keys.algorithm: 'none' is not supported; use ES256, EdDSA or RS256"),
        Arguments.of(
            "keys.rotateEvery",
            "0s",
            "keys.rotateEvery: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "keys.rotateEvery",
            "soon",
            "keys.rotateEvery: 'soon' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M"),
        Arguments.of(
            "keys.publishLead",
            "-1s",
            "keys.publishLead: '-1s' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M"),
        Arguments.of(
            "keys.publishLead",
            "x",
            "keys.publishLead: 'x' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M"),
        Arguments.of(
            "keys.retainAfterRetire",
            "1h",
            "keys.retainAfterRetire: must be at least 24h (the longest token lifetime a policy may grant)"),
        Arguments.of(
            "keys.retainAfterRetire",
            "0s",
            "keys.retainAfterRetire: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "keys.checkInterval",
            "0s",
            "keys.checkInterval: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of("tokens.defaultTtl", "25h", "tokens.defaultTtl: must be at most 24h"),
        Arguments.of(
            "tokens.defaultTtl",
            "0s",
            "tokens.defaultTtl: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of("tokens.typ", "jwt", "tokens.typ: 'jwt' is not allowed; use JWT or at+jwt"),
        Arguments.of(
            "tokens.maxRequestBytes",
            "1023",
            "tokens.maxRequestBytes: must be between 1024 and 16777216, got 1023"),
        Arguments.of(
            "tokens.maxRequestBytes",
            "16777217",
            "tokens.maxRequestBytes: must be between 1024 and 16777216, got 16777217"),
        Arguments.of(
            "tokens.maxAssertionBytes",
            "1048577",
            "tokens.maxAssertionBytes: must be between 1024 and 1048576, got 1048577"),
        Arguments.of("ca.ttl", "0s", "ca.ttl: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of("ca.ttl", "400d", "ca.ttl: must be between PT10M and PT8760H, got PT9600H"),
        Arguments.of(
            "ca.upstreamCert",
            "/x.pem",
            "ca.upstreamKey: ca.upstreamCert and ca.upstreamKey go together: give both or neither"),
        Arguments.of(
            "ca.upstreamKey",
            "/k.pem",
            "ca.upstreamCert: ca.upstreamCert and ca.upstreamKey go together: give both or neither"),
        Arguments.of(
            "svid.x509Ttl", "8d", "svid.x509Ttl: must be between PT1M and PT168H, got PT192H"),
        Arguments.of(
            "svid.x509Ttl",
            "5h",
            "svid.x509Ttl: must be at most a sixth of ca.ttl (PT4H), so an SVID never outlives its CA's place in the bundle; raise ca.ttl or lower svid.x509Ttl"),
        Arguments.of(
            "svid.jwtTtl", "25h", "svid.jwtTtl: must be between PT30S and PT24H, got PT25H"),
        Arguments.of(
            "svid.jwtTtl", "0s", "svid.jwtTtl: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of("tls.cert", "/c.pem", "tls.key: tls.cert and tls.key go together"),
        Arguments.of("tls.key", "/k.pem", "tls.cert: tls.cert and tls.key go together"),
        Arguments.of("tls.selfIssued", "yes", "tls.selfIssued: must be true or false"),
        Arguments.of(
            "workloads.requireExpiry", "maybe", "workloads.requireExpiry: must be true or false"),
        Arguments.of(
            "workloads.maxLifetime",
            "0s",
            "workloads.maxLifetime: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "posture.unusedGrant",
            "0s",
            "posture.unusedGrant: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "posture.staticMaxAge",
            "-1d",
            "posture.staticMaxAge: '-1d' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M"),
        Arguments.of(
            "posture.rotationInterval",
            "x",
            "posture.rotationInterval: 'x' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M"),
        Arguments.of(
            "posture.stale",
            "0s",
            "posture.stale: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "posture.rebuildInterval",
            "0s",
            "posture.rebuildInterval: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "notifications.webhookUrl",
            "ftp://x",
            "notifications.webhookUrl: must be an http(s) URL"),
        Arguments.of(
            "notifications.findings",
            "loud",
            "notifications.findings: must be none, low, medium, high or critical"),
        Arguments.of(
            "notifications.retryBase",
            "0s",
            "notifications.retryBase: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "recert.reminderInterval",
            "0s",
            "recert.reminderInterval: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of("audit.maxBatch", "0", "audit.maxBatch: must be between 1 and 10000, got 0"),
        Arguments.of(
            "audit.maxBatch", "10001", "audit.maxBatch: must be between 1 and 10000, got 10001"),
        Arguments.of(
            "audit.timeout",
            "0s",
            "audit.timeout: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "reload.interval",
            "0s",
            "reload.interval: must be a positive duration such as 30s, 5m or 2h"),
        Arguments.of(
            "jwks.refreshMinInterval",
            "0s",
            "jwks.refreshMinInterval: must be a positive duration such as 30s, 5m or 2h"));
  }

  @Test
  void tlsCertificateAndSelfIssuedExcludeEachOther() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(),
                    Map.of("tls.cert", "/c.pem", "tls.key", "/k.pem", "tls.selfIssued", "true")))
        .hasMessage(
            "tls.selfIssued: give either tls.cert/tls.key or tls.selfIssued: true, not both");
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "http://id.acme.example",
        "https://id.acme.example:8443",
        "https://user@id.acme.example"
      })
  void federationRefusesAnIssuerNoCloudAccepts(String issuer) {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of(), Map.of("federation.enabled", "true", "server.issuer", issuer)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("cannot be a federation issuer")
        .hasMessageContaining("no port");
  }

  @Test
  void federationTakesAnHttpsIssuerWithAPathOrAnInsecureOneWhenToldItIsATest() {
    ServerConfig c =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "federation.enabled", "true", "server.issuer", "https://id.acme.example/warden/"));
    assertThat(c.issuer()).isEqualTo("https://id.acme.example/warden");
    assertThat(c.get(ServerKeys.FEDERATION_ALGORITHM).name()).isEqualTo("RS256");
    assertThat(
            ConfigLoader.load(
                    null,
                    Map.of(),
                    Map.of("federation.enabled", "true", "federation.insecureIssuer", "true"))
                .issuer())
        .startsWith("http://127.0.0.1:");
  }

  @Test
  void federationAlgorithmIsRs256OrEs256() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("federation.algorithm", "EdDSA")))
        .hasMessage(
            "federation.algorithm: 'EdDSA' is not accepted by AWS, GCP or Entra; use RS256 or ES256");
  }

  @Test
  void listsEveryKeyOnce() {
    List<String> lines = ConfigLoader.describeKeys().lines().toList();
    assertThat(lines).hasSize(ServerKeys.ALL.size()).doesNotHaveDuplicates();
    assertThat(lines.get(0)).startsWith("  server.host ").endsWith(" [127.0.0.1]");
  }

  @Test
  void everyEnvironmentVariableADescriptionNamesIsOneWardenReads() {
    // regression: login.clientSecret told users to set WARDEN_LOGIN_CLIENTSECRET, which nothing
    // reads
    java.util.Set<String> read = new java.util.HashSet<>(List.of("WARDEN_MASTER_KEY"));
    ServerKeys.ALL.forEach(k -> read.add(k.envName()));
    for (ConfigKey<?> k : ServerKeys.ALL) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("WARDEN_[A-Z0-9_]+").matcher(k.doc());
      while (m.find()) {
        assertThat(read).as(k.name() + " names " + m.group()).contains(m.group());
      }
    }
    ServerConfig c =
        ConfigLoader.load(null, Map.of("WARDEN_CONSOLE_OIDC_CLIENT_SECRET", "s3cret"), Map.of());
    assertThat(c.get(ServerKeys.CONSOLE_OIDC_CLIENT_SECRET).reveal()).isEqualTo("s3cret");
  }

  @Test
  void theDatabaseReaperIsConfigurableWithDefaultsAndBounds() {
    ServerConfig d = ConfigLoader.load(null, Map.of(), Map.of());
    assertThat(d.get(ServerKeys.DATABASES_REAP_INTERVAL))
        .isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(d.get(ServerKeys.DATABASES_SWEEP_INTERVAL))
        .isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(d.get(ServerKeys.DATABASES_STALE_INTENT)).isEqualTo(java.time.Duration.ofMinutes(2));
    assertThat(d.get(ServerKeys.DATABASES_IRREVOCABLE_AFTER)).isEqualTo(8);
    ServerConfig c =
        ConfigLoader.load(
            null,
            Map.of("WARDEN_DATABASES_REAP_INTERVAL", "500ms"),
            Map.of("databases.irrevocableAfter", "3"));
    assertThat(c.get(ServerKeys.DATABASES_REAP_INTERVAL))
        .isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(c.get(ServerKeys.DATABASES_IRREVOCABLE_AFTER)).isEqualTo(3);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("databases.irrevocableAfter", "0")))
        .hasMessageContaining("databases.irrevocableAfter");
  }

  @Test
  void secretsAreHeldAsSecretAndNeverPrinted() {
    ServerConfig c =
        ConfigLoader.load(
            null,
            Map.of(
                "WARDEN_DB_PASSWORD",
                "hunter2-db",
                "WARDEN_MASTER_KEY",
                "{\"primaryKeyId\": 1, \"key\": \"master-key-material\"}"),
            Map.of("db.url", "jdbc:postgresql://db:5432/warden?password=in-the-url"));

    assertThat(c.get(ServerKeys.DB_PASSWORD).reveal()).isEqualTo("hunter2-db");
    assertThat(c.masterKeyEnv().reveal()).contains("master-key-material");
    assertThat(c.toString())
        .doesNotContain("hunter2-db")
        .doesNotContain("master-key-material")
        .doesNotContain("in-the-url")
        .contains("db.password=Secret[redacted]")
        .contains("masterKeyEnv=Secret[redacted]");
  }

  static Stream<String> keyNames() {
    return ServerKeys.ALL.stream().map(ConfigKey::name);
  }

  /**
   * A key set to YAML null ({@code ~}, or nothing after the colon) loads as unset, or is refused
   * with a message naming it: never a NullPointerException (a path with a default used to throw
   * one).
   */
  @ParameterizedTest
  @MethodSource("keyNames")
  void aKeySetToYamlNullLoadsOrIsRefusedByName(String key) throws IOException {
    String[] parts = key.split("\\.");
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      yaml.append("  ".repeat(i)).append(parts[i]).append(':');
      yaml.append(i == parts.length - 1 ? " ~\n" : "\n");
    }
    Path file = dir.resolve("warden.yaml");
    Files.writeString(file, yaml);

    try {
      ConfigLoader.load(file, Map.of(), Map.of());
    } catch (ValidationException e) {
      // some checks name the key's last part (server.trustDomain: "trustDomain")
      assertThat(key).as(e.getMessage()).endsWith(e.field());
    }
  }
}
