package dev.warden.cli;

import picocli.CommandLine.Option;

/** --server and --token, shared by every command that talks to a server. */
final class Connection {
  @Option(names = "--server", paramLabel = "URL", description = "Warden server URL (default: from 'warden login', WARDEN_SERVER, or http://127.0.0.1:8080)")
  String server;

  @Option(names = "--token", paramLabel = "TOKEN", description = "admin token (default: from 'warden login' or WARDEN_TOKEN)")
  String token;

  ApiClient client() {
    return Credentials.client(server, token);
  }
}
