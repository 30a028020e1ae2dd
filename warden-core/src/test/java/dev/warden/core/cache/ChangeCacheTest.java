package dev.warden.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ChangeCacheTest {
  final AtomicLong span = new AtomicLong(1);
  final ChangeCache<String, String> cache = new ChangeCache<>(span::get, 100);
  final AtomicInteger loads = new AtomicInteger();
  final Function<String, String> load = k -> k + "#" + loads.incrementAndGet();

  String get(String key) {
    return cache.get(key, load, v -> true);
  }

  @Test
  void aValueIsKeptUntilAChangeOnThisNodeInvalidatesIt() {
    assertThat(get("a")).isEqualTo("a#1");
    assertThat(get("a")).isEqualTo("a#1");

    cache.invalidate();

    assertThat(get("a")).isEqualTo("a#2");
  }

  @Test
  void aLoadThatRacedAnInvalidationIsNeverServed() {
    // the revocation commits and is reported while the value read before it is on its way in
    String stale =
        cache.get(
            "a",
            k -> {
              String v = load.apply(k);
              cache.invalidate();
              return v;
            },
            v -> true);

    assertThat(stale).isEqualTo("a#1");
    assertThat(get("a")).isEqualTo("a#2");
  }

  @Test
  void everyNewCounterValueDropsEverythingIncludingTheFirstOneSeen() {
    get("a");
    cache.changed(7);
    assertThat(get("a")).isEqualTo("a#2");
    cache.changed(7);
    assertThat(get("a")).isEqualTo("a#2");
    cache.changed(8);
    assertThat(get("a")).isEqualTo("a#3");
  }

  @Test
  void nothingIsKeptWhileChangesMayBeMissedAndANewSpanDropsWhatWasKeptBefore() {
    get("a");
    span.set(-1); // the change feed is reconnecting
    assertThat(get("a")).isEqualTo("a#2");
    assertThat(get("a")).isEqualTo("a#3");
    span.set(2); // listening again: what was kept in span 1 may have missed a change
    assertThat(get("a")).isEqualTo("a#4");
    assertThat(get("a")).isEqualTo("a#4");
  }

  @Test
  void aValueTheCallerDoesNotKeepAndAFailedLoadAreLoadedAgain() {
    assertThat(cache.get("a", load, v -> false)).isEqualTo("a#1");
    assertThat(cache.get("a", load, v -> false)).isEqualTo("a#2");
    assertThatThrownBy(
            () ->
                cache.get(
                    "b",
                    k -> {
                      throw new IllegalStateException("gone");
                    },
                    v -> true))
        .hasMessage("gone");
    assertThat(cache.size()).isZero();
  }
}
