package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.WardenVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code warden server} as a user runs it: a real process, its exit code and what it prints. */
class ServerCommandTest {
  @TempDir Path dir;

  /** A finished (or killed) {@code warden server} process and what it printed. */
  record Exit(boolean exited, int code, String out, String err) {}

  /**
   * A {@code warden server} process; its output goes to files, so nothing blocks on a full pipe.
   */
  record Server(Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    Exit await(long seconds) throws Exception {
      boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor();
      }
      return new Exit(exited, exited ? process.exitValue() : -1, stdout(), stderr());
    }

    /**
     * The first line of standard output containing {@code text}, waiting for it up to {@code
     * seconds}.
     */
    String line(String text, long seconds) throws Exception {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        var found = stdout().lines().filter(l -> l.contains(text)).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
        if (!process.isAlive()) {
          break;
        }
        Thread.sleep(100);
      }
      return "no line with '" + text + "'; stdout: " + stdout() + " stderr: " + stderr();
    }
  }

  private Server server(String name, String... args) throws IOException {
    return server(name, java.util.Map.of(), args);
  }

  private Server server(String name, java.util.Map<String, String> env, String... args)
      throws IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                Main.class.getName(),
                "server"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().remove("WARDEN_MASTER_KEY");
    pb.environment().putAll(env);
    Process p = pb.start();
    return new Server(p, out, err);
  }

  private static int freePort() {
    return dev.warden.testkit.FreePorts.next();
  }

  @Test
  void portInUseExitsWithinSecondsWithOneLineNamingThePortAndCreatesNothing() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path data = dir.resolve("data");
      Exit e =
          server(
                  "busy",
                  "--port",
                  Integer.toString(busy.getLocalPort()),
                  "--data-dir",
                  data.toString())
              .await(30);
      assertThat(e.exited()).as("still running after 30 s; printed: " + e.out() + e.err()).isTrue();
      assertThat(e.code()).isEqualTo(2);
      assertThat(e.err())
          .isEqualTo(
              "error: port "
                  + busy.getLocalPort()
                  + " on 127.0.0.1 is already in use; stop the"
                  + " other process or choose another port (--port)"
                  + System.lineSeparator());
      assertThat(e.out()).isEmpty();
      assertThat(data).doesNotExist();
    }
  }

  @Test
  void secondServerOnTheSameDataDirExitsSayingAnotherWardenUsesItAndTheFirstSaysItsVersion()
      throws Exception {
    Path data = dir.resolve("data");
    Server first =
        server("first", "--port", Integer.toString(freePort()), "--data-dir", data.toString());
    try {
      assertThat(first.line("is ready on port", 60))
          .startsWith("Warden " + WardenVersion.get() + " is ready on port ");

      Exit second =
          server("second", "--port", Integer.toString(freePort()), "--data-dir", data.toString())
              .await(30);
      assertThat(second.exited()).isTrue();
      assertThat(second.code()).isEqualTo(2);
      assertThat(second.err())
          .isEqualTo(
              "error: another Warden server (pid "
                  + first.process().pid()
                  + ") is using "
                  + data.toAbsolutePath()
                  + "; stop it or choose another --data-dir"
                  + System.lineSeparator());
    } finally {
      first.process().destroy();
      first.process().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void newMasterKeyPrintsOneLineKeysetThatAServerStartsWithFromTheEnvironmentWritingNoKeyFile()
      throws Exception {
    Exit a = server("key-a", "--new-master-key").await(30);
    Exit b = server("key-b", "--new-master-key").await(30);
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out().lines().toList()).hasSize(1);
    assertThat(a.out()).startsWith("{").contains("AesGcmKey");
    assertThat(b.out()).as("every call makes a new key").isNotEqualTo(a.out());

    Path data = dir.resolve("data");
    Server s =
        server(
            "with-key",
            java.util.Map.of("WARDEN_MASTER_KEY", a.out().strip()),
            "--port",
            Integer.toString(freePort()),
            "--data-dir",
            data.toString());
    try {
      assertThat(s.line("is ready on port", 60))
          .startsWith("Warden " + WardenVersion.get() + " is ready on port ");
      assertThat(data.resolve("master.key"))
          .as("the key came from WARDEN_MASTER_KEY")
          .doesNotExist();
    } finally {
      s.process().destroy();
      s.process().waitFor(30, TimeUnit.SECONDS);
    }
    // the keys the first start stored are readable with that key only
    Exit other =
        server(
                "other-key",
                java.util.Map.of("WARDEN_MASTER_KEY", b.out().strip()),
                "--port",
                Integer.toString(freePort()),
                "--data-dir",
                data.toString())
            .await(60);
    assertThat(other.exited()).isTrue();
    assertThat(other.code()).isNotZero();
  }

  @Test
  void listKeysPrintsEveryKeyThroughTheCommandsOwnWriter() {
    // regression: --list-keys wrote to System.out, past the writer picocli (and a caller) gave the
    // command
    picocli.CommandLine cl =
        Main.commandLine(new CliEnvironment(java.util.Map.of(), Path.of("/nonexistent")));
    java.io.StringWriter out = new java.io.StringWriter();
    cl.setOut(new java.io.PrintWriter(out, true));

    int exit = cl.execute("server", "--list-keys");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("server.port", "db.url", "keys.algorithm");
  }
}
