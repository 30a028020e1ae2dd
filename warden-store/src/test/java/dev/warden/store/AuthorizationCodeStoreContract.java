package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ConflictException;
import dev.warden.core.oauth.AuthorizationCode;
import dev.warden.core.oauth.AuthorizationCodeStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link AuthorizationCodeStore}: every node sees a code, and redeems it at most
 * once.
 */
abstract class AuthorizationCodeStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  AuthorizationCodeStore codes() {
    return store().authorizationCodes();
  }

  private AuthorizationCode code(String name, Instant issuedAt) throws Exception {
    byte[] hash =
        MessageDigest.getInstance("SHA-256").digest(unique(name).getBytes(StandardCharsets.UTF_8));
    return new AuthorizationCode(
        hash,
        "https://client.example/cimd.json",
        "http://127.0.0.1:3000/callback",
        "notes-mcp",
        "https://mcp.example.com/mcp",
        "notes:read",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "https://idp.example#248289761001",
        "users-to-notes",
        issuedAt,
        issuedAt.plusSeconds(60),
        Duration.ofMinutes(5),
        "3b1c6f0e-5f8e-4c65-9df4-a3d3f0bb9a11",
        null,
        null);
  }

  @Test
  void insertThenGetReturnsEveryField() throws Exception {
    AuthorizationCode c = code("code", T0);

    codes().insert(c);

    assertThat(codes().get(c.codeHash()))
        .hasValueSatisfying(got -> assertThat(got).usingRecursiveComparison().isEqualTo(c));
  }

  @Test
  void getWhenUnknownThenEmpty() throws Exception {
    assertThat(codes().get(code("unknown", T0).codeHash())).isEmpty();
  }

  @Test
  void insertWhenHashExistsThenConflictAndFirstKept() throws Exception {
    AuthorizationCode c = code("code", T0);
    codes().insert(c);

    AuthorizationCode other =
        new AuthorizationCode(
            c.codeHash(),
            "https://other.example/c.json",
            c.redirectUri(),
            c.resource(),
            c.audience(),
            null,
            c.codeChallenge(),
            c.subject(),
            c.policy(),
            T0,
            T0,
            Duration.ofSeconds(1),
            "other",
            null,
            null);
    assertThatThrownBy(() -> codes().insert(other)).isInstanceOf(ConflictException.class);
    assertThat(codes().get(c.codeHash()).orElseThrow().clientId()).isEqualTo(c.clientId());
  }

  @Test
  void redeemWhenCalledTwiceThenOnlyTheFirstSucceeds() throws Exception {
    AuthorizationCode c = code("code", T0);
    codes().insert(c);

    assertThat(codes().redeem(c.codeHash(), T0.plusSeconds(1))).isTrue();
    assertThat(codes().redeem(c.codeHash(), T0.plusSeconds(2))).isFalse();
    assertThat(codes().get(c.codeHash()).orElseThrow().usedAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void redeemWhenUnknownThenFalse() throws Exception {
    assertThat(codes().redeem(code("unknown", T0).codeHash(), T0)).isFalse();
  }

  @Test
  void redeemWhenEightNodesRaceThenExactlyOneWins() throws Exception {
    AuthorizationCode c = code("code", T0);
    codes().insert(c);
    List<JdbcStore> nodes = new ArrayList<>();
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        JdbcStore node = openAnother();
        nodes.add(node);
        tasks.add(() -> node.authorizationCodes().redeem(c.codeHash(), T0.plusSeconds(1)));
      }
      List<Race.Outcome<Boolean>> outcomes = Race.run(tasks);
      assertThat(outcomes).allMatch(Race.Outcome::succeeded);
      assertThat(outcomes.stream().filter(o -> o.result()).count()).isEqualTo(1);
    } finally {
      nodes.forEach(JdbcStore::close);
    }
  }

  @Test
  void markReusedKeepsTheFirstMoment() throws Exception {
    AuthorizationCode c = code("code", T0);
    codes().insert(c);

    assertThat(codes().markReused(c.codeHash(), T0.plusSeconds(3))).isTrue();
    assertThat(codes().markReused(c.codeHash(), T0.plusSeconds(9))).isTrue();

    assertThat(codes().get(c.codeHash()).orElseThrow().reusedAt()).isEqualTo(T0.plusSeconds(3));
    assertThat(codes().markReused(code("unknown", T0).codeHash(), T0)).isFalse();
  }

  @Test
  void deleteExpiredRemovesOnlyCodesExpiredBeforeTheMoment() throws Exception {
    AuthorizationCode old = code("old", T0.minusSeconds(3600));
    AuthorizationCode fresh = code("fresh", T0);
    codes().insert(old);
    codes().insert(fresh);

    assertThat(codes().deleteExpired(T0)).isGreaterThanOrEqualTo(1);

    assertThat(codes().get(old.codeHash())).isEmpty();
    assertThat(codes().get(fresh.codeHash())).isPresent();
  }
}
