package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Target secrets by their general name: what Warden authenticates to a target with (a database
 * admin password, an upstream OAuth client's secret or PEM private key). The same write-only store
 * as {@code warden database password}, which keeps working.
 */
@Command(
    name = "target-secret",
    mixinStandardHelpOptions = true,
    description = {
      "Secrets Warden reaches targets with: database admin passwords and OAuth client secrets or keys.",
      "Write-only: stored sealed, shown only as fingerprints. See docs/credentials.md.",
      ""
    },
    subcommands = {TargetSecretCommand.Set.class, DatabaseCommand.ListPasswords.class})
final class TargetSecretCommand extends GroupCommand {
  /** The server's limit: a PEM RSA-4096 private key fits. */
  static final int MAX = 8192;

  /** Exactly one place to read the value from, never the command line. */
  static final class Source {
    @Option(
        names = "--from-env",
        paramLabel = "VAR",
        description = "read the value from this environment variable")
    @Nullable String fromEnv;

    @Option(
        names = "--from-file",
        paramLabel = "FILE",
        description = "read the whole file (a PEM private key); one trailing line break is dropped")
    @Nullable Path fromFile;
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Store a target secret under NAME.",
        "The value comes from standard input (first line), from --from-env VAR, or whole from --from-file FILE",
        "(for a multi-line PEM private key); never from the command line, where it would be seen.",
        "Warden checks it against every resource that names it before it stores it.",
        ""
      })
  static final class Set extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    @Nullable Source source;

    @Override
    public Integer call() throws IOException {
      String value;
      if (source != null && source.fromEnv != null) {
        value = SecretValues.fromEnv(source.fromEnv);
      } else if (source != null && source.fromFile != null) {
        if (!Files.isRegularFile(source.fromFile)) {
          throw new CliException(2, "no such file: " + source.fromFile);
        }
        if (Files.size(source.fromFile) > MAX * 4L) {
          throw new CliException(2, source.fromFile + " is longer than " + MAX + " characters");
        }
        value =
            SecretValues.withoutTrailingLineBreak(
                Files.readString(source.fromFile, StandardCharsets.UTF_8));
      } else {
        value = SecretValues.firstLine(System.in, MAX);
      }
      if (value.isEmpty()) {
        throw new CliException(
            2,
            "no value; pipe it in, e.g. 'warden target-secret set "
                + name
                + " < file', or use --from-env or --from-file");
      }
      if (value.length() > MAX) {
        throw new CliException(2, "the value is longer than " + MAX + " characters");
      }
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("value", value);
      JsonNode r = connection.client().put("/v1/target-secrets/" + ApiClient.enc(name), b);
      return StoredVersion.print(this, r, "stored %s (version %d, fingerprint %s)%n");
    }
  }
}
