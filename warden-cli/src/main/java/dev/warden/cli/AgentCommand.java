package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {"Run the Warden agent next to workloads, and manage agents on the server.", ""},
    subcommands = {
      AgentRunCommand.class,
      AgentCommand.TokenCommand.class,
      AgentCommand.ListAgents.class
    })
final class AgentCommand extends GroupCommand {
  @Command(
      name = "token",
      mixinStandardHelpOptions = true,
      description = "Join tokens that bootstrap an agent.",
      subcommands = {CreateToken.class})
  static final class TokenCommand extends GroupCommand {}

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a single-use join token for one agent (shown once).",
        "The agent's node selectors are warden:join=<id> plus every --selector; a workload is served by the",
        "agent when its nodeSelectors are among them.",
        ""
      },
      footer = {"", "Example:", "  warden agent token create --selector node:pool=web --ttl 15m"})
  static final class CreateToken extends ApiCommand implements Callable<Integer> {
    @Option(
        names = "--selector",
        paramLabel = "TYPE:KEY=VALUE",
        description = "node selector for the agent (repeatable)")
    List<String> selectors = new ArrayList<>();

    @Option(
        names = "--ttl",
        defaultValue = "10m",
        description = "how long the token may be used, at most 1h [10m]")
    String ttl;

    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      selectors.forEach(body.putArray("selectors")::add);
      body.put("ttl", ttl);
      JsonNode r = connection.client().post("/v1/agent-tokens", body);
      printCreated(
          r,
          String.format(
              java.util.Locale.ROOT,
              "join token %s, single use, expires %s",
              r.path("id").asText(),
              r.path("expires_at").asText()));
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List attested agents, and how the"
            + " proxies declared for each (EdgeProxy documents) fare there: running, failed or refused, with the reason."
      })
  static final class ListAgents extends ApiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/agents");
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      out.printf(
          java.util.Locale.ROOT,
          "%-64s %-22s %-26s %s%n",
          "AGENT",
          "ATTESTATION",
          "SESSION EXPIRES",
          "NODE SELECTORS");
      for (JsonNode a : r.path("agents")) {
        List<String> ns = new ArrayList<>();
        a.path("node_selectors").forEach(n -> ns.add(n.asText()));
        out.printf(
            java.util.Locale.ROOT,
            "%-64s %-22s %-26s %s%s%n",
            a.path("spiffe_id").asText(),
            a.path("attestation").asText(),
            a.path("session_expires_at").asText(),
            String.join(",", ns),
            a.has("banned_at") ? " (banned)" : "");
        for (JsonNode p : a.path("proxies")) {
          out.printf(
              java.util.Locale.ROOT,
              "  proxy %-40s %-8s %s%n",
              p.path("name").asText(),
              p.path("state").asText(),
              p.path("message").asText(""));
        }
      }
      return 0;
    }
  }
}
