package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "policy", mixinStandardHelpOptions = true, description = "Inspect access policies.",
    subcommands = PolicyCommand.Explain.class)
final class PolicyCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = {"Say whether a workload may reach a resource, which policy decided, and why every other policy did not.",
          "Exit code 0 when allowed, 1 when denied.", ""},
      footer = {"", "Example:", "  warden policy explain --workload spiffe://acme.com/ci/deploy --resource payments-api"})
  static final class Explain extends ApiCommand implements Callable<Integer> {
    @Option(names = "--workload", required = true, paramLabel = "SPIFFE_ID")
    String workload;

    @Option(names = "--resource", required = true, paramLabel = "NAME_OR_AUDIENCE")
    String resource;

    @Option(names = "--source-address", paramLabel = "IP", description = "request.sourceAddress for conditions")
    String sourceAddress;

    @Option(names = "--time", paramLabel = "RFC3339", description = "request.time for conditions (default now)")
    String time;

    @Option(names = "--scope", description = "requested scopes, space-separated")
    String scope;


    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("workload", workload);
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
      JsonNode r = connection.client().post("/v1/decisions:explain", body);
      PrintWriter out = spec.commandLine().getOut();
      boolean allowed = r.path("decision").path("allowed").asBoolean();
      if (output.structured()) {
        output.print(out, r);
      } else {
        JsonNode d = r.path("decision");
        out.printf("%s: %s -> %s%n", allowed ? "ALLOW" : "DENY", r.path("workload").asText(), r.path("resource").asText());
        out.printf("  reason: %s%s%n", d.path("reason").asText(),
            d.has("policy") ? " (policy " + d.path("policy").asText() + ")" : "");
        out.printf("  %s%n", d.path("message").asText());
        if (allowed) {
          out.printf("  credential: %s, max TTL %s%n", d.path("credentialKind").asText(), d.path("maxTtl").asText());
        }
        if (r.path("policies").size() > 0) {
          out.println("  policies naming this resource:");
          for (JsonNode p : r.path("policies")) {
            out.printf("    %-32s %-5s %-22s %s%n", p.path("policy").asText(), p.path("effect").asText(),
                p.path("outcome").asText(), p.path("detail").asText());
          }
        }
      }
      return allowed ? 0 : 1;
    }
  }
}
