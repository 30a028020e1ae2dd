package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's disk fills up: the node's data directory is on a small tmpfs of its own, and
 * the test fills it. Grants fail closed with 503 {@code temporarily_unavailable}, {@code /readyz}
 * answers 503 and says the audit log cannot be written because no space is left; once the file that
 * filled the disk is deleted, the node serves again by itself, with no restart, and the audit chain
 * records the outage ({@code audit.resumed}). Needs root to mount the tmpfs; skipped otherwise.
 */
class DiskFullTest {
  @TempDir Path dir;

  @Test
  void
      whenTheEmbeddedStoresDiskIsFullGrantsFailClosedReadyzSaysWhyAndTheNodeRecoversOnceThereIsSpace()
          throws Exception {
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    String mounted = run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.toString());
    Assumptions.assumeTrue(
        mounted == null,
        () -> "skipped: cannot mount a small tmpfs to fill (needs root): " + mounted);
    Path filler = mnt.resolve("filler");
    try (ServerFixture node =
        ServerFixture.startWithGithub(
            mnt.resolve("data"),
            Map.of("audit.timeout", "2s"),
            ServerFixture.GithubWorkload.ORDERS)) {
      Set<String> returned = new HashSet<>();
      ServerFixture.Response before = node.grant();
      assertThat(before.status()).as("%s", before.json()).isEqualTo(200);
      returned.add(jti(before));

      fill(filler);
      List<ServerFixture.Response> whileFull = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        whileFull.add(node.grant());
      }
      for (ServerFixture.Response r : whileFull) {
        assertThat(r.status()).as("a grant while the disk is full: %s", r.json()).isEqualTo(503);
        assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
      }
      ServerFixture.Response ready = node.get("/readyz");
      assertThat(ready.status()).as("%s", ready.json()).isEqualTo(503);
      assertThat(ready.json().path("audit").asText()).isEqualTo("failing");
      assertThat(ready.json().path("auditError").asText()).contains("No space left on device");

      Files.delete(filler);
      long freedAt = System.nanoTime();
      // no request meanwhile: the node finds out by itself
      while (node.get("/readyz").status() != 200) {
        assertThat(System.nanoTime() - freedAt)
            .as("ready again by itself: %s", node.get("/readyz").json())
            .isLessThan(TimeUnit.SECONDS.toNanos(10));
        Thread.sleep(100);
      }
      long readyMs = (System.nanoTime() - freedAt) / 1_000_000;
      ServerFixture.Response after = node.grant();
      assertThat(after.status()).as("%s", after.json()).isEqualTo(200);
      returned.add(jti(after));
      System.out.println("DiskFullTest: ready again " + readyMs + " ms after space was freed");

      Set<String> audited = new HashSet<>();
      int resumed = 0;
      for (JsonNode e :
          node.admin("GET", "/v1/audit/chain?from=1&limit=10000", null).json().path("events")) {
        if ("token.issued".equals(e.path("type").asText())) {
          audited.add(e.path("lease").path("id").asText());
        }
        if ("audit.resumed".equals(e.path("type").asText())) {
          resumed++;
          assertThat(e.path("details").path("error").asText()).contains("No space left on device");
        }
      }
      assertThat(audited).containsAll(returned);
      assertThat(resumed).as("the outage is recorded once").isEqualTo(1);
    } finally {
      try {
        Files.deleteIfExists(filler);
      } finally {
        run("umount", mnt.toString());
      }
    }
  }

  /** Writes {@code file} until the file system has no space left. */
  static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("No space left on device");
    }
  }

  static String jti(ServerFixture.Response r) {
    return ServerFixture.jti(r.json().path("access_token").asText());
  }

  /** Runs a command; null when it succeeded, else what it printed. */
  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0
        ? null
        : String.join(" ", cmd) + ": " + out;
  }
}
