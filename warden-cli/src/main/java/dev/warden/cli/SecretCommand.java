package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Brokered static secrets: write versions, read metadata, delete, undelete, destroy and rotate.
 *
 * <p>Why it is over 400 lines: picocli declares each subcommand as a nested class with its options
 * and help text; the group is a declarative table of eight small commands.
 */
@Command(
    name = "secret",
    mixinStandardHelpOptions = true,
    description = {
      "Brokered static secrets (API keys, passwords) that attested workloads read at POST /v1/credentials.",
      "Values are written, never read back: a value goes in from a file or standard input, never as an argument.",
      "A workload reads one through a Resource of kind secret; see docs/credentials.md.",
      ""
    },
    subcommands = {
      SecretCommand.Put.class,
      SecretCommand.GetMetadata.class,
      SecretCommand.ListSecrets.class,
      SecretCommand.Delete.class,
      SecretCommand.Undelete.class,
      SecretCommand.Destroy.class,
      SecretCommand.Rotate.class,
      SecretCommand.DiscardPending.class
    })
final class SecretCommand extends GroupCommand {
  /** Longest value accepted, in bytes read (the server's limit is in characters). */
  static final int MAX_BYTES = 32 * 1024;

  /** Where the value comes from: exactly one of a file or standard input. */
  static final class Source {
    @Option(
        names = "--value-file",
        paramLabel = "FILE",
        description = "read the value from this file")
    @Nullable Path file;

