package dev.warden.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A NATS server with JetStream of the test's own, from the machine's {@code nats-server} binary, on
 * a free loopback port with its store in a temporary directory: a test may kill it and start it
 * again on the same port and store, which it must never do to the machine's shared server. A test
 * checks {@link #available} first and skips when the binary is missing, unless {@code CI} is set
 * (there a missing service must fail the build).
 */
public final class PrivateNats implements AutoCloseable {
  /** Where Debian's package installs the server. */
  public static final Path BINARY = Path.of("/usr/sbin/nats-server");

  private final int port;
  private final Path storeDir;
  private @Nullable Process process;

  private PrivateNats(int port, Path storeDir) {
    this.port = port;
    this.storeDir = storeDir;
  }

  /** True when this machine has the nats-server binary. */
  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts a server.
   *
   * @throws IllegalStateException when the binary is missing (install it with {@code apt-get
   *     install nats-server}) or the server does not come up
   */
  public static PrivateNats start() {
    if (!available()) {
      throw new IllegalStateException(
          BINARY + " is missing; install it with: apt-get install nats-server");
    }
    try {
      int port = FreePorts.next();
      PrivateNats n = new PrivateNats(port, Files.createTempDirectory("warden-private-nats"));
      n.restart();
      return n;
    } catch (IOException e) {
      throw new IllegalStateException("could not start a private nats-server", e);
    }
  }

  /** {@code nats://127.0.0.1:<port>} */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills the server at once (SIGKILL), as a crash would; its store stays for {@link #restart}. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server again on the same port and store, and waits until it accepts connections. */
  public void restart() {
    kill();
    Process started;
    try {
      started =
          new ProcessBuilder(
                  List.of(
                      BINARY.toString(),
                      "-a",
                      "127.0.0.1",
                      "-p",
                      Integer.toString(port),
                      "-js",
                      "-sd",
                      storeDir.toString()))
              .redirectErrorStream(true)
              .redirectOutput(storeDir.resolve("nats-server.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + BINARY, e);
    }
    process = started;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IllegalStateException(
            "nats-server exited at start; see " + storeDir.resolve("nats-server.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new IllegalStateException("nats-server did not listen on port " + port + " within 15 s");
  }

  /** Stops the server and deletes its store. */
  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(storeDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: left for the system to clear
    }
  }
}
