package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code warden agent run --status-listen HOST:PORT}: what it accepts and what it refuses, naming
 * the flag.
 */
class AgentStatusListenTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:9090", "[::1]:9090", "localhost:0"})
  void aHostAndPortIsAnAddressToBind(String spec) {
    assertThat(AgentRunCommand.hostPort(spec).getPort()).isBetween(0, 65535);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9090",
        ":9090",
        "127.0.0.1:",
        "127.0.0.1:http",
        "127.0.0.1:70000",
        "127.0.0.1:-1",
        "",
        "[]:9090"
      })
  void anythingElseIsRefusedWithTheFlagAndAnExample(String spec) {
    assertThatThrownBy(() -> AgentRunCommand.hostPort(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--status-listen")
        .hasMessageContaining("127.0.0.1:9090");
  }
}
