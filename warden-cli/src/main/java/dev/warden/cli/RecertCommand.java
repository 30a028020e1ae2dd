package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "recert",
    mixinStandardHelpOptions = true,
    description = {
      "Run recertification campaigns in which owners confirm or retire each workload.",
      "What is still pending when the campaign is due is suspended.",
      ""
    },
    subcommands = {
      RecertCommand.Start.class,
      RecertCommand.ListCampaigns.class,
      RecertCommand.Show.class,
      RecertCommand.Confirm.class,
      RecertCommand.Retire.class
    })
final class RecertCommand extends GroupCommand {
  static void printCampaign(PrintWriter out, JsonNode c) {
    out.printf(
        java.util.Locale.ROOT,
        "campaign %s  scope %s  due %s  %s  %d pending of %d%n",
        c.path("id").asText(),
        c.path("scope").toString(),
        c.path("dueAt").asText(),
        c.path("state").asText(),
        c.path("pending").asLong(),
        c.path("items").asLong());
    for (JsonNode w : c.path("workloads")) {
      out.printf(
          java.util.Locale.ROOT,
          "  %-18s %-50s %s%n",
          w.path("decision").asText(),
          w.path("workload").asText(),
          w.path("owner").asText());
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start a campaign over active workloads.",
      footer = {"", "Example:", "  warden recert start --scope team=payments --due 14d"})
  static final class Start extends ApiCommand implements Callable<Integer> {
    @Option(
        names = "--scope",
        paramLabel = "KEY=VALUE",
        description = "team=…, owner=… or environment=… (repeatable; all must match)")
    Map<String, String> scope = new LinkedHashMap<>();

    @Option(names = "--due", defaultValue = "14d", description = "time owners have to decide [14d]")
    String due;

    @Option(
        names = "--webhook",
        paramLabel = "URL",
        description = "where reminders go (default: notifications.webhookUrl)")
    @Nullable String webhook;

    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      ObjectNode s = body.putObject("scope");
      scope.forEach(s::put);
      body.put("due", due);
      if (webhook != null) {
        body.put("webhook", webhook);
      }
      JsonNode r = connection.client().post("/v1/recert/campaigns", body);
      if (output.structured()) {
        output.print(spec.commandLine().getOut(), r);
      } else {
        printCampaign(spec.commandLine().getOut(), r);
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List campaigns.")
  static final class ListCampaigns extends ApiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/recert/campaigns");
      if (output.structured()) {
        output.print(spec.commandLine().getOut(), r);
        return 0;
      }
      for (JsonNode c : r.path("campaigns")) {
        printCampaign(spec.commandLine().getOut(), c);
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a campaign and its decisions (exit 1 while any is pending).")
  static final class Show extends ApiCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CAMPAIGN")
    String id;

    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/recert/campaigns/" + id);
      if (output.structured()) {
        output.print(spec.commandLine().getOut(), r);
      } else {
        printCampaign(spec.commandLine().getOut(), r);
      }
      return r.path("pending").asLong() > 0 ? 1 : 0;
    }
  }

  abstract static class Decide extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN")
    String id;

    @Parameters(index = "1", paramLabel = "SPIFFE-ID")
    String workload;

    @Option(names = "--note", description = "why (kept in the campaign and the audit log)")
    @Nullable String note;

    abstract String decision();

    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("workload", workload);
      body.put("decision", decision());
      if (note != null) {
        body.put("note", note);
      }
      JsonNode r = connection.client().post("/v1/recert/campaigns/" + id + "/decisions", body);
      if (output.structured()) {
        output.print(spec.commandLine().getOut(), r);
      } else {
        spec.commandLine()
            .getOut()
            .printf(java.util.Locale.ROOT, "%s: %s%n", workload, r.path("decision").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "confirm",
      mixinStandardHelpOptions = true,
      description = "Confirm that a workload is still needed.")
  static final class Confirm extends Decide {
    @Override
    String decision() {
      return "confirm";
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = "Retire a workload: revoke its credentials and remove policies only it used.")
  static final class Retire extends Decide {
    @Override
    String decision() {
      return "retire";
    }
  }
}
