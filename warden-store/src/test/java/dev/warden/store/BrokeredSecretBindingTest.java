package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.EnvelopeCipher;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.DeniedException;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.core.secret.SecretSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The envelope of a brokered secret version is bound to its name and version: ciphertexts and
 * wrapped data keys copied to another row, by someone with write access to the database but not the
 * master key, do not decrypt there. Each version has a data key of its own.
 */
class BrokeredSecretBindingTest {
  private static final SecretSettings SETTINGS =
      new SecretSettings("o@acme.test", null, null, 10, null);

  private H2TestDatabase database;
  private JdbcStore store;
  private AuditWriter audit;
  private BrokeredSecrets secrets;

  @BeforeEach
  void open() {
    database = new H2TestDatabase();
    store =
        JdbcStore.open(
            database.config(), new TestClock(java.time.Instant.parse("2030-01-02T03:04:05Z")));
    audit = new AuditWriter(store.audit(), 16, 2000);
    byte[] fpKey = new byte[32];
    secrets =
        new BrokeredSecrets(
            store.brokeredSecrets(),
            new EnvelopeCipher(SecretBox.generate()),
            new Fingerprinter(fpKey),
            audit,
            java.time.Clock.systemUTC(),
            List.of());
    secrets.put("alpha", Secret.of("alpha-value-1"), 0L, SETTINGS, "admin:t");
    secrets.put("alpha", Secret.of("alpha-value-2"), 1L, null, "admin:t");
    secrets.put("beta", Secret.of("beta-value-1"), 0L, SETTINGS, "admin:t");
  }

  @AfterEach
  void close() {
    audit.close();
    store.close();
    database.close();
  }

  @Test
  void eachRowOpensAsWritten() {
    assertThat(secrets.open("alpha").value().reveal()).isEqualTo("alpha-value-2");
    assertThat(secrets.open("beta").value().reveal()).isEqualTo("beta-value-1");
  }

  @Test
  void anEnvelopeMovedToAnotherSecretDoesNotDecrypt() throws SQLException {
    copyEnvelope("alpha", 2, "beta", 1);

    assertThatThrownBy(() -> secrets.open("beta"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("brokered-secret|beta|1")
        .hasMessageNotContaining("alpha-value");
  }

  @Test
  void anEnvelopeMovedToAnotherVersionOfTheSameSecretDoesNotDecrypt() throws SQLException {
    copyEnvelope("alpha", 1, "alpha", 2);

    assertThatThrownBy(() -> secrets.open("alpha"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("brokered-secret|alpha|2");
  }

  @Test
  void aCiphertextPairedWithAnotherVersionsDataKeyDoesNotDecrypt() throws SQLException {
    // only the ciphertext moves; the (valid) wrapped key of version 2 stays: the data keys differ
    sql(
        "UPDATE brokered_secret_versions SET ciphertext = (SELECT ciphertext FROM brokered_secret_versions"
            + " WHERE name = 'alpha' AND version = 1) WHERE name = 'alpha' AND version = 2");

    assertThatThrownBy(() -> secrets.open("alpha")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void everyVersionHasItsOwnDataKey() throws SQLException {
    assertThat(bytes("alpha", 1, "wrapped_key")).isNotEqualTo(bytes("alpha", 2, "wrapped_key"));
    assertThat(
            new String(
                bytes("alpha", 1, "ciphertext"), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("alpha-value-1");
  }

  @Test
  void aDestroyedVersionCannotBeReadAndItsBytesAreGone() throws SQLException {
    secrets.destroyVersion("beta", 1, "admin:t");

    assertThatThrownBy(() -> secrets.open("beta"))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("destroyed");
    assertThat(bytes("beta", 1, "ciphertext")).isNull();
    assertThat(bytes("beta", 1, "wrapped_key")).isNull();
  }

  @Test
  void readsAfterTheFirstStillSeeEveryChangeToTheRow() throws SQLException {
    assertThat(secrets.open("alpha").value().reveal())
        .isEqualTo("alpha-value-2"); // its data key is kept now

    sql(
        "UPDATE brokered_secret_versions SET ciphertext = (SELECT ciphertext FROM brokered_secret_versions"
            + " WHERE name = 'alpha' AND version = 1) WHERE name = 'alpha' AND version = 2");
    assertThatThrownBy(() -> secrets.open("alpha"))
        .as("another ciphertext under the kept key")
        .isInstanceOf(IllegalStateException.class);

    copyEnvelope("beta", 1, "alpha", 2);
    assertThatThrownBy(() -> secrets.open("alpha"))
        .as("another wrapped key")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("beta-value");
  }

  @Test
  void aVersionReadBeforeIsNotServedOnceDestroyedAndANewOneIsServedAtOnce() {
    assertThat(secrets.open("beta").value().reveal()).isEqualTo("beta-value-1");

    secrets.destroyVersion("beta", 1, "admin:t");
    assertThatThrownBy(() -> secrets.open("beta"))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("destroyed");

    assertThat(secrets.open("alpha").value().reveal()).isEqualTo("alpha-value-2");
    secrets.put("alpha", Secret.of("alpha-value-3"), 2L, null, "admin:t");
    assertThat(secrets.open("alpha").value().reveal()).isEqualTo("alpha-value-3");
    assertThat(secrets.open("alpha").version()).isEqualTo(3);
  }

  private void copyEnvelope(String fromName, long fromVersion, String toName, long toVersion)
      throws SQLException {
    byte[] key = bytes(fromName, fromVersion, "wrapped_key");
    byte[] ct = bytes(fromName, fromVersion, "ciphertext");
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE brokered_secret_versions SET"
                    + " wrapped_key = ?, ciphertext = ? WHERE name = ? AND version = ?")) {
      ps.setBytes(1, key);
      ps.setBytes(2, ct);
      ps.setString(3, toName);
      ps.setLong(4, toVersion);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private byte[] bytes(String name, long version, String column) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + column
                    + " FROM brokered_secret_versions WHERE name = ? AND version = ?")) {
      ps.setString(1, name);
      ps.setLong(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getBytes(1);
      }
    }
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(statement)) {
      ps.executeUpdate();
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(database.config().url(), database.config().user(), "");
  }
}
