package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code warden server} options that answer without starting a server. */
class ServerCommandTest {
  @Test
  void listKeysPrintsEveryKeyThroughTheCommandsOwnWriter() {
    // regression: --list-keys wrote to System.out, past the writer picocli (and a caller) gave the command
    CommandLine cl = Main.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent")));
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));

    int exit = cl.execute("server", "--list-keys");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("server.port", "db.url", "keys.algorithm");
  }
}
