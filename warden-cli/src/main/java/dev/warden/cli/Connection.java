package dev.warden.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** --server and --token, shared by every command that talks to a server. */
final class Connection {
  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Warden server URL (default: from 'warden login', WARDEN_SERVER, or "
              + Credentials.DEFAULT_SERVER
              + "); "
              + ServerUrl.HELP)
  @Nullable String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "admin token (default: from 'warden login' or WARDEN_TOKEN)")
  @Nullable String token;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  ApiClient client() {
    return Credentials.client(Main.environment(mixee), server, token);
  }
}
