package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import dev.warden.server.config.ConfigLoader;
import io.helidon.webserver.WebServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures a first run meets: a busy port, a data directory another server uses. */
class ServerStartTest {
  @TempDir Path dir;

  private static WardenServer start(int port, Path dataDir) {
    return WardenServer.start(
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of("server.port", Integer.toString(port), "server.dataDir", dataDir.toString())),
        Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
  }

  @Test
  void portInUseIsRefusedNamingThePortBeforeAnythingIsCreated() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path data = dir.resolve("data");
      assertThatThrownBy(() -> start(busy.getLocalPort(), data))
          .isInstanceOf(ValidationException.class)
          .hasMessage(
              "port "
                  + busy.getLocalPort()
                  + " on 127.0.0.1 is already in use; stop the other process or"
                  + " choose another port (--port)");
      assertThat(data).doesNotExist();
    }
  }

  @Test
  void listenerThatCannotBindIsNotRunningAndTheErrorNamesThePort() throws Exception {
    // WardenServer relies on this: Helidon logs a failed bind and returns a server that is not
    // running
    Logger loom = Logger.getLogger("io.helidon.webserver.LoomServer");
    Level was = loom.getLevel();
    loom.setLevel(Level.OFF);
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      WebServer http =
          WebServer.builder()
              .host("127.0.0.1")
              .port(busy.getLocalPort())
              .shutdownHook(false)
              .routing(r -> r.get("/", (req, res) -> res.send("x")))
              .build()
              .start();
      assertThat(http.isRunning()).isFalse();
      assertThat(http.port()).isNegative();
      assertThat(Listener.notListening("127.0.0.1", busy.getLocalPort()))
          .hasMessageContaining("port " + busy.getLocalPort() + " on 127.0.0.1 is already in use");
    } finally {
      loom.setLevel(was);
    }
  }

  @Test
  void secondServerOnTheSameDataDirIsToldAnotherWardenUsesItAndMayStartOnceTheFirstStops() {
    Path data = dir.resolve("data");
    WardenServer first = start(0, data);
    try {
      assertThatThrownBy(() -> start(0, data))
          .isInstanceOf(ValidationException.class)
          .hasMessage(
              "another Warden server (pid "
                  + ProcessHandle.current().pid()
                  + ") is using "
                  + data.toAbsolutePath()
                  + "; stop it or choose another --data-dir");
    } finally {
      first.close();
    }
    start(0, data).close();
  }
}
