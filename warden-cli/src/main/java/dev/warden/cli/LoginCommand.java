package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Check an admin token against the server and keep it for later commands (mode 0600).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  warden login --server http://127.0.0.1:8080 --token wdn_...",
      "  echo \"$TOKEN\" | warden login --server https://warden.example.com --token-stdin"
    })
final class LoginCommand implements Callable<Integer> {
  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "server URL [" + Credentials.DEFAULT_SERVER + "]; " + ServerUrl.HELP)
  String server = Credentials.DEFAULT_SERVER;

  @Option(
      names = "--token",
      description = "the admin token (prefer --token-stdin: flags end up in shell history)")
  @Nullable String token;

  @Option(names = "--token-stdin", description = "read the token from standard input")
  boolean tokenStdin;

  @Mixin Output output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = Main.environment(spec);
    server = ServerUrl.parse(server);
    if (tokenStdin) {
      token =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (token == null || token.isBlank()) {
      token = env.get("WARDEN_TOKEN");
    }
    if (token == null || token.isBlank()) {
      throw new CliException(2, "give the token with --token-stdin, --token or WARDEN_TOKEN");
    }
    token = token.trim();
    JsonNode who = new ApiClient(server, token).get("/v1/whoami");
    Credentials.save(env, server, token);
    if (output.structured()) {
      output.print(spec.commandLine().getOut(), who);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              java.util.Locale.ROOT,
              "Logged in to %s as token '%s' (scopes: %s). Saved to %s%n",
              server,
              who.path("name").asText(),
              who.path("scopes").toString(),
              Credentials.file(env));
    }
    return 0;
  }
}
