package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = "Manage admin API tokens.",
    subcommands = {
      TokensCommand.Create.class,
      TokensCommand.ListTokens.class,
      TokensCommand.Revoke.class
    })
final class TokensCommand extends GroupCommand {
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create an admin token. The token is printed once; only its hash is stored.",
        ""
      },
      footer = {
        "",
        "Scopes: admin, read, policy:write, audit:read, keys:manage, tokens:manage, scan:report",
        "",
        "Example:",
        "  warden tokens create --name ci-apply --scope policy:write --ttl 90d"
      })
  static final class Create extends ApiCommand implements Callable<Integer> {
    @Option(names = "--name", required = true)
    String name;

    @Option(names = "--scope", required = true, split = ",", description = "one or more scopes")
    List<String> scopes;

    @Option(
        names = "--ttl",
        description = "lifetime, e.g. 30d (default: no expiry — a posture finding)")
    @Nullable String ttl;

    @Override
    public Integer call() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("name", name);
      ArrayNode s = body.putArray("scopes");
      scopes.forEach(s::add);
      if (ttl != null) {
        body.put("ttl", ttl);
      }
      JsonNode r = connection.client().post("/v1/admin-tokens", body);
      printCreated(
          r,
          String.format(
              java.util.Locale.ROOT,
              "created token %s (%s); it is shown only this once",
              r.path("id").asText(),
              r.path("scopes")));
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List admin tokens (never their secrets).")
  static final class ListTokens extends ApiCommand implements Callable<Integer> {

    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/admin-tokens");
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      out.printf(
          java.util.Locale.ROOT,
          "%-18s %-20s %-36s %-28s %s%n",
          "ID",
          "NAME",
          "SCOPES",
          "CREATED",
          "STATUS");
      for (JsonNode t : r.path("items")) {
        String status =
            t.has("revokedAt")
                ? "revoked"
                : t.has("expiresAt") ? "expires " + t.path("expiresAt").asText() : "active";
        out.printf(
            java.util.Locale.ROOT,
            "%-18s %-20s %-36s %-28s %s%n",
            t.path("id").asText(),
            t.path("name").asText(),
            t.path("scopes"),
            t.path("createdAt").asText(),
            status);
      }
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke an admin token by id.")
  static final class Revoke extends ApiCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      JsonNode r = connection.client().delete("/v1/admin-tokens/" + ApiClient.enc(id));
      if (output.structured()) {
        output.print(spec.commandLine().getOut(), r);
      } else {
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "revoked %s%n", id);
      }
      return 0;
    }
  }
}
