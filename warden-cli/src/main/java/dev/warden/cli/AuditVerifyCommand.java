package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditProof;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.checkpoint.CheckpointJws;
import dev.warden.core.checkpoint.TailCheck;
import dev.warden.core.checkpoint.VerifiedCheckpoint;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.ValidationException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warden audit verify}: the whole hash chain walked and the first changed, removed or
 * reordered event named; with {@code --checkpoint}, a signed checkpoint kept elsewhere proves that
 * nothing after it was removed; with {@code --proof}, an exported proof checked offline. Apart from
 * {@link AuditCommand} because its verdicts and exit codes are a contract of their own.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Walk the whole hash chain and name the first event that was changed, removed or reordered.",
      "With --checkpoint, also prove that nothing after a signed checkpoint was removed or rolled back.",
      "With --proof, verify a proof exported from the console's audit explorer offline, without a server.",
      "Exit code 0 when the chain (or proof) is intact, 1 when it is broken or truncated,",
      "2 when the checkpoint is refused or the proof file is not a proof.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  warden audit verify",
      "  warden audit verify --checkpoint saved-checkpoint.json",
      "  warden audit verify --checkpoint https://siem.example/warden/latest-checkpoint --jwks audit-keys.json",
      "  warden audit verify --proof warden-audit-1000-1999.json -o json"
    })
