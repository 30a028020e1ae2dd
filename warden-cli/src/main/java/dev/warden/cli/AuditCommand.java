package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.lease.Lease;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Read and verify the audit log.",
    subcommands = {AuditCommand.ListEvents.class, AuditCommand.Verify.class, AuditChainCommand.class})
final class AuditCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = {"List audit events, newest first.", ""},
      footer = {"", "Examples:", "  warden audit list --outcome deny --limit 20",
          "  warden audit list --workload spiffe://acme.com/ci/deploy -o json"})
  static final class ListEvents extends ApiCommand implements Callable<Integer> {
    @Option(names = "--workload", paramLabel = "SPIFFE_ID")
    String workload;

    @Option(names = "--resource")
    String resource;

    @Option(names = "--outcome", description = "allow, deny, success or failure")
    String outcome;

    @Option(names = "--type", description = "e.g. token.issued, token.denied, config.updated")
    String type;

    @Option(names = "--from", paramLabel = "RFC3339")
    String from;

    @Option(names = "--to", paramLabel = "RFC3339")
    String to;

    @Option(names = "--limit", description = "at most this many events [50]")
    int limit = 50;


    @Override
    public Integer call() {
      StringBuilder q = new StringBuilder("/v1/audit?limit=").append(limit);
      add(q, "workload", workload);
      add(q, "resource", resource);
      add(q, "outcome", outcome);
      add(q, "type", type);
      add(q, "from", from);
      add(q, "to", to);
      JsonNode r = connection.client().get(q.toString());
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        output.print(out, r);
        return 0;
      }
      for (JsonNode e : r.path("events")) {
        out.printf(java.util.Locale.ROOT, "%6d %s %-16s %-7s %-20s %s%s%n", e.path("seq").asLong(), e.path("time").asText(),
            e.path("type").asText(), e.path("outcome").asText(), e.path("reason").asText(),
            e.path("actor").asText(), e.has("resource") ? " -> " + e.path("resource").asText() : "");
      }
      return 0;
    }

    private static void add(StringBuilder q, String k, String v) {
      if (v != null) {
        q.append('&').append(k).append('=').append(ApiClient.enc(v));
      }
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Walk the whole hash chain and name the first event that was changed, removed or reordered.",
          "Exit code 0 when the chain is intact, 1 when it is broken.", ""})
  static final class Verify extends ApiCommand implements Callable<Integer> {

    @Override
    public Integer call() {
      ApiClient api = connection.client();
      PrintWriter out = spec.commandLine().getOut();
      byte[] prev = AuditChain.GENESIS;
      long expectedSeq = 1;
      long checked = 0;
      Map<String, Long> seenHashes = new HashMap<>();
      String problem = null;
      long problemSeq = -1;
      boolean progress = !output.structured() && System.console() != null && System.getenv("CI") == null;
      outer:
      while (true) {
        JsonNode page = api.get("/v1/audit/chain?from=" + expectedSeq + "&limit=1000");
        JsonNode events = page.path("events");
        if (events.isEmpty()) {
          break;
        }
        for (JsonNode e : events) {
          AuditRecord r = record(e);
          if (r.seq() != expectedSeq) {
            problem = "event " + expectedSeq + (r.seq() > expectedSeq + 1 ? " to " + (r.seq() - 1) : "")
                + " was removed (the chain jumps from " + (expectedSeq - 1) + " to " + r.seq() + ")";
            problemSeq = expectedSeq;
            break outer;
          }
          if (!java.security.MessageDigest.isEqual(prev, r.prevHash())) {
            String want = HexFormat.of().formatHex(r.prevHash());
            Long earlier = seenHashes.get(want);
            boolean laterMatch = false;
            for (JsonNode other : events) {
              laterMatch |= other.path("seq").asLong() > r.seq() && other.path("hash").asText().equals(want);
            }
            problem = earlier != null || laterMatch
                ? "event " + r.seq() + " was reordered (its predecessor in the chain is not event " + (r.seq() - 1) + ")"
                : "event " + r.seq() + " does not link to event " + (r.seq() - 1) + " (an event before it was removed or changed)";
            problemSeq = r.seq();
            break outer;
          }
          if (!AuditChain.verifies(prev, r)) {
            problem = "event " + r.seq() + " (" + r.event().type() + " at " + r.event().time() + ") was changed after it was written";
            problemSeq = r.seq();
            break outer;
          }
          seenHashes.put(HexFormat.of().formatHex(r.hash()), r.seq());
          prev = r.hash();
          expectedSeq++;
          checked++;
        }
        if (progress) {
          System.err.printf(java.util.Locale.ROOT, "\rverified %d events", checked);
        }
      }
      if (progress) {
        System.err.println();
      }
      if (output.structured()) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("intact", problem == null);
        o.put("checked", checked);
        if (problem != null) {
          o.put("firstBadSeq", problemSeq);
          o.put("problem", problem);
        }
        output.print(out, o);
      } else if (problem == null) {
        out.printf(java.util.Locale.ROOT, "audit chain intact: %d events verified%n", checked);
      } else {
        out.printf(java.util.Locale.ROOT, "AUDIT CHAIN BROKEN: %s (%d events before it verified)%n", problem, checked);
      }
      return problem == null ? 0 : 1;
    }

    static AuditRecord record(JsonNode e) {
      Map<String, String> details = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = e.path("details").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> d = it.next();
        details.put(d.getKey(), d.getValue().asText());
      }
      Lease lease = null;
      JsonNode l = e.get("lease");
      if (l != null && l.isObject()) {
        lease = new Lease(l.path("id").asText(), dev.warden.core.model.CredentialKind.fromWire(l.path("kind").asText()), text(l, "workload"), text(l, "resource"),
            Instant.parse(l.path("issuedAt").asText()), Instant.parse(l.path("expiresAt").asText()), null, null,
            l.path("fingerprint").asText());
      }
      AuditEvent ev = new AuditEvent(e.path("id").asText(), Instant.parse(e.path("time").asText()),
          e.path("type").asText(), e.path("outcome").asText(), e.path("reason").asText(), e.path("actor").asText(),
          text(e, "workload"), text(e, "resource"), details, lease);
      return new AuditRecord(e.path("seq").asLong(), ev, HexFormat.of().parseHex(e.path("prevHash").asText()),
          HexFormat.of().parseHex(e.path("hash").asText()));
    }

    private static String text(JsonNode n, String f) {
      JsonNode v = n.get(f);
      return v == null || v.isNull() ? null : v.asText();
    }
  }
}
