package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Named;
import dev.warden.core.store.ObjectStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ObjectStore}, shared by the four kinds of configuration object. Each
 * kind's suite supplies sample objects with every field set.
 */
abstract class ObjectStoreContract<T extends Named> extends StoreContract {

  /** This kind's store in {@code s}. */
  abstract ObjectStore<T> objectsOf(Store s);

  /**
   * An object named after {@code id} with every optional field set; different {@code variant}s
   * differ in at least one field but have the same name.
   */
  abstract T sample(String id, int variant);

  final ObjectStore<T> objects() {
    return objectsOf(store());
  }

  @Test
  void putWhenAbsentThenVersionOneAndEveryFieldReadsBack() {
    T value = sample(unique("a"), 0);

    Versioned<T> stored = objects().put(value, 0, "admin:alice");

    assertThat(stored.version()).isEqualTo(1);
    assertThat(stored.value()).isEqualTo(value);
    assertThat(stored.updatedBy()).isEqualTo("admin:alice");
    assertThat(stored.updatedAt()).isEqualTo(Micros.truncate(clock.instant()));
    assertThat(objects().get(value.name())).contains(stored);
    assertThat(objects().history(value.name())).containsExactly(stored);
  }

  @Test
  void getWhenAbsentThenEmpty() {
    assertThat(objects().get(sample(unique("absent"), 0).name())).isEmpty();
    assertThat(objects().history(sample(unique("absent"), 0).name())).isEmpty();
  }

