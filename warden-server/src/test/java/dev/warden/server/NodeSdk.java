package dev.warden.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official MCP TypeScript SDK, installed for real from npm ({@code npm ci} against the
 * committed lockfile of src/test/node/mcp-sdk-client) and run with node: the third-party client and
 * server Warden's MCP support is tested against. Installed once per JVM into target/.
 */
final class NodeSdk {
  private static final Path SOURCE = Path.of("src/test/node/mcp-sdk-client");
  private static final Path INSTALLED = Path.of("target/mcp-sdk-client");
  private static boolean installed;

  private NodeSdk() {}

  static synchronized Path dir() throws IOException, InterruptedException {
    if (!installed) {
      Files.createDirectories(INSTALLED);
      try (Stream<Path> files = Files.list(SOURCE)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, INSTALLED.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (!Files.isDirectory(INSTALLED.resolve("node_modules/@modelcontextprotocol/sdk"))) {
        Process p =
            new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(INSTALLED.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new AssertionError(
              "npm ci of the MCP TypeScript SDK failed (node and npm are needed, and the npm"
                  + " registry): "
                  + out);
        }
      }
      installed = true;
    }
    return INSTALLED;
  }

  /** Runs a script to its end; returns the JSON lines it printed. */
  static List<JsonNode> run(String script, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("node", script).directory(dir().toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish; it printed:\n" + out);
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (l.startsWith("{")) {
        lines.add(ServerFixture.JSON.readTree(l));
      }
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(
          script + " failed (exit " + p.exitValue() + "); it printed:\n" + out);
    }
    return lines;
  }

  /** Starts a long-running script and waits until it prints its first JSON line. */
  static Process start(String script, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("node", script).directory(dir().toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    java.io.BufferedReader r =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || !line.startsWith("{")) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not start: " + line);
    }
    // keep draining so the process never blocks on a full pipe
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (r.readLine() != null) {
                  // discard
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
    return p;
  }

  static JsonNode step(List<JsonNode> lines, String step) {
    return lines.stream()
        .filter(l -> step.equals(l.path("step").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + step + "' step in " + lines));
  }
}
