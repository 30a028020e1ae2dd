package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where {@code warden login} keeps the server URL and admin token: {@code credentials.json}, mode
 * 0600, in {@link CliEnvironment#configDir()}. Flags and {@code WARDEN_SERVER} / {@code
 * WARDEN_TOKEN} win over the file. The saved token is sent only to the saved server: naming another
 * server without a token never hands it the admin token of the first.
 */
final class Credentials {
  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  /** A saved login. */
  record Login(String server, String token) {}

  private Credentials() {}

  static Path file(CliEnvironment env) {
    return env.configDir().resolve("credentials.json");
  }

  static void save(CliEnvironment env, String server, String token) {
    Path f = file(env);
    try {
      Files.createDirectories(f.getParent());
      Path tmp =
          Files.createTempFile(
              f.getParent(),
              "credentials",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      ObjectNode o = ApiClient.JSON.createObjectNode();
      o.put("server", server);
      o.put("token", token);
      Files.writeString(tmp, o.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw CliException.io("cannot write", f, e);
    }
  }

  /** The login {@code warden login} saved, if there is one. */
  static Optional<Login> saved(CliEnvironment env) {
    Path f = file(env);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      JsonNode n = ApiClient.JSON.readTree(Files.readAllBytes(f));
      String server = n.path("server").asText(null);
      String token = n.path("token").asText(null);
      return server == null || token == null
          ? Optional.empty()
          : Optional.of(new Login(ServerUrl.parse(server), token));
    } catch (IOException e) {
      throw CliException.io("cannot read", f, e);
    }
  }

  static ApiClient client(
      CliEnvironment env, @Nullable String serverFlag, @Nullable String tokenFlag) {
    String server = serverFlag != null ? serverFlag : env.get("WARDEN_SERVER");
    String token = tokenFlag != null ? tokenFlag : env.get("WARDEN_TOKEN");
    Optional<Login> saved = server != null && token != null ? Optional.empty() : saved(env);
    server =
        server != null ? ServerUrl.parse(server) : saved.map(Login::server).orElse(DEFAULT_SERVER);
    if (token == null && saved.isPresent() && saved.get().server().equals(server)) {
      token = saved.get().token();
    }
    if (token == null) {
      throw new CliException(
          2,
          "no admin token for "
              + server
              + ": run 'warden login --server "
              + server
              + " --token-stdin' or set WARDEN_TOKEN");
    }
    String ca = env.get("WARDEN_CA_FILE");
    return ca == null || ca.isBlank()
        ? new ApiClient(server, token)
        : new ApiClient(server, token, java.nio.file.Path.of(ca));
  }
}
