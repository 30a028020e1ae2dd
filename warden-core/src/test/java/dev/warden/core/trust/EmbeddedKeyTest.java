package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedKeyTest {
  /** RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint. */
  static final String RFC7638_N =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
          + "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
          + "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQ"
          + "Fh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

  static final String RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

  static Map<String, Object> rfcKey() {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("kty", "RSA");
    k.put("n", RFC7638_N);
    k.put("e", "AQAB");
    k.put("alg", "RS256");
    k.put("kid", "2011-04-29");
    return k;
  }

  @Test
  void thumbprintIsTheRfc7638ExampleValue() {
    assertThat(EmbeddedKey.parse(rfcKey(), Set.of("RS256")).thumbprint())
        .isEqualTo(RFC7638_THUMBPRINT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
  void aKeyWithPrivateOrSymmetricMaterialIsRefused(String member) {
    Map<String, Object> k = rfcKey();
    k.put(member, "AQAB");
    assertThatThrownBy(() -> EmbeddedKey.parse(k, Set.of("RS256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private key material");
  }

  @Test
  void aKeyThatFitsNoAllowedAlgorithmIsRefused() {
    assertThatThrownBy(() -> EmbeddedKey.parse(rfcKey(), Set.of("ES256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fits none");
  }

  @Test
  void somethingThatIsNotAJwkIsRefused() {
    assertThatThrownBy(() -> EmbeddedKey.parse("RSA", Set.of("RS256")))
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> EmbeddedKey.parse(Map.of("kty", 7), Set.of("RS256")))
        .hasMessageContaining("not a valid JSON Web Key");
  }
}
