package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "workload",
    mixinStandardHelpOptions = true,
    description = "Workload lifecycle.",
    subcommands = {WorkloadCommand.Retire.class})
final class WorkloadCommand extends GroupCommand {
  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = {
        "Retire a workload and revoke every live credential it holds.",
        "Every allow policy that names only this workload is deleted (its history is kept).",
        "With --dry-run nothing changes: the report lists what would be revoked and deleted, what the",
        "workload obtained in the window, who else uses a resource whose policy goes, and who would lose access.",
        "Exit code 1 if anything could not be revoked."
      },
      footer = {
        "",
        "Examples:",
        "  warden workload retire spiffe://acme.test/batch --dry-run",
        "  warden workload retire spiffe://acme.test/batch --dry-run --window 90d -o json"
      })
  static final class Retire extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPIFFE-ID")
    String spiffeId;

    @Mixin ImpactReport impact;

    @Override
    public Integer call() {
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("workload", spiffeId);
      impact.into(b);
      JsonNode r = connection.client().post("/v1/workloads:retire", b);
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        output.print(out, r);
      } else if (impact.dryRun) {
        ImpactReport.print(out, r, "Retiring " + spiffeId + " would:");
      } else {
        out.printf(
            java.util.Locale.ROOT,
            "%s retired (was %s)%n",
            r.path("workload").asText(),
            r.path("previousState").asText());
        out.printf(
            java.util.Locale.ROOT,
            "revoked %d live credential(s)%n",
            r.path("revokedLeases").size());
        r.path("disabledPolicies")
            .forEach(p -> out.println("deleted policy only it used: " + p.asText()));
        r.path("keptPolicies")
            .forEach(
                p ->
                    out.println(
                        "kept policy only it matches today (pattern or selector; review it): "
                            + p.asText()));
        r.path("notRevoked").forEach(p -> out.println("COULD NOT REVOKE: " + p.asText()));
        out.println(
            r.path("verified").asBoolean()
                ? "verified: nothing live remains"
                : "NOT VERIFIED: see above");
      }
      return impact.dryRun || r.path("verified").asBoolean() ? 0 : 1;
    }
  }
}
