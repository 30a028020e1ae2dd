package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Inspect access policies.",
    subcommands = PolicyCommand.Explain.class)
final class PolicyCommand extends GroupCommand {
  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description = {
        "Say whether a workload may reach a resource, which policy decided, and why every other policy did not.",
        "The answer is the token endpoint's for a request with the attributes shown; an attribute you do not give",
        "is assumed as a real request would most likely carry it (the source address is this machine's, as the",
        "server sees it) and is marked as assumed.",
        "Exit code 0 when allowed, 1 when denied.",
        ""
      },
      footer = {
        "",
        "Examples:",
        "  warden policy explain --workload spiffe://acme.com/ci/deploy --resource payments-api",
        "  warden policy explain --workload spiffe://acme.com/ns/payments/sa/api --resource ledger-api \\",
        "      --source-address 10.0.3.7 --scope ledger:write --claim kubernetes.io/namespace=payments",
        "  warden policy explain --workload spiffe://acme.com/ns/ai/sa/sub-agent --resource ledger-api \\",
        "      --on-behalf-of spiffe://acme.com/ns/shop/sa/frontend --through spiffe://acme.com/ns/ai/sa/planner"
      })
  static final class Explain extends ApiCommand implements Callable<Integer> {
    @Option(names = "--workload", required = true, paramLabel = "SPIFFE_ID")
    String workload;

    @Option(names = "--resource", required = true, paramLabel = "NAME_OR_AUDIENCE")
    String resource;

    @Option(
        names = "--source-address",
        paramLabel = "IP",
        description =
            "request.sourceAddress (default: this machine's address as the server sees it)")
    @Nullable String sourceAddress;

    @Option(names = "--time", paramLabel = "RFC3339", description = "request.time (default: now)")
    @Nullable String time;

    @Option(
        names = "--scope",
        paramLabel = "SCOPES",
        description = "requested scopes, space-separated (default: none)")
    @Nullable String scope;

    @Option(
        names = "--claim",
        paramLabel = "NAME=VALUE",
        description =
            "a verified claim of the platform token, repeatable: NAME=text, or NAME:=JSON for a number, list"
                + " or object (default: none)")
    List<String> claims = new ArrayList<>();

    @Option(
        names = "--on-behalf-of",
        paramLabel = "SUBJECT",
        description =
            "explain a delegated request: the workload acts for this subject (request.subject)")
    @Nullable String onBehalfOf;

    @Option(
        names = "--through",
        paramLabel = "ACTOR",
        description =
            "an actor before the workload in the chain, repeatable, most recent first (request.actor_chain)")
    List<String> through = new ArrayList<>();

    @Option(
        names = "--txn",
        paramLabel = "TXN",
        description = "the transaction id of a presented Txn-Token (request.txn)")
    @Nullable String txn;

    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("workload", workload);
      if (onBehalfOf != null) {
        body.put("onBehalfOf", onBehalfOf);
      }
      if (!through.isEmpty()) {
        through.forEach(body.putArray("through")::add);
      }
      if (txn != null) {
        body.put("txn", txn);
      }
      body.put("resource", resource);
      if (sourceAddress != null) {
        body.put("sourceAddress", sourceAddress);
      }
      if (time != null) {
        body.put("time", time);
      }
      if (scope != null) {
        body.put("scope", scope);
      }
      if (!claims.isEmpty()) {
        body.set("claims", claims(claims));
      }
      JsonNode r = connection.client().post("/v1/decisions:explain", body);
      PrintWriter out = spec.commandLine().getOut();
      boolean allowed = r.path("decision").path("allowed").asBoolean();
      if (output.structured()) {
        output.print(out, r);
      } else {
        JsonNode d = r.path("decision");
        out.printf(
            java.util.Locale.ROOT,
            "%s: %s -> %s%n",
            allowed ? "ALLOW" : "DENY",
            r.path("workload").asText(),
            r.path("resource").asText());
        out.printf(
            java.util.Locale.ROOT,
            "  reason: %s%s%n",
            d.path("reason").asText(),
            d.has("policy") ? " (policy " + d.path("policy").asText() + ")" : "");
        out.printf(java.util.Locale.ROOT, "  %s%n", d.path("message").asText());
        if (allowed) {
          out.printf(
              java.util.Locale.ROOT,
              "  credential: %s, max TTL %s%n",
              d.path("credentialKind").asText(),
              d.path("maxTtl").asText());
        }
        printRequest(out, r.path("request"));
        JsonNode del = r.path("request").path("delegation");
        if (del.isObject()) {
          out.printf(
              java.util.Locale.ROOT,
              "  delegation: on behalf of %s, %d actor(s) deep%s%n",
              del.path("subject").asText(),
              del.path("depth").asInt(),
              del.has("txn") ? ", txn " + del.path("txn").asText() : "");
          for (JsonNode a : del.path("actorChain")) {
            out.printf(
                java.util.Locale.ROOT,
                "    actor %s%s%n",
                a.path("id").asText(),
                a.path("registered").asBoolean() ? "" : " (not a registered workload)");
          }
        }
        if (r.path("policies").size() > 0) {
          out.println("  policies naming this resource:");
          for (JsonNode p : r.path("policies")) {
            out.printf(
                java.util.Locale.ROOT,
                "    %-32s %-5s %-22s %s%n",
                p.path("policy").asText(),
                p.path("effect").asText(),
                p.path("outcome").asText(),
                p.path("detail").asText());
          }
        }
      }
      return allowed ? 0 : 1;
    }

    private static final String[][] ATTRIBUTES = {
      {"sourceAddress", "--source-address"},
      {"time", "--time"},
      {"scopes", "--scope"},
      {"claims", "--claim"}
    };

    /**
     * The request attributes the decision was made for; assumed ones say so and name the option
     * that sets them.
     */
    private static void printRequest(PrintWriter out, JsonNode request) {
      if (request.isMissingNode()) {
        return;
      }
      out.println("  request attributes (* assumed):");
      for (String[] a : ATTRIBUTES) {
        JsonNode v = request.path(a[0]);
        String value =
            v.isArray() || v.isObject() ? (v.isEmpty() ? "none" : v.toString()) : v.asText();
        JsonNode why = request.path("assumed").path(a[0]);
        out.printf(
            java.util.Locale.ROOT,
            "    %-14s %s%s%n",
            a[0],
            value,
            why.isMissingNode() ? "" : " *  " + why.asText() + "; set with " + a[1]);
      }
    }

    /** NAME=text or NAME:=JSON, as HTTPie writes them. */
    static ObjectNode claims(List<String> args) {
      ObjectNode o = ApiClient.JSON.createObjectNode();
      for (String c : args) {
        int eq = c.indexOf('=');
        if (eq <= 0 || (eq == 1 && c.charAt(0) == ':')) {
          throw new CliException(2, "--claim '" + c + "': write NAME=text or NAME:=JSON");
        }
        if (c.charAt(eq - 1) == ':') {
          if (c.substring(eq + 1).isBlank()) {
            throw new CliException(
                2, "--claim " + c.substring(0, eq - 1) + ": give a JSON value after :=");
          }
          try {
            o.set(c.substring(0, eq - 1), ApiClient.JSON.readTree(c.substring(eq + 1)));
          } catch (java.io.IOException e) {
            throw new CliException(
                2, "--claim " + c.substring(0, eq - 1) + ": the value after := is not JSON");
          }
        } else {
          o.put(c.substring(0, eq), c.substring(eq + 1));
        }
      }
      return o;
    }
  }
}
