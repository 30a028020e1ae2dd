package dev.warden.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.TargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UpstreamTokenCacheTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  final UpstreamTokenCache<String> cache = new UpstreamTokenCache<>();
  final AtomicInteger fetches = new AtomicInteger();

  UpstreamTokenCache.Cached token(Instant at, Duration life) {
    return new UpstreamTokenCache.Cached(
        Secret.of("t" + fetches.incrementAndGet()), at, at.plus(life), null, false);
  }

  @Test
  void reusedWhileMoreThanTheMarginIsLeftThenFetchedAgain() {
    Duration hour = Duration.ofHours(1);
    assertThat(cache.get("k", T0, () -> token(T0, hour)).source())
        .isEqualTo(UpstreamTokenCache.Source.MISS);
    // an hour's token: margin 6 min (10%)
    assertThat(cache.get("k", T0.plus(Duration.ofMinutes(53)), () -> token(T0, hour)).source())
        .isEqualTo(UpstreamTokenCache.Source.HIT);
    UpstreamTokenCache.Outcome late =
        cache.get(
            "k",
            T0.plus(Duration.ofMinutes(54)),
            () -> token(T0.plus(Duration.ofMinutes(54)), hour));

    assertThat(late.source()).isEqualTo(UpstreamTokenCache.Source.MISS);
    assertThat(late.token().token().reveal()).isEqualTo("t2");
  }

  @Test
  void marginIsAtLeastAMinuteAndAtMostHalfTheLifetime() {
    UpstreamTokenCache.Cached fiveMinutes = token(T0, Duration.ofMinutes(5));
    assertThat(fiveMinutes.reusableAt(T0.plusSeconds(239))).isTrue();
    assertThat(fiveMinutes.reusableAt(T0.plusSeconds(240))).isFalse();
    UpstreamTokenCache.Cached twoMinutes = token(T0, Duration.ofMinutes(2));
    assertThat(twoMinutes.reusableAt(T0.plusSeconds(59))).isTrue();
    assertThat(twoMinutes.reusableAt(T0.plusSeconds(60))).isFalse();
  }

  @Test
  void eachKeyHasItsOwnToken() {
    cache.get("read", T0, () -> token(T0, Duration.ofHours(1)));
    UpstreamTokenCache.Outcome other =
        cache.get("read write", T0, () -> token(T0, Duration.ofHours(1)));

    assertThat(other.source()).isEqualTo(UpstreamTokenCache.Source.MISS);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void concurrentMissesShareOneFetch() throws Exception {
    CountDownLatch inFetch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    int n = 32;
    List<Future<UpstreamTokenCache.Outcome>> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      outcomes.add(
          pool.submit(
              () ->
                  cache.get(
                      "k",
                      T0,
                      () -> {
                        inFetch.countDown();
                        await(release);
                        return token(T0, Duration.ofHours(1));
                      })));
      inFetch.await();
      for (int i = 1; i < n; i++) {
        outcomes.add(pool.submit(() -> cache.get("k", T0, () -> token(T0, Duration.ofHours(1)))));
      }
      Thread.sleep(100); // let the others reach the flight
      release.countDown();
      List<UpstreamTokenCache.Source> sources = new ArrayList<>();
      for (Future<UpstreamTokenCache.Outcome> f : outcomes) {
        UpstreamTokenCache.Outcome o = f.get();
        assertThat(o.token().token().reveal()).isEqualTo("t1");
        sources.add(o.source());
      }
      assertThat(sources).containsOnlyOnce(UpstreamTokenCache.Source.MISS);
    }
    assertThat(fetches).hasValue(1);
  }

  @Test
  void aFailureIsSharedByItsWaitersButNotRemembered() throws Exception {
    CountDownLatch inFetch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<UpstreamTokenCache.Outcome> leader =
          pool.submit(
              () ->
                  cache.get(
                      "k",
                      T0,
                      () -> {
                        inFetch.countDown();
                        await(release);
                        fetches.incrementAndGet();
                        throw TargetException.unreachable("connection refused", null);
                      }));
      inFetch.await();
      Future<UpstreamTokenCache.Outcome> waiter =
          pool.submit(() -> cache.get("k", T0, () -> token(T0, Duration.ofHours(1))));
      Thread.sleep(100);
      release.countDown();
      assertThatThrownBy(leader::get).hasCauseInstanceOf(TargetException.class);
      assertThatThrownBy(waiter::get)
          .hasCauseInstanceOf(TargetException.class)
          .hasMessageContaining("connection refused");
    }
    assertThat(fetches).hasValue(1);

    UpstreamTokenCache.Outcome next =
        cache.get("k", T0.plusSeconds(1), () -> token(T0, Duration.ofHours(1)));

    assertThat(next.source()).isEqualTo(UpstreamTokenCache.Source.MISS);
    assertThat(fetches).hasValue(2);
  }

  private static void await(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
