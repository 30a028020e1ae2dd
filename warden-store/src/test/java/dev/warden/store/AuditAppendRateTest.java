package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.model.Lease;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures audit append rates for batches of 1, 50 and 500 events on H2 and PostgreSQL, from one
 * appending thread (the group-commit writer). Not a correctness test and not run by default:
 *
 * <pre>
 * ./mvnw -q -B -o -pl warden-store verify -Dwarden.bench=true -Dtest=AuditAppendRateTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Results go to standard output (target/surefire-reports/...-output.txt). One event in five carries
 * a lease, as token issuance does.
 */
@EnabledIfSystemProperty(named = "warden.bench", matches = "true")
class AuditAppendRateTest {
  private static final long RUN_NANOS = 3_000_000_000L;

  @Test
  void measureAppendRates() throws SQLException {
    List<String> lines = new ArrayList<>();
    try (H2TestDatabase db = new H2TestDatabase()) {
      measure("H2 file (WRITE_DELAY=0)", db, false, lines);
    }
    try (H2TestDatabase db = new H2TestDatabase()) {
      measure("H2 file + CHECKPOINT SYNC per batch", db, true, lines);
    }
    try (PostgresTestDatabase db = new PostgresTestDatabase()) {
      measure("PostgreSQL 127.0.0.1", db, false, lines);
    }
    lines.forEach(System.out::println);
    System.err.println(String.join("\n", lines));
  }

  private static void measure(String label, TestDatabase db, boolean sync, List<String> lines)
      throws SQLException {
    try (JdbcStore store = JdbcStore.open(db.config());
        Connection side =
            sync ? DriverManager.getConnection(db.config().url(), db.config().user(), "") : null) {
      for (int size : new int[] {1, 50, 500}) {
        run(store, size, 200_000_000L, side); // warm-up: JIT, statement caches
        long start = System.nanoTime();
        long events = run(store, size, RUN_NANOS, side);
        double seconds = (System.nanoTime() - start) / 1e9;
        lines.add(
            String.format(
                Locale.ROOT,
                "%-40s batch %3d: %,9.0f events/s  %,7.0f batches/s  (%,d events in %.1f s)",
                label,
                size,
                events / seconds,
                events / seconds / size,
                events,
                seconds));
      }
      assertThat(AuditFixtures.verifyWholeChain(store.audit())).isPositive();
    }
  }

  private static long run(JdbcStore store, int size, long nanos, Connection side)
      throws SQLException {
    long end = System.nanoTime() + nanos;
    long n = 0;
    while (System.nanoTime() < end) {
      List<AuditEvent> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(event(n + i));
      }
      store.audit().append(batch);
      if (side != null) {
        try (Statement s = side.createStatement()) {
          s.execute("CHECKPOINT SYNC");
        }
      }
      n += size;
    }
    return n;
  }

  private static AuditEvent event(long i) {
    Instant now = Instant.now();
    String workload = "spiffe://example.org/ns/payments/sa/api-" + (i % 200);
    if (i % 5 == 0) {
      String jti = UUID.randomUUID().toString();
      Lease l =
          new Lease(
              jti,
              dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
              workload,
              "ledger-db",
              now,
              now.plusSeconds(300),
              null,
              null,
              UUID.randomUUID().toString().replace("-", "")
                  + UUID.randomUUID().toString().replace("-", ""));
      return new AuditEvent(
          UUID.randomUUID().toString(),
          now,
          "token.issued",
          "success",
          "allowed",
          workload,
          workload,
          "ledger-db",
          Map.of("jti", jti, "policy", "payments-ledger", "client_ip", "10.1.2.3"),
          l);
    }
    return new AuditEvent(
        UUID.randomUUID().toString(),
        now,
        "decision",
        i % 7 == 0 ? "deny" : "allow",
        i % 7 == 0 ? "no_matching_policy" : "allowed",
        workload,
        workload,
        "ledger-db",
        Map.of("policy", "payments-ledger", "client_ip", "10.1.2.3"),
        null);
  }
}
