package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Selector;
import dev.warden.core.oauth.UserGrant;
import dev.warden.core.oauth.UserGrantStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link UserGrantStore}: every node reads back exactly the user attested at
 * sign-in (selectors and claims, nested and null claims included), one record per token.
 */
abstract class UserGrantStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  UserGrantStore grants() {
    return store().userGrants();
  }

  private UserGrant grant(String tokenId, Instant expiresAt) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("email", "alice@acme.example");
    claims.put("groups", List.of("mcp-users", "finance"));
    claims.put("address", Map.of("country", "NL"));
    claims.put("email_verified", true);
    claims.put("auth_time", 1_900_000_000L);
    claims.put("middle_name", null);
    return new UserGrant(
        unique(tokenId),
        "https://idp.example#248289761001",
        "corp",
        "https://client.example/cimd.json",
        Set.of(
            Selector.parse("trust:provider=corp"),
            Selector.parse("oidc:groups=mcp-users"),
            Selector.parse("oidc:groups=finance"),
            Selector.parse("oidc:iss=https://idp.example")),
        claims,
        expiresAt);
  }

  @Test
  void insertThenGetReturnsEveryField() {
    UserGrant g = grant("t1", T0.plusSeconds(360));

    grants().insert(g);

    assertThat(grants().get(g.tokenId())).hasValueSatisfying(got -> assertThat(got).isEqualTo(g));
  }

  @Test
  void getWhenUnknownThenEmpty() {
    assertThat(grants().get(unique("never-issued"))).isEmpty();
  }

  @Test
  void insertWhenTokenIsRecordedThenConflictAndFirstKept() {
    UserGrant g = grant("t2", T0.plusSeconds(360));
    grants().insert(g);
    UserGrant other =
        new UserGrant(
            g.tokenId(),
            "https://idp.example#mallory",
            "corp",
            g.clientId(),
            Set.of(Selector.parse("oidc:groups=admins")),
            Map.of(),
            g.expiresAt());

    assertThatThrownBy(() -> grants().insert(other)).isInstanceOf(ConflictException.class);
    assertThat(grants().get(g.tokenId())).contains(g);
  }

  @Test
  void deleteExpiredRemovesOnlyRecordsExpiredBeforeTheInstant() {
    UserGrant old = grant("old", T0.minusSeconds(1));
    UserGrant live = grant("live", T0.plusSeconds(300));
    grants().insert(old);
    grants().insert(live);

    int n = grants().deleteExpired(T0);

    assertThat(n).isGreaterThanOrEqualTo(1);
    assertThat(grants().get(old.tokenId())).isEmpty();
    assertThat(grants().get(live.tokenId())).contains(live);
  }

  @Test
  void selectorsAndClaimsAreKeptExactly() {
    UserGrant g = grant("exact", T0.plusSeconds(60));
    grants().insert(g);

    UserGrant got = grants().get(g.tokenId()).orElseThrow();

    assertThat(got.selectors()).isEqualTo(g.selectors());
    assertThat(got.claims()).containsEntry("middle_name", null);
    assertThat(got.claims().get("groups")).isEqualTo(Arrays.asList("mcp-users", "finance"));
    assertThat(got.claims().get("address")).isEqualTo(Map.of("country", "NL"));
  }
}
