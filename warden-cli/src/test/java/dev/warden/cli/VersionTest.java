package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.warden.core.WardenVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One version, the Maven project's, wherever the CLI shows or sends one. */
class VersionTest {
  @TempDir Path home;

  @Test
  void versionIsTheProjectVersionInWardenScanAndTheUserAgent() throws Exception {
    String version = WardenVersion.get();
    assertThat(version)
        .isEqualTo(System.getProperty("warden.projectVersion"))
        .isNotEqualTo("unknown");
    assertThat(run("--version")).startsWith("warden " + version + " (Java ");
    assertThat(run("scan", "--version")).startsWith("warden scan " + version);

    List<String> agents = new CopyOnWriteArrayList<>();
    HttpServer fake =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    fake.createContext(
        "/",
        ex -> {
          agents.add(ex.getRequestHeaders().getFirst("User-Agent"));
          byte[] body = "{\"items\":[]}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    fake.start();
    try {
      run(
          "get",
          "policies",
          "--server",
          "127.0.0.1:" + fake.getAddress().getPort(),
          "--token",
          "t");
    } finally {
      fake.stop(0);
    }
    assertThat(agents).containsExactly("warden-cli/" + version);
  }

  private String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      Main.run(new CliEnvironment(Map.of(), home), args);
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
