package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.testkit.PrivatePostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped under load as a crash would ({@code pg_ctl stop -m immediate}) and started
 * again, on a cluster of the test's own: while it is down every grant answers 503 {@code
 * temporarily_unavailable} and none answers with a token, {@code /readyz} says the node is not
 * ready; once it is back, grants succeed again within seconds without restarting Warden, the change
 * feed listens again, and every token returned before, during or after has its issuance in the
 * audit chain.
 */
class PostgresRestartTest {
  @TempDir Path dir;

  record Outcome(long startedAt, long answeredAt, int status, String error, String jti) {}

  @Test
  void whileThePostgresqlServerIsDownGrantsFailClosedAndTheyRecoverByThemselvesWhenItIsBack()
      throws Exception {
    Assumptions.assumeTrue(
        PrivatePostgres.available() || System.getenv("CI") != null,
        "skipped: PostgreSQL's initdb and pg_ctl are not installed (/usr/lib/postgresql/<version>/bin)");
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      // the private cluster trades durability for speed; a crash (stop -m immediate) must lose no
      // commit here
      pg.psql("ALTER SYSTEM SET synchronous_commit = on");
      pg.psql("SELECT pg_reload_conf()");
      Map<String, String> flags = new LinkedHashMap<>();
      flags.put("db.url", pg.jdbcUrl("postgres"));
      flags.put("db.user", "postgres");
      flags.put("db.password", PrivatePostgres.SUPERUSER_PASSWORD);
      flags.put("audit.timeout", "2s");
      try (ServerFixture node =
          ServerFixture.startWithGithub(dir, flags, ServerFixture.GithubWorkload.ORDERS)) {
        assertThat(node.get("/readyz").json().path("changes").asText()).isEqualTo("listening");

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          load.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        while (running.get()) {
                          Map<String, String> form = node.grantForm();
                          long t0 = System.nanoTime();
                          ServerFixture.Response r = node.token(form);
                          outcomes.add(
                              new Outcome(
                                  t0,
                                  System.nanoTime(),
                                  r.status(),
                                  r.json().path("error").asText(null),
                                  r.status() == 200
                                      ? ServerFixture.jti(r.json().path("access_token").asText())
                                      : null));
                        }
                      }));
        }
        Thread.sleep(1_500);
        pg.stopServer();
        long stoppedAt = System.nanoTime();
        Thread.sleep(4_000);
        ServerFixture.Response ready = node.get("/readyz");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().path("database").asText()).isEqualTo("down");
        pg.startServer();
        long startedAt = System.nanoTime();
        long recoveredAt = 0;
        long deadline = startedAt + TimeUnit.SECONDS.toNanos(20);
        while (recoveredAt == 0 && System.nanoTime() < deadline) {
          for (Outcome o : outcomes) {
            if (o.status() == 200 && o.startedAt() > startedAt) {
              recoveredAt = o.answeredAt();
              break;
            }
          }
          Thread.sleep(20);
        }
        Thread.sleep(1_000);
        running.set(false);
        for (Thread t : load) {
          t.join(30_000);
        }

        List<Outcome> all = new ArrayList<>(outcomes);
        List<Outcome> whileDown =
            all.stream()
                .filter(o -> o.startedAt() > stoppedAt && o.answeredAt() < startedAt)
                .toList();
        assertThat(whileDown)
            .as("grants were tried while PostgreSQL was down")
            .hasSizeGreaterThan(2);
        for (Outcome o : whileDown) {
          assertThat(o.status()).as("a grant while the database is down: %s", o).isEqualTo(503);
          assertThat(o.error()).isEqualTo("temporarily_unavailable");
        }
        assertThat(recoveredAt)
            .as("a grant succeeded within 20 s of PostgreSQL starting again")
            .isPositive();
        long recoveryMs = (recoveredAt - startedAt) / 1_000_000;
        System.out.println(
            "PostgresRestartTest: "
                + whileDown.size()
                + " grants refused while down; first token "
                + recoveryMs
                + " ms after PostgreSQL accepted connections again");
        assertThat(recoveryMs).as("recovered within seconds").isLessThan(10_000);
        for (Outcome o : all) {
          if (o.startedAt() > startedAt) {
            assertThat(o.status())
                .as("after the restart, every grant is either served or fails closed: %s", o)
                .isIn(200, 503);
          }
        }

        long deadlineReady = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.get("/readyz").status() != 200
            || !node.get("/readyz").json().path("changes").asText().equals("listening")) {
          assertThat(System.nanoTime())
              .as("ready and listening again: %s", node.get("/readyz").json())
              .isLessThan(deadlineReady);
          Thread.sleep(100);
        }
        Set<String> returned = new HashSet<>();
        all.stream().filter(o -> o.status() == 200).forEach(o -> returned.add(o.jti()));
        Set<String> audited = new HashSet<>();
        for (JsonNode e :
            node.admin("GET", "/v1/audit/chain?from=1&limit=10000", null).json().path("events")) {
          if ("token.issued".equals(e.path("type").asText())) {
            audited.add(e.path("lease").path("id").asText());
          }
        }
        Set<String> missing = new HashSet<>(returned);
        missing.removeAll(audited);
        assertThat(missing)
            .as("tokens returned without their issuance in the audit chain")
            .isEmpty();
      }
    }
  }
}
