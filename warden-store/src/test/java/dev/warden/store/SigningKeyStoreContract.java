package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract of {@link SigningKeyStore}: inserts, compare-and-set updates, a change counter. */
abstract class SigningKeyStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  SigningKeyStore keys() {
    return store().signingKeys();
  }

  private static SigningKeyRecord prepared(String kid, Instant createdAt) {
    return new SigningKeyRecord(
        kid,
        KeyPurpose.ACCESS_TOKEN,
        "EdDSA",
        KeyState.PREPARED,
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\""
            + kid
            + "\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1},
        createdAt,
        null,
        null,
        null);
  }

  private static SigningKeyRecord activated(SigningKeyRecord k, Instant at) {
    return k.activated(at);
  }

  private SigningKeyRecord find(String kid) {
    return keys().list().stream().filter(k -> k.kid().equals(kid)).findFirst().orElseThrow();
  }

  @Test
  void insertThenListReturnsEveryFieldOldestFirst() {
    SigningKeyRecord newer =
        new SigningKeyRecord(
            unique("kid"),
            KeyPurpose.JWT_SVID,
            "ES256",
            KeyState.RETIRED,
            "{\"kty\":\"EC\"}",
            new byte[] {1, 2, 3},
            T0.plusSeconds(5),
            T0.plusSeconds(6),
            T0.plusSeconds(7),
            T0.plusSeconds(8));
    SigningKeyRecord older = prepared(unique("kid"), T0);

    keys().insert(newer);
    keys().insert(older);

    List<SigningKeyRecord> listed = keys().list();
    assertThat(listed)
        .extracting(SigningKeyRecord::kid)
        .containsSubsequence(older.kid(), newer.kid());
    assertThat(listed).extracting(SigningKeyRecord::createdAt).isSorted();
    assertThat(find(newer.kid())).usingRecursiveComparison().isEqualTo(newer);
    assertThat(find(older.kid())).usingRecursiveComparison().isEqualTo(older);
  }

  @Test
  void insertWhenKidExistsThenConflict() {
    SigningKeyRecord k = prepared(unique("kid"), T0);
    keys().insert(k);

    assertThatThrownBy(() -> keys().insert(prepared(k.kid(), T0.plusSeconds(1))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(k.kid());
  }

  @Test
  void updateWhenStateMatchesThenReplacedAndCounterMoves() {
    SigningKeyRecord k = prepared(unique("kid"), T0);
    keys().insert(k);
    long before = keys().changeCounter();
    SigningKeyRecord active = activated(k, T0.plusSeconds(60));

    assertThat(keys().update(active, KeyState.PREPARED)).isTrue();

    assertThat(find(k.kid())).usingRecursiveComparison().isEqualTo(active);
    assertThat(keys().changeCounter()).isGreaterThan(before);
  }

  @Test
  void updateWhenStateDiffersThenUnchangedAndCounterStill() {
    SigningKeyRecord k = prepared(unique("kid"), T0);
    keys().insert(k);
    long before = keys().changeCounter();

    assertThat(keys().update(activated(k, T0.plusSeconds(60)), KeyState.ACTIVE)).isFalse();
    assertThat(keys().update(prepared(unique("unknown"), T0), KeyState.PREPARED)).isFalse();

    assertThat(find(k.kid())).usingRecursiveComparison().isEqualTo(k);
    assertThat(keys().changeCounter()).isEqualTo(before);
  }

  @Test
  void destroyingAKeyRemovesItsPrivateMaterial() {
    SigningKeyRecord k = prepared(unique("kid"), T0);
    keys().insert(k);
    SigningKeyRecord destroyed =
        k.activated(T0.plusSeconds(1)).retired(T0.plusSeconds(2), T0.plusSeconds(3)).destroyed();

    assertThat(keys().update(destroyed, KeyState.PREPARED)).isTrue();

    assertThat(find(k.kid()).encryptedPrivateKey()).isNull();
  }

  @Test
  void updateNeverMovesAKeyToAnotherPurpose() {
    SigningKeyRecord k = prepared(unique("kid"), T0);
    keys().insert(k);
    long before = keys().changeCounter();
    SigningKeyRecord a = k.activated(T0.plusSeconds(60));
    SigningKeyRecord otherPurpose =
        new SigningKeyRecord(
            a.kid(),
            KeyPurpose.JWT_SVID,
            a.algorithm(),
            a.state(),
            a.publicJwk(),
            a.encryptedPrivateKey(),
            a.createdAt(),
            a.activatedAt(),
            null,
            null);

    assertThat(keys().update(otherPurpose, KeyState.PREPARED)).isFalse();

    assertThat(find(k.kid())).usingRecursiveComparison().isEqualTo(k);
    assertThat(keys().changeCounter()).isEqualTo(before);
  }

  @Test
  void concurrentRotationsThenExactlyOneWins() throws InterruptedException {
    for (int round = 0; round < 10; round++) {
      SigningKeyRecord k = prepared(unique("kid"), T0);
      keys().insert(k);
      List<Race.Outcome<Boolean>> outcomes =
          Race.run(
              List.of(
                  () -> keys().update(activated(k, T0.plusSeconds(1)), KeyState.PREPARED),
                  () -> keys().update(activated(k, T0.plusSeconds(2)), KeyState.PREPARED)));

      assertThat(outcomes).extracting(Race.Outcome::result).containsExactlyInAnyOrder(true, false);
    }
  }

  @Test
  void counterMovesWhenAnotherNodeInserts() {
    try (JdbcStore otherNode = openAnother()) {
      long before = keys().changeCounter();

      otherNode.signingKeys().insert(prepared(unique("kid"), T0));

      assertThat(keys().changeCounter()).isGreaterThan(before);
    }
  }
}
