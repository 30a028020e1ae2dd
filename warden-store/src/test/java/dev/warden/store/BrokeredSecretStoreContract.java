package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.crypto.EnvelopeCipher.Envelope;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.BrokeredSecretStore.Read;
import dev.warden.core.secret.RotationSpec;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract of {@link BrokeredSecretStore}: envelopes in and out, versions check-and-set, pruning, reads. */
abstract class BrokeredSecretStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");
  private static final SecretSettings SETTINGS = new SecretSettings("team-pay@acme.test", "Stripe key",
      Duration.ofDays(30), 3, null);

  BrokeredSecretStore secrets() {
    return store().brokeredSecrets();
  }

  private static SecretVersion v(String name, long version) {
    return new SecretVersion(name, version, VersionState.ACTIVE,
        new Envelope(new byte[] {1, (byte) version}, new byte[] {2, (byte) version}), "fp" + version,
        T0.plusSeconds(version), "admin:a", null, null);
  }

  private String create() {
    String name = unique("stripe");
    secrets().create(new SecretMetadata(name, SETTINGS, 1, T0, "admin:a", T0, "admin:a", T0, null, null, null),
        v(name, 1));
    return name;
  }

  @Test
  void createThenReadReturnsMetadataAndTheCurrentEnvelope() {
    String name = create();

    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.settings()).isEqualTo(SETTINGS);
    assertThat(m.currentVersion()).isEqualTo(1);
    assertThat(m.createdAt()).isEqualTo(T0);
    assertThat(m.lastRotatedAt()).isEqualTo(T0);
    assertThat(m.lastReadAt()).isNull();
    BrokeredSecretStore.Current c = secrets().current(name).orElseThrow();
    assertThat(c.version().envelope().ciphertext()).containsExactly(2, 1);
    assertThat(c.version().envelope().wrappedKey()).containsExactly(1, 1);
    assertThat(c.version().fingerprint()).isEqualTo("fp1");
    assertThat(secrets().current(unique("none"))).isEmpty();
    assertThat(secrets().list()).extracting(SecretMetadata::name).contains(name);
  }

  @Test
  void createTwiceThenConflictAndTheFirstStays() {
    String name = create();

    assertThatThrownBy(() -> secrets().create(new SecretMetadata(name, SETTINGS, 1, T0, "b", T0, "b", T0, null, null,
        null), v(name, 1))).isInstanceOf(ConflictException.class);
    assertThat(secrets().get(name).orElseThrow().createdBy()).isEqualTo("admin:a");
  }

  @Test
  void addVersionWithTheWrongExpectedVersionThenConflictAndUnchanged() {
    String name = create();
    secrets().addVersion(name, 1, v(name, 2), T0.plusSeconds(60), "b");

    assertThatThrownBy(() -> secrets().addVersion(name, 1, v(name, 2), T0, "c")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> secrets().addVersion(unique("none"), 1, v(name, 2), T0, "c"))
        .isInstanceOf(NotFoundException.class);
    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.currentVersion()).isEqualTo(2);
    assertThat(m.lastRotatedAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(secrets().current(name).orElseThrow().version().fingerprint()).isEqualTo("fp2");
  }

  @Test
  void concurrentWritersWithTheSameExpectedVersionThenExactlyOneWins() throws Exception {
    String name = create();
    List<java.util.concurrent.Callable<Long>> writers = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String by = "w" + i;
      writers.add(() -> {
        secrets().addVersion(name, 1, v(name, 2), T0, by);
        return 2L;
      });
    }
    List<Race.Outcome<Long>> outcomes = Race.run(writers);
    long won = outcomes.stream().filter(Race.Outcome::succeeded).count();
    assertThat(outcomes).filteredOn(o -> !o.succeeded())
        .allSatisfy(o -> assertThat(o.error()).isInstanceOf(ConflictException.class));
    assertThat(won).isEqualTo(1);
    assertThat(secrets().versions(name)).hasSize(2);
  }

  @Test
  void versionsBeyondMaxVersionsAreRemovedOldestFirst() {
    String name = create();
    for (long n = 1; n <= 4; n++) {
      secrets().addVersion(name, n, v(name, n + 1), T0, "a");
    }

    assertThat(secrets().versions(name)).extracting(SecretVersion::version).containsExactly(5L, 4L, 3L);
    secrets().updateSettings(name, new SecretSettings("o@acme.test", null, null, 1,
        new RotationSpec("postgres", "orders-db", "legacy_app")), T0, "b");
    assertThat(secrets().versions(name)).extracting(SecretVersion::version).containsExactly(5L);
    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.settings().rotation()).isEqualTo(new RotationSpec("postgres", "orders-db", "legacy_app"));
    assertThat(m.settings().rotationInterval()).isNull();
    assertThat(m.updatedBy()).isEqualTo("b");
  }

  @Test
  void softDeleteUndeleteAndDestroyMoveOnlyFromTheExpectedState() {
    String name = create();

    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DELETED, T0)).isTrue();
    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DELETED, T0)).isFalse();
    assertThat(secrets().current(name).orElseThrow().version().state()).isEqualTo(VersionState.DELETED);
    assertThat(secrets().version(name, 1).orElseThrow().deletedAt()).isEqualTo(T0);
    assertThat(secrets().changeState(name, 1, VersionState.DELETED, VersionState.ACTIVE, T0)).isTrue();
    assertThat(secrets().version(name, 1).orElseThrow().deletedAt()).isNull();
    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DESTROYED, T0)).isTrue();

    SecretVersion gone = secrets().version(name, 1).orElseThrow();
    assertThat(gone.state()).isEqualTo(VersionState.DESTROYED);
    assertThat(gone.envelope()).isNull();
    assertThat(gone.fingerprint()).isEqualTo("fp1");
    assertThat(secrets().changeState(name, 1, VersionState.DESTROYED, VersionState.ACTIVE, T0)).isFalse();
    assertThat(secrets().changeState(name, 9, VersionState.ACTIVE, VersionState.DELETED, T0)).isFalse();
  }

  @Test
  void readsKeepTheNewestPerWorkloadAndCountThem() {
    String name = create();
    secrets().recordReads(List.of(new Read(name, "spiffe://acme.test/a", 1, T0.plusSeconds(10)),
        new Read(name, "spiffe://acme.test/b", 1, T0.plusSeconds(20))));
    secrets().recordReads(List.of(new Read(name, "spiffe://acme.test/a", 1, T0.plusSeconds(5)),
        new Read(unique("deleted-meanwhile"), "spiffe://acme.test/a", 1, T0)));

    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.lastReadAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(m.lastReadBy()).isEqualTo("spiffe://acme.test/b");
    List<BrokeredSecretStore.Reader> readers = secrets().readers(name, T0);
    assertThat(readers).extracting(BrokeredSecretStore.Reader::workload)
        .containsExactly("spiffe://acme.test/b", "spiffe://acme.test/a");
    assertThat(readers.get(1).lastReadAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(readers.get(1).reads()).isEqualTo(2);
    assertThat(secrets().readers(name, T0.plusSeconds(15))).hasSize(1);
  }

  @Test
  void deleteRemovesTheSecretItsVersionsAndReaders() {
    String name = create();
    secrets().recordReads(List.of(new Read(name, "spiffe://acme.test/a", 1, T0)));

    assertThat(secrets().delete(name)).isTrue();
    assertThat(secrets().delete(name)).isFalse();
    assertThat(secrets().get(name)).isEmpty();
    assertThat(secrets().versions(name)).isEmpty();
    assertThat(secrets().readers(name, T0.minusSeconds(1))).isEmpty();
  }

  @Test
  void rotationNoticeIsClaimedOncePerPreviousValue() {
    String name = create();

    assertThat(secrets().markRotationNotice(name, null, T0)).isTrue();
    assertThat(secrets().markRotationNotice(name, null, T0.plusSeconds(1))).isFalse();
    assertThat(secrets().markRotationNotice(name, T0, T0.plusSeconds(2))).isTrue();
    assertThat(secrets().get(name).orElseThrow().rotationNoticeAt()).isEqualTo(T0.plusSeconds(2));
  }
}
