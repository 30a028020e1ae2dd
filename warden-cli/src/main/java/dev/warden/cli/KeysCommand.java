package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "List and rotate the signing keys (access tokens and JWT-SVIDs have their own).",
    subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
final class KeysCommand extends GroupCommand {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List signing keys and their states.")
  static final class ListKeys extends ApiCommand implements Callable<Integer> {

    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/keys");
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      out.printf(
          java.util.Locale.ROOT,
          "%-44s %-12s %-6s %-10s %-28s %s%n",
          "KID",
          "PURPOSE",
          "ALG",
          "STATE",
          "CREATED",
          "DESTROY AFTER");
      for (JsonNode k : r.path("keys")) {
        out.printf(
            java.util.Locale.ROOT,
            "%-44s %-12s %-6s %-10s %-28s %s%n",
            k.path("kid").asText(),
            k.path("purpose").asText(),
            k.path("algorithm").asText(),
            k.path("state").asText(),
            k.path("createdAt").asText(),
            k.path("destroyAfter").asText("-"));
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Start a signing key rotation.",
        "The new key is published first and signs after keys.publishLead; --now makes it sign at once and retires",
        "the current key (for a suspected compromise). Access tokens and JWT-SVIDs have separate keys;",
        "--purpose picks which rotate.",
        ""
      })
  static final class Rotate extends ApiCommand implements Callable<Integer> {
    @Option(names = "--now", description = "activate the new key immediately")
    boolean now;

    @Option(
        names = "--purpose",
        defaultValue = "access-token",
        description =
            "access-token (keys at /oauth2/jwks), jwt-svid (keys in the SPIFFE bundle), federation or"
                + " audit-checkpoint (keys at /v1/audit/checkpoints/jwks); default: ${DEFAULT-VALUE}")
    String purpose;

    @Override
    public Integer call() {
      String query =
          "?purpose="
              + java.net.URLEncoder.encode(purpose, java.nio.charset.StandardCharsets.UTF_8)
              + (now ? "&immediate=true" : "");
      JsonNode r =
          connection.client().post("/v1/keys:rotate" + query, ApiClient.JSON.createObjectNode());
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        output.print(out, r);
      } else {
        out.printf(
            java.util.Locale.ROOT,
            "new %s key %s is %s%s%n",
            r.path("purpose").asText(),
            r.path("kid").asText(),
            r.path("state").asText(),
            r.has("retired") ? "; retired " + r.path("retired").asText() : "");
      }
      return 0;
    }
  }
}
