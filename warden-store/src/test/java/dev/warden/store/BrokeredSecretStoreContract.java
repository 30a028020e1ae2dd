package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.crypto.EnvelopeCipher.Envelope;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.BrokeredSecretStore.Read;
import dev.warden.core.secret.PendingRotation;
import dev.warden.core.secret.RotationSpec;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretSettings;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link BrokeredSecretStore}: envelopes in and out, versions check-and-set,
 * pruning, reads.
 */
abstract class BrokeredSecretStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");
  private static final SecretSettings SETTINGS =
      new SecretSettings("team-pay@acme.test", "Stripe key", Duration.ofDays(30), 3, null);

  BrokeredSecretStore secrets() {
    return store().brokeredSecrets();
  }

  private static SecretVersion v(String name, long version) {
    return new SecretVersion(
        name,
        version,
        VersionState.ACTIVE,
        new Envelope(new byte[] {1, (byte) version}, new byte[] {2, (byte) version}),
        "fp" + version,
        T0.plusSeconds(version),
        "admin:a",
        null,
        null);
  }

  private static SecretVersion pending(String name, long version) {
    return new SecretVersion(
        name,
        version,
        VersionState.PENDING,
        new Envelope(new byte[] {3, (byte) version}, new byte[] {4, (byte) version}),
        "pfp" + version,
        T0.plusSeconds(version),
        "admin:r",
        null,
        null);
  }

  private String create() {
    String name = unique("stripe");
    secrets()
        .create(
            new SecretMetadata(
                name, SETTINGS, 1, T0, "admin:a", T0, "admin:a", T0, null, null, null, null),
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

    assertThatThrownBy(
            () ->
                secrets()
                    .create(
                        new SecretMetadata(
                            name, SETTINGS, 1, T0, "b", T0, "b", T0, null, null, null, null),
                        v(name, 1)))
        .isInstanceOf(ConflictException.class);
    assertThat(secrets().get(name).orElseThrow().createdBy()).isEqualTo("admin:a");
  }

  @Test
  void addVersionWithTheWrongExpectedVersionThenConflictAndUnchanged() {
    String name = create();
    secrets().addVersion(name, 1, v(name, 2), T0.plusSeconds(60), "b");

    assertThatThrownBy(() -> secrets().addVersion(name, 1, v(name, 2), T0, "c"))
        .isInstanceOf(ConflictException.class);
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
      writers.add(
          () -> {
            secrets().addVersion(name, 1, v(name, 2), T0, by);
            return 2L;
          });
    }
    List<Race.Outcome<Long>> outcomes = Race.run(writers);
    long won = outcomes.stream().filter(Race.Outcome::succeeded).count();
    assertThat(outcomes)
        .filteredOn(o -> !o.succeeded())
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

    assertThat(secrets().versions(name))
        .extracting(SecretVersion::version)
        .containsExactly(5L, 4L, 3L);
    secrets()
        .updateSettings(
            name,
            new SecretSettings(
                "o@acme.test",
                null,
                null,
                1,
                new RotationSpec("postgres", "orders-db", "legacy_app")),
            T0,
            "b");
    assertThat(secrets().versions(name)).extracting(SecretVersion::version).containsExactly(5L);
    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.settings().rotation())
        .isEqualTo(new RotationSpec("postgres", "orders-db", "legacy_app"));
    assertThat(m.settings().rotationInterval()).isNull();
    assertThat(m.updatedBy()).isEqualTo("b");
  }

  @Test
  void softDeleteUndeleteAndDestroyMoveOnlyFromTheExpectedState() {
    String name = create();

    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DELETED, T0))
        .isTrue();
    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DELETED, T0))
        .isFalse();
    assertThat(secrets().current(name).orElseThrow().version().state())
        .isEqualTo(VersionState.DELETED);
    assertThat(secrets().version(name, 1).orElseThrow().deletedAt()).isEqualTo(T0);
    assertThat(secrets().changeState(name, 1, VersionState.DELETED, VersionState.ACTIVE, T0))
        .isTrue();
    assertThat(secrets().version(name, 1).orElseThrow().deletedAt()).isNull();
    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.DESTROYED, T0))
        .isTrue();

    SecretVersion gone = secrets().version(name, 1).orElseThrow();
    assertThat(gone.state()).isEqualTo(VersionState.DESTROYED);
    assertThat(gone.envelope()).isNull();
    assertThat(gone.fingerprint()).isEqualTo("fp1");
    assertThat(secrets().changeState(name, 1, VersionState.DESTROYED, VersionState.ACTIVE, T0))
        .isFalse();
    assertThat(secrets().changeState(name, 9, VersionState.ACTIVE, VersionState.DELETED, T0))
        .isFalse();
  }

  @Test
  void readsKeepTheNewestPerWorkloadAndCountThem() {
    String name = create();
    secrets()
        .recordReads(
            List.of(
                new Read(name, "spiffe://acme.test/a", 1, T0.plusSeconds(10)),
                new Read(name, "spiffe://acme.test/b", 1, T0.plusSeconds(20))));
    secrets()
        .recordReads(
            List.of(
                new Read(name, "spiffe://acme.test/a", 1, T0.plusSeconds(5)),
                new Read(unique("deleted-meanwhile"), "spiffe://acme.test/a", 1, T0)));

    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.lastReadAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(m.lastReadBy()).isEqualTo("spiffe://acme.test/b");
    List<BrokeredSecretStore.Reader> readers = secrets().readers(name, T0);
    assertThat(readers)
        .extracting(BrokeredSecretStore.Reader::workload)
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

  @Test
  void aPendingVersionIsStoredButNeitherCurrentNorReadable() {
    String name = create();

    secrets().addPending(name, 1, pending(name, 2), T0.plusSeconds(5));

    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.currentVersion()).isEqualTo(1);
    assertThat(m.pending()).isEqualTo(new PendingRotation(2, T0.plusSeconds(5), 0, null, null));
    assertThat(secrets().current(name).orElseThrow().version().version()).isEqualTo(1);
    SecretVersion p = secrets().version(name, 2).orElseThrow();
    assertThat(p.state()).isEqualTo(VersionState.PENDING);
    assertThat(p.envelope().ciphertext()).containsExactly(4, 2);
    assertThat(secrets().versions(name)).extracting(SecretVersion::version).containsExactly(2L, 1L);
  }

  @Test
  void aSecondPendingVersionOrAStaleOneIsRefused() {
    String name = create();
    assertThatThrownBy(() -> secrets().addPending(name, 1, pending(name, 3), T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> secrets().addPending(name, 1, v(name, 2), T0))
        .isInstanceOf(IllegalArgumentException.class);
    secrets().addVersion(name, 1, v(name, 2), T0, "a");
    assertThatThrownBy(() -> secrets().addPending(name, 1, pending(name, 2), T0))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> secrets().addPending(unique("none"), 1, pending(name, 2), T0))
        .isInstanceOf(NotFoundException.class);

    secrets().addPending(name, 2, pending(name, 3), T0);

    assertThatThrownBy(() -> secrets().addPending(name, 2, pending(name, 3), T0))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("pending");
    assertThat(secrets().get(name).orElseThrow().pending().version()).isEqualTo(3);
  }

  @Test
  void whileARotationIsPendingNoOtherVersionIsAdded() {
    String name = create();
    secrets().addPending(name, 1, pending(name, 2), T0);

    assertThatThrownBy(() -> secrets().addVersion(name, 1, v(name, 2), T0, "owner"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("pending");
    assertThat(secrets().version(name, 2).orElseThrow().state()).isEqualTo(VersionState.PENDING);
    assertThat(secrets().changeState(name, 2, VersionState.PENDING, VersionState.ACTIVE, T0))
        .isFalse();
    assertThat(secrets().changeState(name, 2, VersionState.PENDING, VersionState.DESTROYED, T0))
        .isFalse();
    assertThat(secrets().changeState(name, 1, VersionState.ACTIVE, VersionState.PENDING, T0))
        .isFalse();
  }

  @Test
  void promoteMakesThePendingVersionCurrentOnceAndPrunes() {
    String name = create();
    for (long n = 1; n <= 2; n++) {
      secrets().addVersion(name, n, v(name, n + 1), T0, "a");
    }
    secrets().addPending(name, 3, pending(name, 4), T0);
    assertThat(secrets().versions(name)).hasSize(4); // max 3, the pending one comes on top

    assertThat(secrets().promotePending(name, 4, T0.plusSeconds(90), "warden:r")).isTrue();
    assertThat(secrets().promotePending(name, 4, T0.plusSeconds(91), "warden:r")).isFalse();

    SecretMetadata m = secrets().get(name).orElseThrow();
    assertThat(m.currentVersion()).isEqualTo(4);
    assertThat(m.pending()).isNull();
    assertThat(m.lastRotatedAt()).isEqualTo(T0.plusSeconds(90));
    assertThat(m.updatedBy()).isEqualTo("warden:r");
    SecretVersion c = secrets().current(name).orElseThrow().version();
    assertThat(c.state()).isEqualTo(VersionState.ACTIVE);
    assertThat(c.fingerprint()).isEqualTo("pfp4");
    assertThat(secrets().versions(name))
        .extracting(SecretVersion::version)
        .containsExactly(4L, 3L, 2L);
    secrets().addVersion(name, 4, v(name, 5), T0, "owner");
  }

  @Test
  void aClaimHoldsUntilItIsStaleOrReleased() {
    String name = create();
    Instant t1 = T0.plusSeconds(10);
    secrets().addPending(name, 1, pending(name, 2), t1);

    assertThat(secrets().claimPending(name, 2, t1, T0.plusSeconds(20)))
        .as("claim not yet stale")
        .isFalse();
    assertThat(secrets().claimPending(name, 3, t1.plusSeconds(1), T0.plusSeconds(20)))
        .as("wrong version")
        .isFalse();
    assertThat(secrets().claimPending(name, 2, t1.plusSeconds(1), T0.plusSeconds(20))).isTrue();
    assertThat(secrets().releasePending(name, 2, t1, "stale claim", T0.plusSeconds(21))).isFalse();

    assertThat(
            secrets()
                .releasePending(
                    name, 2, T0.plusSeconds(20), "permission denied", T0.plusSeconds(21)))
        .isTrue();
    assertThat(secrets().get(name).orElseThrow().pending())
        .isEqualTo(new PendingRotation(2, null, 1, T0.plusSeconds(21), "permission denied"));
    assertThat(secrets().claimPending(name, 2, T0, T0.plusSeconds(22)))
        .as("released: free at once")
        .isTrue();
    assertThat(secrets().releasePending(name, 2, T0.plusSeconds(22), "again", T0.plusSeconds(23)))
        .isTrue();
    assertThat(secrets().get(name).orElseThrow().pending().attempts()).isEqualTo(2);
  }

  @Test
  void dropRemovesThePendingVersionOnlyForItsClaim() {
    String name = create();
    secrets().addPending(name, 1, pending(name, 2), T0);

    assertThat(secrets().dropPending(name, 2, T0.plusSeconds(1))).isFalse();
    assertThat(secrets().dropPending(name, 3, T0)).isFalse();
    assertThat(secrets().dropPending(name, 2, T0)).isTrue();

    assertThat(secrets().get(name).orElseThrow().pending()).isNull();
    assertThat(secrets().version(name, 2)).isEmpty();
    assertThat(secrets().promotePending(name, 2, T0, "r")).isFalse();
    // the number is free again for the next rotation or write
    secrets().addPending(name, 1, pending(name, 2), T0.plusSeconds(3));
    assertThat(secrets().get(name).orElseThrow().pending().attempts()).isZero();
  }

  @Test
  void concurrentRotationsThenExactlyOnePendingWins() throws Exception {
    String name = create();
    List<java.util.concurrent.Callable<Long>> writers = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      writers.add(
          () -> {
            secrets().addPending(name, 1, pending(name, 2), T0);
            return 2L;
          });
    }
    List<Race.Outcome<Long>> outcomes = Race.run(writers);
    assertThat(outcomes).filteredOn(Race.Outcome::succeeded).hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> !o.succeeded())
        .allSatisfy(o -> assertThat(o.error()).isInstanceOf(ConflictException.class));
  }

  @Test
  void concurrentClaimsOfAStalePendingVersionThenExactlyOneWins() throws Exception {
    String name = create();
    secrets().addPending(name, 1, pending(name, 2), T0);
    List<java.util.concurrent.Callable<Boolean>> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Instant at = T0.plusSeconds(200 + i);
      nodes.add(() -> secrets().claimPending(name, 2, T0.plusSeconds(120), at));
    }
    assertThat(Race.run(nodes)).filteredOn(o -> o.succeeded() && o.result()).hasSize(1);
  }

  @Test
  void deletingASecretRemovesItsPendingVersion() {
    String name = create();
    secrets().addPending(name, 1, pending(name, 2), T0);

    assertThat(secrets().delete(name)).isTrue();
    assertThat(secrets().version(name, 2)).isEmpty();
  }
}
