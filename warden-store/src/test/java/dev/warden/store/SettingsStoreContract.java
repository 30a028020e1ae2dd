package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.store.SettingsStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The contract of {@link SettingsStore}. */
abstract class SettingsStoreContract extends StoreContract {

  SettingsStore settings() {
    return store().settings();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getWhenAbsentThenEmpty() {
    assertThat(settings().get(unique("absent"))).isEmpty();
  }

  @Test
  void putIfAbsentStoresOnlyTheFirstValue() {
    String key = unique("bootstrap");

    assertThat(settings().putIfAbsent(key, bytes("first"))).isTrue();
    assertThat(settings().putIfAbsent(key, bytes("second"))).isFalse();

    assertThat(settings().get(key))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("first")));
  }

  @Test
  void putCreatesThenOverwrites() {
    String key = unique("schedule");

    settings().put(key, bytes("a"));
    settings().put(key, bytes("b"));

    assertThat(settings().get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("b")));
  }

  @Test
  void everyByteValueRoundTrips() {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    String key = unique("binary");
    String empty = unique("empty");

    settings().put(key, all);
    settings().put(empty, new byte[0]);

    assertThat(settings().get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(all));
    assertThat(settings().get(empty)).hasValueSatisfying(v -> assertThat(v).isEmpty());
  }

  @Test
  void concurrentPutIfAbsentThenExactlyOneWins() throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      String key = unique("race");
      List<Callable<Boolean>> racers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        byte[] value = bytes("node-" + i);
        racers.add(() -> settings().putIfAbsent(key, value));
      }

      List<Race.Outcome<Boolean>> outcomes = Race.run(racers);

      assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
      assertThat(outcomes).filteredOn(o -> o.result()).hasSize(1);
      int winner = 0;
      while (!outcomes.get(winner).result()) {
        winner++;
      }
      byte[] expected = bytes("node-" + winner);
      assertThat(settings().get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(expected));
    }
  }

  @Test
  void concurrentPutsOfANewKeyAllSucceed() throws InterruptedException {
    String key = unique("put-race");
    List<Callable<Boolean>> racers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] value = bytes("node-" + i);
      racers.add(
          () -> {
            settings().put(key, value);
            return true;
          });
    }

    assertThat(Race.run(racers)).allSatisfy(o -> assertThat(o.error()).isNull());
    assertThat(new String(settings().get(key).orElseThrow(), StandardCharsets.UTF_8))
        .startsWith("node-");
  }
}
