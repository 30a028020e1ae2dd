package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.ChainCheck;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code warden audit chain <id>}: the tree of hops of one chain of delegated actions, and with
 * {@code --verify} an offline check of every hop's hash and of each link to the hop before it,
 * computed here from the records the server returned (the server's own verdict is not trusted).
 */
@Command(
    name = "chain",
    mixinStandardHelpOptions = true,
    description = {
      "Show the hops of one chain of delegated actions (token exchanges with actors, transaction"
          + " tokens, proxied tool calls) as a tree, each with its decision.",
      ""
    },
    footer = {
      "",
      "The id is a transaction id (txn) or the id of the chain's first event (the jti of the token that"
          + " started it).",
      "Exit code 0 when shown (and, with --verify, intact); 1 when --verify finds a broken hop.",
      "",
      "Examples:",
      "  warden audit chain 6f1c2e9a-...",
      "  warden audit chain 6f1c2e9a-... --verify -o json"
    })
final class AuditChainCommand extends ApiCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "txn, or the id of the chain's first event")
  String id;

  @Option(names = "--verify", description = "re-check every hop's hash and link here, offline")
  boolean verify;

  @Override
  public Integer call() {
    JsonNode r = connection.client().get("/v1/audit/chains/" + ApiClient.enc(id));
    ChainCheck check = null;
    if (verify) {
      List<AuditRecord> records = new ArrayList<>();
      for (JsonNode h : r.path("hops")) {
        records.add(AuditVerifyCommand.record(h));
      }
      check = ChainCheck.of(records);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.structured()) {
      ObjectNode o = r.deepCopy();
      if (check != null) {
        o.put("verified", check.intact());
        ArrayNode p = o.putArray("verifyProblems");
        check.problems().forEach(p::add);
      }
      output.print(out, o);
    } else {
      for (JsonNode n : r.path("tree")) {
        print(out, n, "");
      }
      if (r.path("truncated").asBoolean()) {
        out.println("(the chain is longer than the server returns at once; shown cut)");
      }
      if (check != null) {
        if (check.intact()) {
          out.printf(Locale.ROOT, "chain intact: %d hops verified%n", check.hops());
        } else {
          out.printf(Locale.ROOT, "CHAIN BROKEN:%n");
          check.problems().forEach(p -> out.println("  " + p));
        }
      }
    }
    return check == null || check.intact() ? 0 : 1;
  }

  private static void print(PrintWriter out, JsonNode n, String indent) {
    StringBuilder line = new StringBuilder(indent);
    line.append(n.path("outcome").asText().toUpperCase(Locale.ROOT))
        .append(' ')
        .append(n.path("type").asText())
        .append(" by ")
        .append(n.path("actor").asText());
    if (n.has("subject")) {
      line.append(" for ").append(n.path("subject").asText());
    }
    if (n.has("resource")) {
      line.append(" -> ").append(n.path("resource").asText());
    }
    if (n.has("tool")) {
      line.append(" tool ").append(n.path("tool").asText());
    }
    if (n.has("destination")) {
      line.append(" at ").append(n.path("destination").asText());
    }
    if (!n.path("reason").asText().isEmpty() && !"allowed".equals(n.path("reason").asText())) {
      line.append(" (").append(n.path("reason").asText()).append(')');
    }
    line.append("  [#")
        .append(n.path("seq").asLong())
        .append(' ')
        .append(n.path("id").asText())
        .append(']');
    out.println(line);
    if (n.has("actors")) {
      out.println(indent + "    actors: " + n.path("actors").asText());
    }
    if (n.has("txn")) {
      out.println(indent + "    txn: " + n.path("txn").asText());
    }
    for (JsonNode c : n.path("children")) {
      print(out, c, indent + "  ");
    }
  }
}
