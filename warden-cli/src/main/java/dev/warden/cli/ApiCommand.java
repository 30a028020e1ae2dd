package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a server and prints data: --server, --token and --output, in one place.
 */
abstract class ApiCommand {
  @Mixin Connection connection;

  @Mixin Output output;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /**
   * Prints {@code r} as {@code --output json|yaml} asks; false for the default human form, which
   * the command prints itself.
   */
  boolean printedStructured(JsonNode r) {
    if (!output.structured()) {
      return false;
    }
    output.print(out(), r);
    return true;
  }

  /**
   * Prints a secret the server just created: as {@code --output} asks, else its {@code token} alone
   * on stdout, so that a script can capture it, and {@code note} on stderr.
   */
  void printCreated(JsonNode r, String note) {
    if (printedStructured(r)) {
      return;
    }
    out().println(r.path("token").asText());
    spec.commandLine().getErr().println(note);
  }
}
