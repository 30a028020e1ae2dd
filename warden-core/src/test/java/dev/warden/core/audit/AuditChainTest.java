package dev.warden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditChainTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00.123456Z");
  static final Lease LEASE =
      new Lease(
          "j1",
          dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
          "spiffe://t/a",
          "api",
          T,
          T.plusSeconds(300),
          null,
          null,
          "ab".repeat(32));
  static final AuditEvent BASE =
      new AuditEvent(
          "e1",
          T,
          "token.issued",
          "allow",
          "allowed",
          "spiffe://t/a",
          "spiffe://t/a",
          "api",
          Map.of("jti", "j1"),
          LEASE);

  static Stream<Arguments> edits() {
    return Stream.<Arguments>of(
        Arguments.of(
            "time",
            (UnaryOperator<AuditEvent>)
                e ->
                    new AuditEvent(
                        e.id(),
                        e.time().plusNanos(1000),
                        e.type(),
                        e.outcome(),
                        e.reason(),
                        e.actor(),
                        e.workload(),
                        e.resource(),
                        e.details(),
                        e.lease())),
        Arguments.of(
            "outcome",
            (UnaryOperator<AuditEvent>)
                e ->
                    new AuditEvent(
                        e.id(),
                        e.time(),
                        e.type(),
                        "deny",
                        e.reason(),
                        e.actor(),
                        e.workload(),
                        e.resource(),
                        e.details(),
                        e.lease())),
        Arguments.of(
            "details",
            (UnaryOperator<AuditEvent>)
                e ->
                    new AuditEvent(
                        e.id(),
                        e.time(),
                        e.type(),
                        e.outcome(),
                        e.reason(),
                        e.actor(),
                        e.workload(),
                        e.resource(),
                        Map.of("jti", "j2"),
                        e.lease())),
        Arguments.of(
            "field boundary",
            (UnaryOperator<AuditEvent>)
                e ->
                    new AuditEvent(
                        e.id(),
                        e.time(),
                        e.type(),
                        e.outcome(),
                        e.reason(),
                        e.actor() + "x",
                        e.workload(),
                        e.resource().substring(1),
                        e.details(),
                        e.lease())),
        Arguments.of(
            "lease dropped",
            (UnaryOperator<AuditEvent>)
                e ->
                    new AuditEvent(
                        e.id(),
                        e.time(),
                        e.type(),
                        e.outcome(),
                        e.reason(),
                        e.actor(),
                        e.workload(),
                        e.resource(),
                        e.details(),
                        null)));
  }

  /**
   * Known answers: every stored chain was hashed this way, so a change to the canonical form (field
   * order, length prefixes, time or text encoding) would make every existing log fail to verify.
   */
  @Test
  void canonicalFormHashesAsEveryStoredChainWasHashed() {
    Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("note", "caf\u00e9 \u2713 \ud834\udd1e");
    details.put("empty", "");
    details.put("z", "x".repeat(300));
    AuditEvent other =
        new AuditEvent(
            "\u00e92",
            T.plusNanos(999_999),
            "admin.change",
            "deny",
            "r\u00e4son \u0000 end",
            "admin",
            null,
            null,
            details,
            null);

    byte[] h1 = AuditChain.link(AuditChain.GENESIS, 1, BASE);
    byte[] h2 = AuditChain.link(h1, 1L << 40, other);

    assertThat(java.util.HexFormat.of().formatHex(h1))
        .isEqualTo("8e760e4b683acbccb8ca7a1035041d3ab634e41581a0d0838b05cb80dc12c07b");
    assertThat(java.util.HexFormat.of().formatHex(h2))
        .isEqualTo("234d15b6d4b6d114308e5addccc0a29f7e3890a17fc2fe27b8be1983150d78f0");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edits")
  void anyChangeToAnEventChangesItsHash(String what, UnaryOperator<AuditEvent> edit) {
    byte[] h = AuditChain.link(AuditChain.GENESIS, 1, BASE);
    assertThat(AuditChain.link(AuditChain.GENESIS, 1, edit.apply(BASE))).isNotEqualTo(h);
  }

  @Test
  void hashDependsOnPositionAndPredecessor() {
    byte[] h1 = AuditChain.link(AuditChain.GENESIS, 1, BASE);
    assertThat(AuditChain.link(AuditChain.GENESIS, 2, BASE)).isNotEqualTo(h1);
    assertThat(AuditChain.link(h1, 1, BASE)).isNotEqualTo(h1);
    AuditRecord r = new AuditRecord(1, BASE, AuditChain.GENESIS, h1);
    assertThat(AuditChain.verifies(AuditChain.GENESIS, r)).isTrue();
    assertThat(AuditChain.verifies(h1, r)).isFalse();
  }
}
