package dev.warden.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ActorTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void chainRendersAsNestedActWithTheCurrentActorOutermost() throws Exception {
    Actor chain = Actor.of("spiffe://a.test/planner").then("spiffe://a.test/researcher");
    StringBuilder sb = new StringBuilder();
    chain.appendJson(sb);
    assertThat(JSON.readValue(sb.toString(), Map.class))
        .isEqualTo(
            Map.of(
                "sub",
                "spiffe://a.test/researcher",
                "act",
                Map.of("sub", "spiffe://a.test/planner")));
    assertThat(chain.depth()).isEqualTo(2);
    assertThat(chain.subjectsInOrder())
        .containsExactly("spiffe://a.test/planner", "spiffe://a.test/researcher");
    assertThat(Actor.fromClaim(JSON.readValue(sb.toString(), Map.class))).isEqualTo(chain);
  }

  @Test
  void subjectWithQuotesAndControlCharactersIsEscapedNotInjected() throws Exception {
    Actor a = Actor.of("x\",\"act\":{\"sub\":\"evil\u0001");
    StringBuilder sb = new StringBuilder();
    a.appendJson(sb);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = JSON.readValue(sb.toString(), Map.class);
    assertThat(m).containsOnlyKeys("sub");
    assertThat(Actor.fromClaim(m)).isEqualTo(a);
  }

  static Stream<Object> malformed() {
    Map<String, Object> deep = Map.of("sub", "x");
    for (int i = 0; i < Actor.MAX_DEPTH; i++) {
      deep = Map.of("sub", "x" + i, "act", deep);
    }
    return Stream.of(
        "spiffe://a.test/x",
        List.of(Map.of("sub", "x")),
        Map.of(),
        Map.of("sub", 42),
        Map.of("sub", ""),
        Map.of("sub", "a", "act", "b"),
        Map.of("sub", "a", "act", Map.of("iss", "b")),
        deep);
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedOrTooDeepActIsInvalidGrant(Object claim) {
    assertThatThrownBy(() -> Actor.fromClaim(claim))
        .isInstanceOf(DeniedException.class)
        .extracting(e -> ((DeniedException) e).reason())
        .isEqualTo(Reason.INVALID_GRANT);
  }

  @Test
  void chainCannotBeBuiltDeeperThanTheLimit() {
    Actor a = Actor.of("a0");
    for (int i = 1; i < Actor.MAX_DEPTH; i++) {
      a = a.then("a" + i);
    }
    Actor full = a;
    assertThatThrownBy(() -> full.then("one-too-many"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