final class AuditVerifyCommand extends ApiCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      paramLabel = "FILE|URL",
      description =
          "a signed checkpoint kept outside the database: a JWS, the JSON of"
              + " /v1/audit/checkpoints/latest, or audit stream JSON lines (the last checkpoint in them)")
  @Nullable String checkpoint;

  @Option(
      names = "--jwks",
      paramLabel = "FILE",
      description =
          "verify the checkpoint with this saved JWKS of the checkpoint keys (offline) instead of the"
              + " server's /v1/audit/checkpoints/jwks")
  java.nio.file.@Nullable Path jwks;

  @Option(
      names = "--proof",
      paramLabel = "FILE",
      description =
          "verify this proof (the console audit explorer's \"Export proof\", format "
              + AuditProof.FORMAT
              + ") offline: no server is contacted")
  java.nio.file.@Nullable Path proof;

  /** Larger than any proof the console exports (5,000 events are a few MB). */
  private static final long MAX_PROOF_BYTES = 256L << 20;

  @Override
  public Integer call() {
    if (proof != null) {
      if (checkpoint != null || jwks != null) {
        throw new CliException(
            2,
            "--proof is verified on its own, offline; compare its last hash with a checkpoint"
                + " separately (drop --checkpoint and --jwks)");
      }
      return verifyProof(spec.commandLine().getOut());
    }
    ApiClient api = connection.client();
    PrintWriter out = spec.commandLine().getOut();
    VerifiedCheckpoint cp = checkpoint == null ? null : verifiedCheckpoint(api);
    byte[] prev = AuditChain.GENESIS;
    byte[] hashAtCheckpoint = null;
    long expectedSeq = 1;
    long checked = 0;
    Map<String, Long> seenHashes = new HashMap<>();
    String problem = null;
    long problemSeq = -1;
    boolean progress =
        !output.structured() && System.console() != null && System.getenv("CI") == null;
    outer:
    while (true) {
      JsonNode page = api.get("/v1/audit/chain?from=" + expectedSeq + "&limit=1000");
      if (cp != null
          && page.hasNonNull("chain")
          && !page.path("chain").asText().equals(cp.checkpoint().chain())) {
        throw new CliException(
            2,
            "the checkpoint is of audit chain "
                + cp.checkpoint().chain()
                + ", and this server's chain is "
                + page.path("chain").asText()
                + ": it was signed by another Warden");
      }
      JsonNode events = page.path("events");
      if (events.isEmpty()) {
        break;
      }
      for (JsonNode e : events) {
        AuditRecord r = record(e);
        if (r.seq() != expectedSeq) {
          problem =
              "event "
                  + expectedSeq
                  + (r.seq() > expectedSeq + 1 ? " to " + (r.seq() - 1) : "")
                  + " was removed (the chain jumps from "
                  + (expectedSeq - 1)
                  + " to "
                  + r.seq()
                  + ")";
          problemSeq = expectedSeq;
          break outer;
        }
        if (!java.security.MessageDigest.isEqual(prev, r.prevHash())) {
          String want = HexFormat.of().formatHex(r.prevHash());
          Long earlier = seenHashes.get(want);
          boolean laterMatch = false;
          for (JsonNode other : events) {
            laterMatch |=
                other.path("seq").asLong() > r.seq() && other.path("hash").asText().equals(want);
          }
          problem =
              earlier != null || laterMatch
                  ? "event "
                      + r.seq()
                      + " was reordered (its predecessor in the chain is not event "
                      + (r.seq() - 1)
                      + ")"
                  : "event "
                      + r.seq()
                      + " does not link to event "
                      + (r.seq() - 1)
                      + " (an event before it was removed or changed)";
          problemSeq = r.seq();
          break outer;
        }
        if (!AuditChain.verifies(prev, r)) {
          problem =
              "event "
                  + r.seq()
                  + " ("
                  + r.event().type()
                  + " at "
                  + r.event().time()
                  + ") was changed after it was written";
          problemSeq = r.seq();
          break outer;
        }
        if (cp != null && r.seq() == cp.checkpoint().seq()) {
          hashAtCheckpoint = r.hash();
        }
        seenHashes.put(HexFormat.of().formatHex(r.hash()), r.seq());
        prev = r.hash();
        expectedSeq++;
        checked++;
      }
      if (progress) {
        spec.commandLine().getErr().printf(java.util.Locale.ROOT, "\rverified %d events", checked);
      }
    }
    if (progress) {
      spec.commandLine().getErr().println();
    }
    // a chain that is intact on its own can still have lost its newest events with the head
    TailCheck tail =
        problem == null && cp != null ? TailCheck.of(cp, expectedSeq - 1, hashAtCheckpoint) : null;
    if (tail != null && !tail.intact()) {
      problem = tail.problem();
      problemSeq = tail.missingFrom();
    }
    if (output.structured()) {
      ObjectNode o = ApiClient.JSON.createObjectNode();
      o.put("intact", problem == null);
      o.put("checked", checked);
      if (problem != null) {
        o.put("firstBadSeq", problemSeq);
        o.put("problem", problem);
      }
      if (cp != null) {
        ObjectNode c = o.putObject("checkpoint");
        c.put("seq", cp.checkpoint().seq());
        c.put("time", cp.checkpoint().time().toString());
        c.put("kid", cp.kid());
        if (tail != null) {
          c.put("holds", tail.intact());
          if (!tail.intact()) {
            c.put("missingFrom", tail.missingFrom());
            c.put("missingTo", tail.missingTo());
          }
        }
      }
      output.print(out, o);
    } else if (problem == null) {
      out.printf(
          java.util.Locale.ROOT,
          "audit chain intact: %d events verified%s%n",
          checked,
          cp == null
              ? ""
              : "; it holds checkpoint "
                  + cp.checkpoint().time()
                  + " (event "
                  + cp.checkpoint().seq()
                  + ")");
    } else if (tail != null) {
      out.printf(
          java.util.Locale.ROOT,
          "AUDIT CHAIN TRUNCATED: %s (%d events verified)%n",
          problem,
          checked);
    } else {
      out.printf(
          java.util.Locale.ROOT,
          "AUDIT CHAIN BROKEN: %s (%d events before it verified)%n",
          problem,
          checked);
    }
    return problem == null ? 0 : 1;
  }

  /**
   * Re-links an exported proof with the core's chain code; nothing is read from a server.
   *
   * @throws CliException (exit 2) when the file cannot be read or is not a proof
   */
  private int verifyProof(PrintWriter out) {
    // call() comes here only when --proof is given
    java.nio.file.Path proof = java.util.Objects.requireNonNull(this.proof, "--proof");
    String text;
    try {
      if (java.nio.file.Files.size(proof) > MAX_PROOF_BYTES) {
        throw new CliException(
            2, proof + " is larger than " + (MAX_PROOF_BYTES >> 20) + " MiB: not an audit proof");
      }
      text = java.nio.file.Files.readString(proof);
    } catch (java.io.IOException e) {
      throw CliException.io("cannot read --proof", proof, e);
    }
    AuditProof p;
    try {
      p = AuditProof.parse(text);
    } catch (ValidationException e) {
      throw new CliException(2, proof + " is not an audit proof: " + e.getMessage());
    }
    AuditProof.Result r = p.verify();
    if (output.structured()) {
      ObjectNode o = ApiClient.JSON.createObjectNode();
      o.put("intact", r.intact());
      o.put("from", p.from());
      o.put("to", p.to());
      o.put("checked", r.checked());
      o.put("anchor", HexFormat.of().formatHex(p.anchor()));
      o.put("last", HexFormat.of().formatHex(p.last()));
      if (!r.intact()) {
        o.put("firstBadSeq", r.firstBadSeq());
        o.put("problem", r.problem());
      }
      output.print(out, o);
    } else if (r.intact()) {
      out.printf(
          java.util.Locale.ROOT,
          "audit proof intact: events %d to %d (%d) link from anchor %s to last %s%n"
              + "(it proves these are exactly the events between those hashes; compare the last"
              + " hash with a signed checkpoint or the chain head you trust)%n",
          p.from(),
          p.to(),
          r.checked(),
          HexFormat.of().formatHex(p.anchor()),
          HexFormat.of().formatHex(p.last()));
    } else {
      out.printf(
          java.util.Locale.ROOT,
          "AUDIT PROOF BROKEN at event %d: %s (%d events before it verified)%n",
          r.firstBadSeq(),
          r.problem(),
          r.checked());
    }
    return r.intact() ? 0 : 1;
  }

  /**
   * @throws CliException (exit 2) when the checkpoint cannot be read or is refused
   */
  private VerifiedCheckpoint verifiedCheckpoint(ApiClient api) {
    // call() comes here only when --checkpoint is given
    String jws =
        CheckpointSource.read(java.util.Objects.requireNonNull(checkpoint, "--checkpoint"), api);
    String keys;
    if (jwks != null) {
      try {
        keys = java.nio.file.Files.readString(jwks);
      } catch (java.io.IOException e) {
        throw CliException.io("cannot read --jwks", jwks, e);
      }
    } else {
      keys = api.get("/v1/audit/checkpoints/jwks").toString();
    }
    try {
      return CheckpointJws.verify(
          jws, CheckpointJws.keys(jwks != null ? "--jwks " + jwks : "the server's JWKS", keys));
    } catch (DeniedException e) {
      throw new CliException(
          2, "checkpoint refused (" + e.reason().code() + "): " + e.getMessage());
    }
  }

  /** One event of {@code GET /v1/audit/chain}, as the chain hashes it. */
  static AuditRecord record(JsonNode e) {
    return AuditProof.record(e);
  }
}
