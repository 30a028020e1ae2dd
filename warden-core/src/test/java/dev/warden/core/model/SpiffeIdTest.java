package dev.warden.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://acme.test",
        "spiffe://acme.test/ns/payments/sa/web",
        "spiffe://a-b_c.d/x.y-z_1"
      })
  void validIdsRoundTrip(String id) {
    assertThat(SpiffeId.parse(id).toString()).isEqualTo(id);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://acme.test/x|must start with 'spiffe://'",
        "SPIFFE://acme.test/x|must start with 'spiffe://'",
        "spiffe:///x|trust domain is missing",
        "spiffe://Acme.test/x|trust domain may contain only",
        "spiffe://acme.test:8080/x|trust domain may contain only",
        "spiffe://user@acme.test/x|trust domain may contain only",
        "spiffe://acme.test/|must not end with '/'",
        "spiffe://acme.test//x|empty segments",
        "spiffe://acme.test/./x|'.' or '..'",
        "spiffe://acme.test/../x|'.' or '..'",
        "spiffe://acme.test/x?y=1|path segments may contain only",
        "spiffe://acme.test/x#f|path segments may contain only",
        "spiffe://acme.test/%41|path segments may contain only"
      })
  void invalidIdsAreRejectedWithTheRuleNamed(String id, String rule) {
    assertThatThrownBy(() -> SpiffeId.parse(id))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(rule);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "k8s:ns=payments|k8s|ns|payments",
        "github:ref=refs/heads/a=b|github|ref|refs/heads/a=b",
        "x:y=|x|y|"
      })
  void selectorsParse(String text, String type, String key, String value) {
    Selector s = Selector.parse(text);
    assertThat(s).isEqualTo(new Selector(type, key, value == null ? "" : value));
    assertThat(s.toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "nocolon", ":k=v", "t:=v", "t:k", "t k:x=y"})
  void badSelectorsAreRejected(String text) {
    assertThatThrownBy(() -> Selector.parse(text)).isInstanceOf(ValidationException.class);
  }
}
