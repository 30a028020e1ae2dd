package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Read and verify the audit log.",
    subcommands = {
      AuditCommand.ListEvents.class,
      AuditVerifyCommand.class,
      AuditCommand.Checkpoints.class,
      AuditChainCommand.class
    })
final class AuditCommand extends GroupCommand {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {"List audit events, newest first.", ""},
      footer = {
        "",
        "Examples:",
        "  warden audit list --outcome deny --limit 20",
        "  warden audit list --workload spiffe://acme.com/ci/deploy -o json"
      })
  static final class ListEvents extends ApiCommand implements Callable<Integer> {
    @Option(names = "--workload", paramLabel = "SPIFFE_ID")
    @Nullable String workload;

    @Option(names = "--resource")
    @Nullable String resource;

    @Option(names = "--outcome", description = "allow, deny, success or failure")
    @Nullable String outcome;

    @Option(names = "--type", description = "e.g. token.issued, token.denied, config.updated")
    @Nullable String type;

    @Option(names = "--from", paramLabel = "RFC3339")
    @Nullable String from;

    @Option(names = "--to", paramLabel = "RFC3339")
    @Nullable String to;

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
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      for (JsonNode e : r.path("events")) {
        out.printf(
            java.util.Locale.ROOT,
            "%6d %s %-16s %-7s %-20s %s%s%n",
            e.path("seq").asLong(),
            e.path("time").asText(),
            e.path("type").asText(),
            e.path("outcome").asText(),
            e.path("reason").asText(),
            e.path("actor").asText(),
            e.has("resource") ? " -> " + e.path("resource").asText() : "");
      }
      return 0;
    }

    private static void add(StringBuilder q, String k, @Nullable String v) {
      if (v != null) {
        q.append('&').append(k).append('=').append(ApiClient.enc(v));
      }
    }
  }

  @Command(
      name = "checkpoints",
      mixinStandardHelpOptions = true,
      description = {
        "List the newest signed checkpoints of the audit chain head, newest first.",
        "Keep one outside the database (or read them from the audit stream) to verify against later.",
        ""
      },
      footer = {
        "",
        "Examples:",
        "  warden audit checkpoints",
        "  warden audit checkpoints --limit 1 -o json > checkpoint.json",
        "  warden audit verify --checkpoint checkpoint.json"
      })
  static final class Checkpoints extends ApiCommand implements Callable<Integer> {
    @Option(names = "--limit", description = "at most this many checkpoints [10]")
    int limit = 10;

    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/audit/checkpoints?limit=" + Math.max(1, limit));
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      out.printf(java.util.Locale.ROOT, "%-10s %-22s %-16s %s%n", "SEQ", "SIGNED", "HASH", "KID");
      for (JsonNode c : r.path("checkpoints")) {
        String hash = c.path("hash").asText();
        out.printf(
            java.util.Locale.ROOT,
            "%-10d %-22s %-16s %s%n",
            c.path("seq").asLong(),
            c.path("time").asText(),
            hash.length() > 16 ? hash.substring(0, 16) : hash,
            c.path("kid").asText());
      }
      return 0;
    }
  }
}
