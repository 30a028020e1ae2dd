package dev.warden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The declared Content-Length is read as the client sent it, without Helidon's mappers. */
class BodiesTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|false",
        "100|false",
        "101|true",
        "' 101 '|true",
        "0000000000000000000100|false",
        "99999999999999999999999|true",
        "9223372036854775808|true",
        "''|false",
        "-5|false",
        "1e9|false",
        "abc|false"
      })
  void aDeclaredLengthOverTheLimitIsToldApartFromOneWithinItOrUnreadable(
      String declared, boolean over) {
    assertThat(Bodies.declaresMoreThan(declared, 100)).isEqualTo(over);
  }
}
