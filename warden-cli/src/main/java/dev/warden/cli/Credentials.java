package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where {@code warden login} keeps the server URL and admin token: {@code $WARDEN_CONFIG_DIR} or
 * {@code ~/.config/warden/credentials.json}, mode 0600. Flags and {@code WARDEN_SERVER} /
 * {@code WARDEN_TOKEN} win over the file.
 */
final class Credentials {
  private Credentials() {}

  static Path file() {
    String dir = System.getenv("WARDEN_CONFIG_DIR");
    Path base = dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".config", "warden");
    return base.resolve("credentials.json");
  }

  static void save(String server, String token) {
    Path f = file();
    try {
      Files.createDirectories(f.getParent());
      Path tmp = Files.createTempFile(f.getParent(), "credentials", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      ObjectNode o = ApiClient.JSON.createObjectNode();
      o.put("server", server);
      o.put("token", token);
      Files.writeString(tmp, o.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CliException(2, "cannot write " + f + ": " + e.getMessage());
    }
  }

  static ApiClient client(String serverFlag, String tokenFlag) {
    String server = serverFlag;
    String token = tokenFlag;
    if (server == null) {
      server = System.getenv("WARDEN_SERVER");
    }
    if (token == null) {
      token = System.getenv("WARDEN_TOKEN");
    }
    Path f = file();
    if ((server == null || token == null) && Files.exists(f)) {
      try {
        JsonNode n = ApiClient.JSON.readTree(Files.readAllBytes(f));
        if (server == null) {
          server = n.path("server").asText(null);
        }
        if (token == null) {
          token = n.path("token").asText(null);
        }
      } catch (IOException e) {
        throw new CliException(2, "cannot read " + f + ": " + e.getMessage());
      }
    }
    if (server == null) {
      server = "http://127.0.0.1:8080";
    }
    if (token == null) {
      throw new CliException(2, "no admin token: run 'warden login --server " + server + "' or set WARDEN_TOKEN");
    }
    return new ApiClient(server, token);
  }
}
