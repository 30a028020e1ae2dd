package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/** What the secret commands print once the server has stored a new version of a secret. */
final class StoredVersion {
  private StoredVersion() {}

  /**
   * Asks the server to rotate secret {@code name} of {@code collection} ({@code POST
   * <collection><name>:rotate}) and prints the version it stored, as {@link #print} does.
   */
  static Integer rotate(ApiCommand command, String collection, String name, String format) {
    JsonNode r =
        command
            .connection
            .client()
            .post(collection + ApiClient.enc(name) + ":rotate", ApiClient.JSON.createObjectNode());
    return print(command, r, format);
  }

  /**
   * Prints the server's answer {@code r} as is under a structured {@code --output}; otherwise one
   * line: {@code format} filled with the secret's name, version and fingerprint, in that order.
   */
  static Integer print(ApiCommand command, JsonNode r, String format) {
    PrintWriter out = command.out();
    if (command.output.structured()) {
      command.output.print(out, r);
    } else {
      out.printf(
          Locale.ROOT,
          format,
          r.path("name").asText(),
          r.path("version").asLong(),
          r.path("fingerprint").asText());
    }
    return 0;
  }
}
