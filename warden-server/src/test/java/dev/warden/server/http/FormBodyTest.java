package dev.warden.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FormBodyTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"a=1&b=2|a|1", "a=x%20y+z|a|x y z", "a=%E2%9C%93|a|\u2713", "a=|a|''", "a|a|''"})
  void decodesParameters(String body, String name, String value) {
    assertThat(FormBody.parse(body.getBytes(StandardCharsets.UTF_8)).get(name))
        .isEqualTo(value == null ? "" : value);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"t=abc%0A|abc", "t=%0D%0Aabc%09+|abc", "t=a+b|a b", "t=+%0A|", "x=1|"})
  void assertionsLoseSurroundingSpaceTabCrAndLf(String body, String value) {
    assertThat(FormBody.parse(body.getBytes(StandardCharsets.UTF_8)).assertion("t"))
        .isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=1&a=2", "a=%", "a=%4", "a=%zz", "x=1&x="})
  void repeatedOrBadlyEncodedParametersAreRefused(String body) {
    assertThatThrownBy(() -> FormBody.parse(body.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BadRequestException.class);
  }
}
