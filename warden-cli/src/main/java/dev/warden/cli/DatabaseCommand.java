package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Dynamic database users: the admin passwords Warden reaches databases with, and issued users'
 * leases.
 */
@Command(
    name = "database",
    mixinStandardHelpOptions = true,
    description = {
      "Dynamic database users: admin passwords (write-only) and the leases of issued users.",
      "A workload asks for a user at POST /v1/credentials; see docs/credentials.md.",
      ""
    },
    subcommands = {
      DatabaseCommand.Password.class,
      DatabaseCommand.Leases.class,
      DatabaseCommand.Revoke.class,
      DatabaseCommand.Forget.class,
      DatabaseCommand.Reap.class
    })
final class DatabaseCommand extends GroupCommand {
  @Command(
      name = "password",
      mixinStandardHelpOptions = true,
      description =
          "Admin passwords of databases (target secrets): stored sealed, shown only as fingerprints.",
      subcommands = {SetPassword.class, ListPasswords.class, RotatePassword.class})
  static final class Password extends GroupCommand {}

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Store a database admin password under NAME.",
        "It is read from standard input (first line) or from the environment variable given by --from-env;",
        "never from the command line, where it would be seen.",
        "Warden checks it against every resource that names it before it stores it.",
        ""
      })
  static final class SetPassword extends ApiCommand implements Callable<Integer> {
    static final int MAX = 1024;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--from-env",
        paramLabel = "VAR",
        description = "read the password from this environment variable")
    @Nullable String fromEnv;

    @Override
    public Integer call() throws IOException {
      String value = fromEnv != null ? SecretValues.fromEnv(fromEnv) : firstLine(System.in);
      if (value.isEmpty()) {
        throw new CliException(
            2,
            "no password on standard input; pipe it in, e.g. 'warden database password set "
                + name
                + " < file', or use --from-env");
      }
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("value", value);
      JsonNode r = connection.client().put("/v1/target-secrets/" + ApiClient.enc(name), b);
      return StoredVersion.print(this, r, "stored %s (version %d, fingerprint %s)%n");
    }

    /** The first line of the stream without its line ending; at most {@link #MAX} characters. */
    static String firstLine(InputStream in) throws IOException {
      return SecretValues.firstLine(in, MAX);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List stored target secrets, such as admin passwords, by name and fingerprint (never their values).")
  static final class ListPasswords extends ApiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode r = connection.client().get("/v1/target-secrets");
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
        return 0;
      }
      out.printf(
          java.util.Locale.ROOT,
          "%-24s %-8s %-18s %-28s %s%n",
          "NAME",
          "VERSION",
          "FINGERPRINT",
          "UPDATED",
          "USED BY");
      for (JsonNode i : r.path("items")) {
        StringBuilder used = new StringBuilder();
        i.path("usedBy").forEach(u -> used.append(used.isEmpty() ? "" : ",").append(u.asText()));
        out.printf(
            java.util.Locale.ROOT,
            "%-24s %-8d %-18s %-28s %s%n",
            i.path("name").asText(),
            i.path("version").asLong(),
            i.path("fingerprint").asText().substring(0, 16),
            i.path("updatedAt").asText(),
            used.isEmpty() ? "-" : used);
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Rotate an admin password so that only Warden knows it.",
        "Warden sets a new random one on the database (ALTER ROLE) and stores it.",
        ""
      })
  static final class RotatePassword extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return StoredVersion.rotate(
          this,
          "/v1/target-secrets/",
          name,
          "rotated %s (version %d, fingerprint %s); only Warden knows it now%n");
    }
  }

  @Command(
      name = "leases",
      mixinStandardHelpOptions = true,
      description = {
        "List the leases of issued database users, newest first, with their state.",
        "States: issuing, active, revoking (drop pending), revoked (dropped) or irrevocable (removal keeps",
        "failing; look at the error).",
        "Exit code 1 when any lease is irrevocable.",
        ""
      })
  static final class Leases extends ApiCommand implements Callable<Integer> {
    @Option(names = "--state", description = "only leases in this state")
    @Nullable String state;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "at most this many (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      String q = "?limit=" + limit + (state == null ? "" : "&state=" + ApiClient.enc(state));
      JsonNode r = connection.client().get("/v1/database-leases" + q);
      PrintWriter out = out();
      long irrevocable = r.path("counts").path("irrevocable").asLong(0);
      if (output.structured()) {
        output.print(out, r);
        return irrevocable > 0 ? 1 : 0;
      }
      out.printf(
          java.util.Locale.ROOT,
          "%-40s %-12s %-22s %-22s %s%n",
          "USER (LEASE ID)",
          "STATE",
          "EXPIRES",
          "RESOURCE",
          "WORKLOAD");
      for (JsonNode l : r.path("items")) {
        out.printf(
            java.util.Locale.ROOT,
            "%-40s %-12s %-22s %-22s %s%n",
            l.path("id").asText(),
            l.path("state").asText(),
            l.path("expiresAt").asText(),
            l.path("resource").asText(),
            l.path("workload").asText());
        if (l.has("removalError")) {
          out.printf(
              java.util.Locale.ROOT,
              "    removal attempts: %d, last error: %s%n",
              l.path("removalAttempts").asInt(),
              l.path("removalError").asText());
        }
      }
      StringBuilder counts = new StringBuilder();
      r.path("counts")
          .fields()
          .forEachRemaining(
              e ->
                  counts
                      .append(counts.isEmpty() ? "" : ", ")
                      .append(e.getKey())
                      .append(' ')
                      .append(e.getValue().asLong()));
      if (!counts.isEmpty()) {
        out.println("totals: " + counts);
      }
      if (irrevocable > 0) {
        out.println(
            "IRREVOCABLE: "
                + irrevocable
                + " user(s) could not be dropped; see 'warden database leases"
                + " --state irrevocable'");
      }
      return irrevocable > 0 ? 1 : 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Revoke the lease of an issued user (its lease id is its user name), or of any credential.",
        "The server's reaper then ends its sessions and drops it, within seconds; 'warden database leases'",
        "shows when it is gone. With --dry-run nothing changes: the report shows the lease, its holder, what",
        "the holder obtained for that resource in the window, and whether it can obtain a new one.",
        ""
      })
  static final class Revoke extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LEASE-ID")
    String id;

    @Mixin ImpactReport impact;

    @Override
    public Integer call() {
      ObjectNode b = ApiClient.JSON.createObjectNode();
      impact.into(b);
      JsonNode r = connection.client().post("/v1/leases/" + ApiClient.enc(id) + ":revoke", b);
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
      } else if (impact.dryRun) {
        ImpactReport.print(out, r, "Revoking " + id + " would:");
      } else {
        out.println(
            r.path("revoked").asBoolean()
                ? "revoked " + id + "; its user is dropped within seconds"
                : id + " was already revoked");
      }
      return 0;
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = {
        "Force-forget an irrevocable user: Warden stops trying to drop it, and audits who and why.",
        "Only for a user the reaper gave up on (state irrevocable) that you removed at the database by hand,",
        "or whose database is gone for good; --reason is required and recorded in the audit log.",
        ""
      })
  static final class Forget extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LEASE-ID")
    String id;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "why Warden may stop: who removed it at the target, or why it is gone")
    String reason;

    @Override
    public Integer call() {
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("reason", reason);
      JsonNode r =
          connection.client().post("/v1/database-leases/" + ApiClient.enc(id) + ":forget", b);
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
      } else {
        out.println(
            "forgot "
                + id
                + ": Warden no longer tries to drop it (audited as credential.forgotten)");
      }
      return 0;
    }
  }

  @Command(
      name = "reap",
      mixinStandardHelpOptions = true,
      description = {
        "Run the reaper and the orphan sweep now; they also run on the server's timer.",
        "Revokes what expired, drops the users of revoked leases, and drops tagged users no live lease",
        "accounts for.",
        ""
      })
  static final class Reap extends ApiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode r =
          connection.client().post("/v1/database-leases:reap", ApiClient.JSON.createObjectNode());
      PrintWriter out = out();
      if (output.structured()) {
        output.print(out, r);
      } else {
        out.printf(
            java.util.Locale.ROOT,
            "expired %d, abandoned %d, dropped %d, orphans dropped %d, failed %d, newly irrevocable %d%n",
            r.path("expired").asInt(),
            r.path("abandoned").asInt(),
            r.path("removed").asInt(),
            r.path("orphans").asInt(),
            r.path("failed").asInt(),
            r.path("irrevocable").asInt());
      }
      return r.path("failed").asInt() > 0 ? 1 : 0;
    }
  }
}
