package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.crypto.Secret;
import dev.warden.core.model.SpiffeId;
import dev.warden.testkit.MutableClock;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Credentials stay off the connection path: cached, refreshed ahead, shared, and dropped when
 * policy says no.
 */
class CredentialCacheTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  final MutableClock clock = MutableClock.startingAt(T0);
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicReference<EdgeException> failWith = new AtomicReference<>();

  CredentialFetcher fetcher(Duration life) {
    return (svid, resource) -> {
      EdgeException e = failWith.get();
      if (e != null) {
        throw e;
      }
      int n = fetches.incrementAndGet();
      return new EdgeCredential(
          "lease-" + n,
          "w_user_" + n,
          Secret.of("pw" + n),
          "127.0.0.1",
          5432,
          "db",
          clock.instant(),
          clock.instant().plus(life),
          null);
    };
  }

  static X509Svid svid(String id) throws Exception {
    return new X509Svid(
        SpiffeId.parse(id),
        List.of(),
        KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate(),
        null);
  }

  @Test
  void aValidCredentialIsServedFromTheCacheWithoutAskingTheServer() throws Exception {
    try (CredentialCache c = new CredentialCache(fetcher(Duration.ofMinutes(10)), clock)) {
      X509Svid w = svid("spiffe://td/a");
      EdgeCredential first = c.get(w, "db");
      clock.advance(Duration.ofMinutes(5));
      assertThat(c.get(w, "db")).isSameAs(first);
      assertThat(fetches).hasValue(1);
      assertThat(c.get(svid("spiffe://td/b"), "db").username()).isEqualTo("w_user_2");
      assertThat(c.get(w, "other").username()).isEqualTo("w_user_3");
    }
  }

  @Test
  void aCredentialTheTargetRefusedIsDiscardedSoTheNextConnectionFetchesANewOne() throws Exception {
    try (CredentialCache c = new CredentialCache(fetcher(Duration.ofMinutes(10)), clock)) {
      X509Svid w = svid("spiffe://td/a");
      EdgeCredential revoked = c.get(w, "db");
      c.discard(revoked);
      EdgeCredential next = c.get(w, "db");
      assertThat(next.username()).isEqualTo("w_user_2");
      // a connection still holding the old one must not throw away the new one
      c.discard(revoked);
      assertThat(c.get(w, "db")).isSameAs(next);
      assertThat(fetches).hasValue(2);
    }
  }

  @Test
  void pastEightyPercentTheOldCredentialServesWhileTheNextIsFetchedInTheBackground()
      throws Exception {
    try (CredentialCache c = new CredentialCache(fetcher(Duration.ofMinutes(10)), clock)) {
      X509Svid w = svid("spiffe://td/a");
      EdgeCredential first = c.get(w, "db");
      clock.advance(Duration.ofMinutes(9));
      assertThat(c.get(w, "db")).isSameAs(first);
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (fetches.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(20);
      assertThat(c.get(w, "db").username()).isEqualTo("w_user_2");
    }
  }

  @Test
  void manyConnectionsAtOnceCauseOneFetch() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CredentialFetcher slow =
        (svid, resource) -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new EdgeException(EdgeException.Kind.UNAVAILABLE, "interrupted");
          }
          return fetcher(Duration.ofMinutes(10)).fetch(svid, resource);
        };
    try (CredentialCache c = new CredentialCache(slow, clock);
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      X509Svid w = svid("spiffe://td/a");
      List<Future<EdgeCredential>> got = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        got.add(ex.submit(() -> c.get(w, "db")));
      }
      Thread.sleep(100);
      release.countDown();
      for (Future<EdgeCredential> f : got) {
        assertThat(f.get().username()).isEqualTo("w_user_1");
      }
      assertThat(fetches).hasValue(1);
    }
  }

  @Test
  void whileTheServerIsUnreachableTheCachedCredentialServesUntilItExpiresThenAClearErrorFollows()
      throws Exception {
    try (CredentialCache c = new CredentialCache(fetcher(Duration.ofMinutes(10)), clock)) {
      X509Svid w = svid("spiffe://td/a");
      EdgeCredential first = c.get(w, "db");
      failWith.set(
          new EdgeException(EdgeException.Kind.UNAVAILABLE, "cannot reach the Warden server"));
      clock.advance(Duration.ofMinutes(9));
      assertThat(c.get(w, "db")).isSameAs(first);
      clock.advance(Duration.ofMinutes(1));
      assertThatThrownBy(() -> c.get(w, "db"))
          .isInstanceOf(EdgeException.class)
          .hasMessageContaining("cannot reach");
    }
  }

  @Test
  void aRefusalByPolicyDropsTheCachedCredentialAtOnce() throws Exception {
    try (CredentialCache c = new CredentialCache(fetcher(Duration.ofMinutes(10)), clock)) {
      X509Svid w = svid("spiffe://td/a");
      c.get(w, "db");
      failWith.set(new EdgeException(EdgeException.Kind.DENIED, "access_denied"));
      clock.advance(Duration.ofMinutes(9));
      c.get(w, "db"); // still valid: served, and the refresh is refused in the background
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (c.size() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThatThrownBy(() -> c.get(w, "db"))
          .isInstanceOf(EdgeException.class)
          .satisfies(
              e -> assertThat(((EdgeException) e).kind()).isEqualTo(EdgeException.Kind.DENIED));
    }
  }
}