    @Option(names = "--value-stdin", description = "read the value from standard input")
    boolean stdin;
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = {
        "Write a new version of secret NAME (creating it when --cas is 0 or it does not exist).",
        "The value is read from --value-file or --value-stdin; one trailing newline is removed.",
        "--cas N writes only if the current version is N (0: only if the secret does not exist yet);",
        "a mismatch is refused (HTTP 409, exit code 2) and changes nothing.",
        "A new secret needs --owner. Settings given with an existing secret replace its settings.",
        "Example: warden secret put stripe-key --cas 0 --owner pay@acme.test --value-file key.txt",
        ""
      })
  static final class Put extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--cas",
        paramLabel = "VERSION",
        description = "the version expected to be current (0: must not exist)")
    @Nullable Long cas;

    @Option(
        names = "--owner",
        description = "who answers for the secret (reminded when rotation is due)")
    @Nullable String owner;

    @Option(names = "--description")
    @Nullable String description;

    @Option(
        names = "--rotation-interval",
        paramLabel = "DURATION",
        description = "how often it should change, e.g. 90d")
    @Nullable String rotationInterval;

    @Option(names = "--max-versions", paramLabel = "N", description = "versions kept (default 10)")
    @Nullable Integer maxVersions;

    @Option(
        names = "--rotation-connector",
        paramLabel = "NAME",
        description =
            "let Warden rotate it at the target: postgres (needs --rotation-resource and --rotation-account)")
    @Nullable String connector;

    @Option(
        names = "--rotation-resource",
        paramLabel = "RESOURCE",
        description = "the postgres resource whose admin sets it")
    @Nullable String rotationResource;

    @Option(
        names = "--rotation-account",
        paramLabel = "ROLE",
        description = "the database account the secret is the password of")
    @Nullable String rotationAccount;

    @Override
    public Integer call() throws IOException {
      String value =
          source.file != null
              ? read(Files.newInputStream(source.file), "file " + source.file)
              : read(System.in, "standard input");
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("value", value);
      if (cas != null) {
        b.put("cas", cas);
      }
      if (owner != null) {
        b.put("owner", owner);
      }
      if (description != null) {
        b.put("description", description);
      }
      if (rotationInterval != null) {
        b.put("rotationInterval", rotationInterval);
      }
      if (maxVersions != null) {
        b.put("maxVersions", maxVersions);
      }
      if (connector != null || rotationResource != null || rotationAccount != null) {
        ObjectNode r = b.putObject("rotation");
        r.put("connector", connector);
        r.put("resource", rotationResource);
        r.put("account", rotationAccount);
      }
      JsonNode r = connection.client().put("/v1/secrets/" + ApiClient.enc(name), b);
      return StoredVersion.print(this, r, "wrote %s version %d (fingerprint %s)%n");
    }

    /** The whole stream as UTF-8, without one trailing newline; refused when empty or too long. */
    static String read(InputStream in, String where) throws IOException {
      byte[] bytes;
      try (InputStream s = in) {
        bytes = s.readNBytes(MAX_BYTES + 1);
      }
      if (bytes.length > MAX_BYTES) {
        throw new CliException(
            2, "the value in " + where + " is longer than " + MAX_BYTES + " bytes");
      }
      String v = SecretValues.withoutTrailingLineBreak(new String(bytes, StandardCharsets.UTF_8));
      if (v.isEmpty()) {
        throw new CliException(2, "no value in " + where);
      }
      return v;
    }
  }

  @Command(
      name = "get-metadata",
      mixinStandardHelpOptions = true,
      description = {
        "Show a secret's metadata, versions and readers of the last 30 days (never its value).",
        ""
      })
  static final class GetMetadata extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode m = connection.client().get("/v1/secrets/" + ApiClient.enc(name));
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, m);
        return 0;
      }
      out.printf(Locale.ROOT, "name:            %s%n", m.path("name").asText());
      out.printf(Locale.ROOT, "owner:           %s%n", m.path("owner").asText());
      if (m.has("description")) {
        out.printf(Locale.ROOT, "description:     %s%n", m.path("description").asText());
      }
      out.printf(
          Locale.ROOT,
          "current version: %d (max %d kept)%n",
          m.path("currentVersion").asLong(),
          m.path("maxVersions").asLong());
      out.printf(Locale.ROOT, "last rotated:    %s%n", m.path("lastRotatedAt").asText());
      if (m.has("rotationInterval")) {
        out.printf(
            Locale.ROOT,
            "rotation:        every %s, due %s%n",
            m.path("rotationInterval").asText(),
            m.path("rotationDueAt").asText());
      }
      if (m.has("rotation")) {
        JsonNode r = m.path("rotation");
        out.printf(
            Locale.ROOT,
            "connector:       %s (resource %s, account %s)%n",
            r.path("connector").asText(),
            r.path("resource").asText(),
            r.path("account").asText());
      }
      out.printf(
          Locale.ROOT,
          "last read:       %s%n",
          m.has("lastReadAt")
              ? m.path("lastReadAt").asText() + " by " + m.path("lastReadBy").asText()
              : "never");
      if (m.has("pendingRotation")) {
        JsonNode p = m.path("pendingRotation");
        out.printf(
            Locale.ROOT,
            "PENDING ROTATION: version %d, %d failed attempts%s%n",
            p.path("version").asLong(),
            p.path("attempts").asLong(),
            p.has("claimedAt") ? ", being set since " + p.path("claimedAt").asText() : "");
        if (p.has("lastError")) {
          out.printf(
              Locale.ROOT,
              "  last failure:  %s: %s%n",
              p.path("failedAt").asText(),
              p.path("lastError").asText());
        }
        out.printf(
            Locale.ROOT,
            "  the target may hold it: 'warden secret rotate %s' completes it; 'warden secret"
                + " discard-pending %s --version %d' drops it once the target is known not to%n",
            m.path("name").asText(),
            m.path("name").asText(),
            p.path("version").asLong());
      }
      out.printf(Locale.ROOT, "%nVERSION  STATE      CREATED                       FINGERPRINT%n");
      for (JsonNode v : m.path("versions")) {
        out.printf(
            Locale.ROOT,
            "%-8d %-10s %-29s %s%n",
            v.path("version").asLong(),
            v.path("state").asText(),
            v.path("createdAt").asText(),
            v.path("fingerprint").asText().substring(0, 16));
      }
      out.printf(Locale.ROOT, "%nREADERS (30 days)%n");
      for (JsonNode r : m.path("readers")) {
        out.printf(
            Locale.ROOT,
            "%s  last %s (version %d, %d reads)%n",
            r.path("workload").asText(),
            r.path("lastReadAt").asText(),
            r.path("lastVersion").asLong(),
            r.path("reads").asLong());
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List brokered secrets (never their values).")
  static final class ListSecrets extends ApiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/secrets");
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "%-28s %-8s %-24s %-22s %s%n",
          "NAME",
          "VERSION",
          "OWNER",
          "ROTATION DUE",
          "LAST READ");
      for (JsonNode i : r.path("items")) {
        out.printf(
            Locale.ROOT,
            "%-28s %-8d %-24s %-22s %s%n",
            i.path("name").asText(),
            i.path("currentVersion").asLong(),
            i.path("owner").asText(),
            i.has("rotationDueAt") ? i.path("rotationDueAt").asText() : "-",
            i.has("lastReadAt") ? i.path("lastReadAt").asText() : "never");
      }
      return 0;
    }
  }

  /** A version-changing command: NAME --version N. */
  abstract static class VersionCommand extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--version", paramLabel = "N", description = "the version")
    @Nullable Long version;

    Integer change(String action, String done) {
      if (version == null) {
        throw new CliException(
            2, "name the version with --version N (see 'warden secret get-metadata " + name + "')");
      }
      JsonNode r =
          connection
              .client()
              .post(
                  "/v1/secrets/" + ApiClient.enc(name) + "/versions/" + version + ":" + action,
                  ApiClient.JSON.createObjectNode());
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
      } else {
        out.printf(Locale.ROOT, "%s version %d of %s%n", done, version, name);
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Soft-delete one version (--version N), or remove the whole secret (--all).",
        "A soft-deleted version is kept and can be undeleted; while the current version is deleted,",
        "workloads' reads are refused (secret_unavailable).",
        ""
      })
  static final class Delete extends VersionCommand {
    @Option(names = "--all", description = "remove the secret and every version, for good")
    boolean all;

    @Override
    public Integer call() {
      if (all) {
        if (version != null) {
          throw new CliException(2, "give either --version N or --all, not both");
        }
        JsonNode r = connection.client().delete("/v1/secrets/" + ApiClient.enc(name));
        if (output.structured()) {
          output.print(out(), r);
        } else {
          out().printf(Locale.ROOT, "deleted %s and all its versions%n", name);
        }
        return 0;
      }
      return change("delete", "deleted");
    }
  }

  @Command(
      name = "undelete",
      mixinStandardHelpOptions = true,
      description = "Make a soft-deleted version readable again.")
  static final class Undelete extends VersionCommand {
    @Override
    public Integer call() {
      return change("undelete", "undeleted");
    }
  }

  @Command(
      name = "destroy",
      mixinStandardHelpOptions = true,
      description = {
        "Erase one version's value for good (its metadata stays); it cannot be undeleted.",
        ""
      })
  static final class Destroy extends VersionCommand {
    @Override
    public Integer call() {
      return change("destroy", "destroyed");
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Rotate a secret now through its connector.",
        "Warden stores a new value as a pending version, sets it at the target, then makes it current. If the",
        "target may hold it but the rotation could not finish, the version stays pending and this command (or",
        "the server's rotation check) completes it.",
        "A secret without a connector is rotated by its owner with 'warden secret put NAME --cas N'.",
        ""
      })
  static final class Rotate extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return StoredVersion.rotate(
          this, "/v1/secrets/", name, "rotated %s: version %d (fingerprint %s)%n");
    }
  }

  @Command(
      name = "discard-pending",
      mixinStandardHelpOptions = true,
      description = {
        "Drop the pending version of a rotation that could not finish, without setting it anywhere.",
        "See it with 'warden secret get-metadata'. Use it only once the target is known NOT to hold that value (for example",
        "the account's password was reset by hand): the value is gone for good. Audited, with its fingerprint.",
        "Refused while an attempt to set it is under way. Example: warden secret discard-pending legacy-db --version 4",
        ""
      })
  static final class DiscardPending extends VersionCommand {
    @Override
    public Integer call() {
      return change("discard", "discarded pending");
    }
  }
}
