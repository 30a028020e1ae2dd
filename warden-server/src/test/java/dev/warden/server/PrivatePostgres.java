package dev.warden.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL cluster of the test's own (initdb into a temporary directory, a free port, its
 * socket in that directory), for tests that stop and start the database: the machine's shared
 * server is never touched. As root the cluster runs as the {@code postgres} user, since PostgreSQL
 * refuses to run as root. Skips the test only when PostgreSQL's server binaries are not installed.
 */
final class PrivatePostgres implements AutoCloseable {
  final int port;
  private final Path bin;
  private final Path dir;
  private final Path data;
  private final boolean asPostgresUser;

  private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** Creates and starts the cluster. */
  static PrivatePostgres start() throws Exception {
    Path bin = binaries();
    Assumptions.assumeTrue(bin != null, "skipped: PostgreSQL's initdb and pg_ctl are not installed"
        + " (/usr/lib/postgresql/<version>/bin); apt-get install postgresql");
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("warden-pg-");
    if (root) {
      run(List.of("chown", "postgres:postgres", dir.toString()), 30);
    }
    PrivatePostgres pg = new PrivatePostgres(bin, dir, ServerFixture.freePort(), root);
    pg.pg(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", "postgres",
        "-E", "UTF8", "--no-sync"), 120);
    pg.startServer();
    return pg;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Starts the server (again) on the same port and data; returns once it accepts connections. */
  void startServer() throws Exception {
    pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w",
        "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"), 90);
  }

  /** Stops the server as a crash would: no checkpoint, every connection cut ({@code -m immediate}). */
  void stopServer() throws Exception {
    pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
  }

  private void pg(List<String> command, int seconds) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    run(cmd, seconds);
  }

  private static void run(List<String> cmd, int seconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
  }

  /** The newest installed PostgreSQL's bin directory with initdb and pg_ctl, or null. */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString()))).orElse(null);
    }
  }

  private static int versionOf(String name) {
    try {
      return Integer.parseInt(name.replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Stops the server if it runs and deletes the cluster. */
  @Override
  public void close() throws Exception {
    try {
      stopServer();
    } catch (IllegalStateException e) {
      // already stopped
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