  @Test
  void putWithExpectedVersionZeroWhenPresentThenConflict() {
    String id = unique("b");
    T value = sample(id, 0);
    objects().put(value, 0, "alice");

    assertThatThrownBy(() -> objects().put(sample(id, 1), 0, "bob"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("already exists");
    assertThat(objects().get(value.name()).orElseThrow().value()).isEqualTo(value);
  }

  @Test
  void putWithCurrentVersionThenNextVersionAndHistoryGrows() {
    String id = unique("c");
    Versioned<T> v1 = objects().put(sample(id, 0), 0, "alice");
    clock.advance(Duration.ofSeconds(1));

    Versioned<T> v2 = objects().put(sample(id, 1), 1, "bob");

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.value()).isEqualTo(sample(id, 1));
    assertThat(v2.updatedBy()).isEqualTo("bob");
    assertThat(v2.updatedAt()).isAfter(v1.updatedAt());
    assertThat(objects().get(v1.value().name())).contains(v2);
    assertThat(objects().history(v1.value().name())).containsExactly(v1, v2);
  }

  @Test
  void putWithStaleVersionThenConflictAndNothingChanges() {
    String id = unique("d");
    objects().put(sample(id, 0), 0, "alice");
    Versioned<T> v2 = objects().put(sample(id, 1), 1, "alice");

    assertThatThrownBy(() -> objects().put(sample(id, 2), 1, "bob"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("expected version 1");
    assertThat(objects().get(v2.value().name())).contains(v2);
    assertThat(objects().history(v2.value().name())).hasSize(2);
  }

  @Test
  void putWithPositiveVersionWhenAbsentThenConflict() {
    T value = sample(unique("e"), 0);

    assertThatThrownBy(() -> objects().put(value, 1, "alice"))
        .isInstanceOf(ConflictException.class);
    assertThat(objects().get(value.name())).isEmpty();
  }

  @Test
  void putUnconditionallyCreatesThenReplaces() {
    String id = unique("f");

    Versioned<T> v1 = objects().put(sample(id, 0), -1, "alice");
    Versioned<T> v2 = objects().put(sample(id, 1), -1, "bob");

    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(objects().get(v1.value().name())).contains(v2);
  }

  @Test
  void putWhenValueUnchangedThenSameVersionNoHistoryRowAndCounterStill() {
    String id = unique("g");
    Versioned<T> v1 = objects().put(sample(id, 0), 0, "alice");
    long counter = objects().changeCounter();
    clock.advance(Duration.ofSeconds(5));

    Versioned<T> unconditional = objects().put(sample(id, 0), -1, "bob");
    Versioned<T> conditional = objects().put(sample(id, 0), 1, "carol");

    assertThat(unconditional).isEqualTo(v1);
    assertThat(conditional).isEqualTo(v1);
    assertThat(objects().history(v1.value().name())).containsExactly(v1);
    assertThat(objects().changeCounter()).isEqualTo(counter);
  }

  @Test
  void putWithUnknownExpectedVersionThenRejected() {
    assertThatThrownBy(() -> objects().put(sample(unique("h"), 0), -2, "alice"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteHidesObjectAndKeepsHistory() {
    String id = unique("i");
    Versioned<T> v1 = objects().put(sample(id, 0), 0, "alice");
    Versioned<T> v2 = objects().put(sample(id, 1), 1, "alice");
    clock.advance(Duration.ofSeconds(1));

    assertThat(objects().delete(v1.value().name(), "bob")).isTrue();

    String name = v1.value().name();
    assertThat(objects().get(name)).isEmpty();
    assertThat(objects().list()).noneMatch(v -> v.value().name().equals(name));
    assertThat(objects().history(name))
        .containsExactly(v1, v2, new Versioned<>(null, 3, Micros.truncate(clock.instant()), "bob"));
    assertThat(objects().delete(name, "bob")).as("second delete").isFalse();
  }

  @Test
  void deleteWhenAbsentThenFalseAndNoHistory() {
    String name = sample(unique("j"), 0).name();

    assertThat(objects().delete(name, "alice")).isFalse();
    assertThat(objects().history(name)).isEmpty();
  }

  @Test
  void putAfterDeleteContinuesVersionNumbers() {
    String id = unique("k");
    String name = objects().put(sample(id, 0), 0, "alice").value().name();
    objects().delete(name, "alice");

    assertThatThrownBy(() -> objects().put(sample(id, 1), 2, "alice"))
        .as("a deleted object has no version to match")
        .isInstanceOf(ConflictException.class);
    Versioned<T> recreated = objects().put(sample(id, 1), 0, "bob");

    assertThat(recreated.version()).isEqualTo(3);
    assertThat(objects().history(name)).extracting(Versioned::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void listReturnsLiveObjectsOrderedByName() {
    String prefix = unique("l");
    List<String> names = new ArrayList<>();
    for (String id : List.of(prefix + "-c", prefix + "-a", prefix + "-b", prefix + "-d")) {
      names.add(objects().put(sample(id, 0), 0, "alice").value().name());
    }
    objects().delete(names.get(3), "alice");

    List<String> listed =
        objects().list().stream().map(v -> v.value().name()).filter(names::contains).toList();

    assertThat(listed).containsExactly(names.get(1), names.get(2), names.get(0));
    assertThat(objects().list()).extracting(v -> v.value().name()).isSorted();
  }

  @Test
  void changeCounterMovesOnEveryChange() {
    String id = unique("m");
    long c0 = objects().changeCounter();
    String name = objects().put(sample(id, 0), 0, "alice").value().name();
    long c1 = objects().changeCounter();
    objects().put(sample(id, 1), -1, "alice");
    long c2 = objects().changeCounter();
    objects().delete(name, "alice");
    long c3 = objects().changeCounter();

    assertThat(c1).isGreaterThan(c0);
    assertThat(c2).isGreaterThan(c1);
    assertThat(c3).isGreaterThan(c2);
  }

  @Test
  void changeCounterMovesWhenAnotherNodeWrites() {
    try (JdbcStore otherNode = openAnother()) {
      long before = objects().changeCounter();

      objectsOf(otherNode).put(sample(unique("n"), 0), 0, "alice");

      assertThat(objects().changeCounter()).isGreaterThan(before);
    }
  }

  @Test
  void concurrentCreatesThenExactlyOneWins() throws InterruptedException {
    for (int round = 0; round < 10; round++) {
      String id = unique("o");
      List<Race.Outcome<Versioned<T>>> outcomes =
          Race.run(
              List.of(
                  () -> objects().put(sample(id, 0), 0, "alice"),
                  () -> objects().put(sample(id, 1), 0, "bob")));

      assertThat(outcomes).filteredOn(Race.Outcome::succeeded).hasSize(1);
      assertThat(outcomes)
          .filteredOn(o -> !o.succeeded())
          .allSatisfy(o -> assertThat(o.error()).isInstanceOf(ConflictException.class));
      Versioned<T> winner =
          outcomes.stream().filter(Race.Outcome::succeeded).findFirst().orElseThrow().result();
      assertThat(objects().get(winner.value().name())).contains(winner);
      assertThat(objects().history(winner.value().name())).containsExactly(winner);
    }
  }

  @Test
  void concurrentReplacesOfOneVersionThenExactlyOneWins() throws InterruptedException {
    for (int round = 0; round < 10; round++) {
      String id = unique("p");
      objects().put(sample(id, 0), 0, "alice");
      List<Race.Outcome<Versioned<T>>> outcomes =
          Race.run(
              List.of(
                  () -> objects().put(sample(id, 1), 1, "alice"),
                  () -> objects().put(sample(id, 2), 1, "bob")));

      assertThat(outcomes)
          .filteredOn(Race.Outcome::succeeded)
          .hasSize(1)
          .allSatisfy(o -> assertThat(o.result().version()).isEqualTo(2));
      assertThat(outcomes)
          .filteredOn(o -> !o.succeeded())
          .allSatisfy(o -> assertThat(o.error()).isInstanceOf(ConflictException.class));
    }
  }

  @Test
  void concurrentUnconditionalWritesAllSucceedInOneLine() throws InterruptedException {
    String id = unique("q");
    List<Callable<Versioned<T>>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      writers.add(
          () -> {
            Versioned<T> last = null;
            for (int i = 0; i < 5; i++) {
              last = objects().put(sample(id, 1 + writer * 5 + i), -1, "writer-" + writer);
            }
            return last;
          });
    }

    List<Race.Outcome<Versioned<T>>> outcomes = Race.run(writers);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
    String name = sample(id, 0).name();
    assertThat(objects().history(name))
        .extracting(Versioned::version)
        .containsExactly(
            1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L,
            20L);
    assertThat(objects().get(name).orElseThrow().version()).isEqualTo(20);
  }

  @Test
  void concurrentDeletesThenExactlyOneReportsIt() throws InterruptedException {
    String id = unique("r");
    String name = objects().put(sample(id, 0), 0, "alice").value().name();

    List<Race.Outcome<Boolean>> outcomes =
        Race.run(
            List.of(() -> objects().delete(name, "alice"), () -> objects().delete(name, "bob")));

    assertThat(outcomes).extracting(Race.Outcome::result).containsExactlyInAnyOrder(true, false);
    assertThat(objects().history(name)).hasSize(2);
  }
}
