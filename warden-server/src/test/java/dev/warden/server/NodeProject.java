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
 * A node project under src/test/node, installed for real from npm ({@code npm ci} against its
 * committed lockfile) into target/ once per JVM, whose scripts a test runs and reads JSON lines
 * from.
 */
final class NodeProject {
  private final Path source;
  private final Path installed;
  private final String marker;
  private boolean ready;

  /**
   * @param marker a path under node_modules that exists once installed
   */
  NodeProject(String name, String marker) {
    this.source = Path.of("src/test/node", name);
    this.installed = Path.of("target", name);
    this.marker = marker;
  }

  synchronized Path dir() throws IOException, InterruptedException {
    if (!ready) {
      Files.createDirectories(installed);
      try (Stream<Path> files = Files.list(source)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, installed.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (!Files.exists(installed.resolve("node_modules").resolve(marker))) {
        Process p =
            new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(installed.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new AssertionError(
              "npm ci in "
                  + source
                  + " failed (node and npm are needed, and the npm registry): "
                  + out);
        }
      }
      ready = true;
    }
    return installed;
  }

  /**
   * Runs a script to its end; returns the JSON lines it printed, or fails with everything it
   * printed.
   */
  List<JsonNode> run(String script, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("node", script).directory(dir().toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish; it printed:\n" + out);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(
          script + " failed (exit " + p.exitValue() + "); it printed:\n" + out);
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (l.startsWith("{")) {
        lines.add(ServerFixture.JSON.readTree(l));
      }
    }
    return lines;
  }

  static JsonNode step(List<JsonNode> lines, String step) {
    return lines.stream()
        .filter(l -> step.equals(l.path("step").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + step + "' step in " + lines));
  }
}
