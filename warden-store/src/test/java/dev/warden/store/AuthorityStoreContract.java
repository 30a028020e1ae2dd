package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.pki.AuthorityRecord;
import dev.warden.core.pki.AuthorityStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link AuthorityStore}: every field round-trips, ids are unique, a state change
 * is a compare-and-set, and the change counter (the bundle's sequence) moves exactly when an
 * authority changes.
 */
abstract class AuthorityStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  AuthorityStore authorities() {
    return store().authorities();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static AuthorityRecord prepared(String id, Instant createdAt) {
    return new AuthorityRecord(
        id,
        KeyState.PREPARED,
        b("chain-" + id),
        b("roots-" + id),
        b("enc-" + id),
        createdAt,
        createdAt.plusSeconds(86_400),
        createdAt,
        null);
  }

  private AuthorityRecord find(AuthorityStore in, String id) {
    return in.list().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void insertThenListReturnsEveryFieldOldestFirst() {
    AuthorityRecord newer =
        new AuthorityRecord(
            unique("ca"),
            KeyState.RETIRED,
            new byte[] {0, 1, -1, 127},
            new byte[] {-128, 0},
            null,
            T0.plusSeconds(10),
            T0.plusSeconds(20),
            T0.plusSeconds(5),
            T0.plusSeconds(6));
    AuthorityRecord older = prepared(unique("ca"), T0);

    authorities().insert(newer);
    authorities().insert(older);

    List<AuthorityRecord> listed = authorities().list();
    assertThat(listed).extracting(AuthorityRecord::id).containsSubsequence(older.id(), newer.id());
    assertThat(listed).extracting(AuthorityRecord::createdAt).isSorted();
    assertThat(find(authorities(), newer.id())).usingRecursiveComparison().isEqualTo(newer);
    assertThat(find(authorities(), older.id())).usingRecursiveComparison().isEqualTo(older);
  }

  @Test
  void storedTimesKeepMicroseconds() {
    Instant nanos = Instant.parse("2030-05-06T07:08:09.123456789Z");
    AuthorityRecord a = prepared(unique("ca"), nanos);

    authorities().insert(a);

    AuthorityRecord read = find(authorities(), a.id());
    assertThat(read.createdAt()).isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(read.notBefore()).isEqualTo(Instant.parse("2030-05-06T07:08:09.123456Z"));
    assertThat(read.notAfter()).isEqualTo(Instant.parse("2030-05-07T07:08:09.123456Z"));
  }

  @Test
  void insertWhenIdExistsThenConflictAndTheFirstIsKept() {
    AuthorityRecord a = prepared(unique("ca"), T0);
    authorities().insert(a);
    long counter = authorities().changeCounter();

    AuthorityRecord again =
        new AuthorityRecord(
            a.id(), KeyState.ACTIVE, b("other"), b("other"), b("other"), T0, T0, T0, T0);
    assertThatThrownBy(() -> authorities().insert(again))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(a.id());

    assertThat(find(authorities(), a.id())).usingRecursiveComparison().isEqualTo(a);
    assertThat(authorities().changeCounter()).isEqualTo(counter);
  }

  @Test
  void updateIsCompareAndSetOnTheStateAndMovesTheCounterOnlyWhenItWins() {
    AuthorityRecord a = prepared(unique("ca"), T0);
    long before = authorities().changeCounter();
    authorities().insert(a);
    assertThat(authorities().changeCounter()).isEqualTo(before + 1);

    AuthorityRecord active =
        a.withState(KeyState.ACTIVE, T0.plusSeconds(5), a.encryptedPrivateKey());
    assertThat(authorities().update(active, KeyState.PREPARED)).isTrue();
    assertThat(authorities().changeCounter()).isEqualTo(before + 2);

    assertThat(authorities().update(active, KeyState.PREPARED)).isFalse();
    assertThat(authorities().update(a.withState(KeyState.RETIRED, null, null), KeyState.RETIRED))
        .isFalse();
    assertThat(authorities().changeCounter()).isEqualTo(before + 2);
    assertThat(find(authorities(), a.id())).usingRecursiveComparison().isEqualTo(active);
  }

  @Test
  void updateOfAnUnknownAuthorityChangesNothing() {
    long before = authorities().changeCounter();
    int count = authorities().list().size();

    assertThat(authorities().update(prepared(unique("ca"), T0), KeyState.PREPARED)).isFalse();

    assertThat(authorities().changeCounter()).isEqualTo(before);
    assertThat(authorities().list()).hasSize(count);
  }

  @Test
  void destroyingAnAuthorityDropsItsKeyAndKeepsItsCertificates() {
    AuthorityRecord a = prepared(unique("ca"), T0);
    authorities().insert(a);
    AuthorityRecord active =
        a.withState(KeyState.ACTIVE, T0.plusSeconds(1), a.encryptedPrivateKey());
    authorities().update(active, KeyState.PREPARED);

    assertThat(
            authorities()
                .update(
                    active.withState(KeyState.DESTROYED, active.activatedAt(), null),
                    KeyState.ACTIVE))
        .isTrue();

    AuthorityRecord read = find(authorities(), a.id());
    assertThat(read.state()).isEqualTo(KeyState.DESTROYED);
    assertThat(read.encryptedPrivateKey()).isNull();
    assertThat(read.chainDer()).isEqualTo(a.chainDer());
    assertThat(read.rootsDer()).isEqualTo(a.rootsDer());
    assertThat(read.activatedAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void whenTwoNodesActivateTheSameAuthorityExactlyOneWins() throws Exception {
    AuthorityRecord a = prepared(unique("ca"), T0);
    authorities().insert(a);
    long before = authorities().changeCounter();
    try (JdbcStore other = openAnother()) {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        AuthorityStore node = i % 2 == 0 ? authorities() : other.authorities();
        AuthorityRecord mine =
            a.withState(KeyState.ACTIVE, T0.plusSeconds(i), a.encryptedPrivateKey());
        tasks.add(() -> node.update(mine, KeyState.PREPARED));
      }
      var outcomes = Race.run(tasks);

      assertThat(outcomes).allMatch(Race.Outcome::succeeded);
      assertThat(outcomes.stream().filter(Race.Outcome::result)).hasSize(1);
      assertThat(other.authorities().changeCounter()).isEqualTo(before + 1);
      assertThat(find(other.authorities(), a.id()).state()).isEqualTo(KeyState.ACTIVE);
    }
  }
}
