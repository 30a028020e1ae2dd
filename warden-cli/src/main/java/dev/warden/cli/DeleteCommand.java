package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.document.Kind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = {
      "Delete a configuration object (its history is kept and the change is audited).",
      ""
    },
    footer = {
      "",
      "KIND is one of: trustproviders, workloads, resources, policies, edgeproxies (singular forms work"
          + " too).",
      "",
      "Examples:",
      "  warden delete policy deploy-to-payments",
      "  warden delete edgeproxy ledger-db   (the agents running it close its listener and its connections)"
    })
final class DeleteCommand extends ApiCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Option(names = "--dry-run", description = "check, delete nothing")
  boolean dryRun;

  @Override
  public Integer call() {
    Kind k = Kind.parse(kind);
    JsonNode r =
        connection
            .client()
            .delete(
                "/v1/" + k.plural() + "/" + ApiClient.enc(name) + (dryRun ? "?dryRun=true" : ""));
    if (output.structured()) {
      output.print(spec.commandLine().getOut(), r);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              java.util.Locale.ROOT,
              "%s %s %s%n",
              k.wire(),
              name,
              dryRun ? "would be deleted" : "deleted");
    }
    return 0;
  }
}
