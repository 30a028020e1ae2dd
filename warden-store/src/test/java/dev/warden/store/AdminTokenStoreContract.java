package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.admin.AdminTokenStore;
import dev.warden.core.error.ConflictException;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract of {@link AdminTokenStore}. */
abstract class AdminTokenStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  AdminTokenStore tokens() {
    return store().adminTokens();
  }

  private AdminToken token(String id, Instant createdAt) {
    return new AdminToken(
        id,
        "ci deployer",
        new byte[] {0, 1, 2, (byte) 0xff, 127, -128},
        Set.of("policy:write", "audit:read"),
        createdAt,
        createdAt.plusSeconds(86_400),
        null,
        "admin:bootstrap");
  }

  @Test
  void insertThenGetReturnsEveryField() {
    AdminToken t = token(unique("tok"), T0);

    tokens().insert(t);

    assertThat(tokens().get(t.id()))
        .hasValueSatisfying(got -> assertThat(got).usingRecursiveComparison().isEqualTo(t));
    assertThat(tokens().get(unique("unknown"))).isEmpty();
  }

  @Test
  void insertWithOnlyRequiredFieldsThenNullsReadBack() {
    AdminToken t =
        new AdminToken(unique("tok"), null, new byte[32], Set.of(), T0, null, null, null);

    tokens().insert(t);

    assertThat(tokens().get(t.id()))
        .hasValueSatisfying(got -> assertThat(got).usingRecursiveComparison().isEqualTo(t));
  }

  @Test
  void insertWhenIdExistsThenConflictAndFirstKept() {
    AdminToken t = token(unique("tok"), T0);
    tokens().insert(t);

    assertThatThrownBy(
            () ->
                tokens()
                    .insert(
                        new AdminToken(
                            t.id(), "other", new byte[32], Set.of("admin"), T0, null, null, "x")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(t.id());
    assertThat(tokens().get(t.id()).orElseThrow().name()).isEqualTo("ci deployer");
  }

  @Test
  void listReturnsEveryTokenOldestFirst() {
    AdminToken later = token(unique("tok"), T0.plusSeconds(10));
    AdminToken earlier = token(unique("tok"), T0.minusSeconds(10));
    tokens().insert(later);
    tokens().insert(earlier);

    assertThat(tokens().list())
        .extracting(AdminToken::id)
        .containsSubsequence(earlier.id(), later.id());
    assertThat(tokens().list()).extracting(AdminToken::createdAt).isSorted();
  }

  @Test
  void revokeThenTrueOnceAndTokenUnusable() {
    AdminToken t = token(unique("tok"), T0);
    tokens().insert(t);
    Instant at = T0.plusSeconds(60);

    assertThat(tokens().revoke(t.id(), at)).isTrue();
    assertThat(tokens().revoke(t.id(), at.plusSeconds(1))).isFalse();

    AdminToken got = tokens().get(t.id()).orElseThrow();
    assertThat(got.revokedAt()).isEqualTo(at);
    assertThat(got.isUsable(at)).isFalse();
  }

  @Test
  void revokeWhenUnknownThenFalse() {
    assertThat(tokens().revoke(unique("unknown"), T0)).isFalse();
  }
}
