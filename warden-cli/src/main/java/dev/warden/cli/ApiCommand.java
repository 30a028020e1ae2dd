package dev.warden.cli;

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
}
