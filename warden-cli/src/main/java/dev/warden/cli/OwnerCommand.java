package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "owner",
    mixinStandardHelpOptions = true,
    description = "Owner offboarding.",
    subcommands = {OwnerCommand.Depart.class})
final class OwnerCommand extends GroupCommand {
  @Command(
      name = "depart",
      mixinStandardHelpOptions = true,
      description = {
        "An owner is leaving: list everything they hold, then hand it over or suspend it.",
        "Without --reassign-to or --suspend only the list is shown (exit code 1).",
        "With --dry-run nothing changes: the report lists what --reassign-to or --suspend would change and",
        "revoke, what each of their workloads obtained in the window, and who would lose access (exit code 0)."
      },
      footer = {
        "",
        "Examples:",
        "  warden owner depart leaver@acme.test --suspend --dry-run",
        "  warden owner depart leaver@acme.test --reassign-to lead@acme.test --dry-run -o json"
      })
  static final class Depart extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OWNER")
    String owner;

    @Option(
        names = "--reassign-to",
        paramLabel = "OWNER",
        description = "new owner of every workload and imported item")
    @Nullable String reassignTo;

    @Option(
        names = "--suspend",
        description = "suspend their workloads and revoke their live credentials")
    boolean suspend;

    @Mixin ImpactReport impact;

    @Override
    public Integer call() {
      if (reassignTo != null && suspend) {
        throw new CliException(2, "choose one of --reassign-to and --suspend");
      }
      boolean listOnly = reassignTo == null && !suspend;
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("owner", owner);
      b.put("dryRun", listOnly || impact.dryRun);
      b.put("suspend", suspend);
      if (reassignTo != null) {
        b.put("reassignTo", reassignTo);
      }
      impact.into(b);
      JsonNode r = connection.client().post("/v1/owners:depart", b);
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        output.print(out, r);
      } else if (impact.dryRun) {
        ImpactReport.print(
            out,
            r,
            "The departure of "
                + owner
                + " ("
                + (suspend
                    ? "suspend"
                    : reassignTo != null ? "reassign to " + reassignTo : "list only")
                + ") would:");
      } else {
        out.println(
            owner
                + " holds "
                + r.path("workloads").size()
                + " workload(s) and "
                + r.path("imported").size()
                + " imported item(s):");
        r.path("workloads").forEach(w -> out.println("  workload " + w.asText()));
        r.path("imported").forEach(w -> out.println("  imported " + w.asText()));
        if (listOnly) {
          spec.commandLine()
              .getErr()
              .println(
                  "nothing changed: pass --reassign-to <owner> or --suspend"
                      + " (with --dry-run to see who would lose access)");
        } else {
          out.println(
              r.path("action").asText()
                  + (r.hasNonNull("reassignedTo") ? " to " + r.path("reassignedTo").asText() : "")
                  + "; revoked "
                  + r.path("revokedLeases").size()
                  + " live credential(s)");
        }
      }
      return impact.dryRun ? 0 : listOnly ? 1 : 0;
    }
  }
}
