package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real server on a free port with its data in {@code dir/data}, the admin token it printed at its
 * first start, and the {@code warden} command run in this process with a home directory of the
 * test's own ({@code dir/home}), so no test reads or writes the real ~/.config/warden.
 */
final class CliFixture implements AutoCloseable {
  private static final Pattern TOKEN = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");

  /** What one run of the command returned and printed. */
  record Run(int exit, String out, String err) {}

  final WardenServer server;
  final String url;
  final String token;
  private final Path dir;

  private CliFixture(WardenServer server, String url, String token, Path dir) {
    this.server = server;
    this.url = url;
    this.token = token;
    this.dir = dir;
  }

  /** Starts the server with {@code extra} flags besides its port and data directory. */
  static CliFixture start(Path dir, Map<String, String> extra) throws IOException {
    int port = dev.warden.testkit.FreePorts.next();
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.resolve("data").toString());
    flags.putAll(extra);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WardenServer server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            Clock.systemUTC(),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m = TOKEN.matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    return new CliFixture(server, "http://127.0.0.1:" + port, m.group(1), dir);
  }

  /** The command with this environment, its output captured. */
  Run warden(Map<String, String> env, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(new CliEnvironment(env, dir.resolve("home")), args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
