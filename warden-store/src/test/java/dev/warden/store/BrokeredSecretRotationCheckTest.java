package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.EnvelopeCipher;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.core.secret.SecretSettings;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The owner of a secret without a rotation connector is reminded once per due period: not before it
 * is due, not twice for the same period, and again once a new version is due in its turn. Two nodes
 * checking at once send one reminder.
 */
class BrokeredSecretRotationCheckTest {
  private final MutableClock clock = MutableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<Map<String, Object>> sent = new CopyOnWriteArrayList<>();
  private H2TestDatabase database;
  private JdbcStore store;
  private AuditWriter audit;
  private BrokeredSecrets secrets;

  @BeforeEach
  void open() {
    database = new H2TestDatabase();
    store = JdbcStore.open(database.config(), clock);
    audit = new AuditWriter(store.audit(), 16, 2000);
    secrets =
        new BrokeredSecrets(
            store.brokeredSecrets(),
            new EnvelopeCipher(SecretBox.generate()),
            new Fingerprinter(new byte[32]),
            audit,
            clock,
            List.of());
    secrets.put(
        "api-key",
        Secret.of("k1"),
        0L,
        new SecretSettings("owner@acme.test", null, Duration.ofDays(30), 10, null),
        "admin:t");
    secrets.put(
        "no-schedule",
        Secret.of("n1"),
        0L,
        new SecretSettings("owner@acme.test", null, null, 10, null),
        "admin:t");
  }

  @AfterEach
  void close() {
    audit.close();
    store.close();
    database.close();
  }

  private BrokeredSecrets.RotationCheck check() {
    return secrets.checkRotations((event, payload) -> sent.add(payload));
  }

  @Test
  void theOwnerIsRemindedOncePerDuePeriod() {
    clock.advance(Duration.ofDays(29));
    assertThat(check().reminded()).isZero();

    clock.advance(Duration.ofDays(2));
    assertThat(check().reminded()).isEqualTo(1);
    assertThat(sent)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p)
                  .containsEntry("secret", "api-key")
                  .containsEntry("owner", "owner@acme.test")
                  .containsEntry("event", "brokered_secret.rotation_due");
              assertThat(p.get("action").toString()).contains("warden secret put api-key --cas 1");
            });

    clock.advance(Duration.ofDays(5));
    assertThat(check().reminded()).isZero();

    secrets.put("api-key", Secret.of("k2"), 1L, null, "owner@acme.test");
    clock.advance(Duration.ofDays(29));
    assertThat(check().reminded()).isZero();
    clock.advance(Duration.ofDays(2));
    assertThat(check().reminded()).isEqualTo(1);
    assertThat(sent).hasSize(2);
  }

  @Test
  void twoNodesCheckingTogetherSendOneReminder() {
    BrokeredSecrets other;
    try (JdbcStore second = JdbcStore.open(database.config(), clock)) {
      other =
          new BrokeredSecrets(
              second.brokeredSecrets(),
              new EnvelopeCipher(SecretBox.generate()),
              new Fingerprinter(new byte[32]),
              audit,
              clock,
              List.of());
      clock.advance(Duration.ofDays(31));
      int total = check().reminded() + other.checkRotations((e, p) -> sent.add(p)).reminded();
      assertThat(total).isEqualTo(1);
    }
    assertThat(sent).hasSize(1);
  }
}
