package dev.warden.cli;

import dev.warden.scan.cli.ScanCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code warden} command. */
@Command(
    name = "warden",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Workload identity and access management: secretless, short-lived, audited access for machines.",
      ""
    },
    subcommands = {
      ServerCommand.class,
      LoginCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      PolicyCommand.class,
      AuditCommand.class,
      KeysCommand.class,
      TokensCommand.class,
      AgentCommand.class,
      RecertCommand.class,
      ScanCommand.class,
      DevCommand.class,
      InventoryCommand.class,
      ReportCommand.class,
      WorkloadCommand.class,
      OwnerCommand.class,
      DatabaseCommand.class,
      TargetSecretCommand.class,
      FederationCommand.class,
      SecretCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 a negative result (denied, findings, broken audit chain), 2 error, 3 not found.",
      "",
      "Start here:  warden server    then    warden login --token <bootstrap token>",
      "Docs: docs/getting-started.md"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CliEnvironment environment;

  private Main(CliEnvironment environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    // one line per log record, and only warnings from libraries (the server logs its own INFO)
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    }
    Logging.configure();
    System.exit(run(args));
  }

  /** Runs the CLI on this process's environment and returns its exit code. */
  public static int run(String... args) {
    return run(CliEnvironment.system(), args);
  }

  /** Runs the CLI with the given environment variables and home directory (tests use their own). */
  @SuppressForbidden(
      "the one place that hands the process's stdout and stderr to picocli, in the console's charset")
  static int run(CliEnvironment environment, String... args) {
    CommandLine cl = commandLine(environment);
    // a user error is one line and an exit code, never a stack trace
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          cmd.getErr().println("error: " + oneLine(ex));
          return ex instanceof CliException c ? c.exitCode() : 2;
        });
    cl.setOut(
        new PrintWriter(new java.io.OutputStreamWriter(System.out, System.out.charset()), true));
    cl.setErr(
        new PrintWriter(new java.io.OutputStreamWriter(System.err, System.err.charset()), true));
    try {
      return cl.execute(args);
    } finally {
      // an auto-flushing PrintWriter flushes on println only: a report written with print() (CSV,
      // HTML) would otherwise never leave the buffer
      cl.getOut().flush();
      cl.getErr().flush();
    }
  }

  /** The whole command tree, unexecuted. */
  static CommandLine commandLine(CliEnvironment environment) {
    return new CommandLine(new Main(environment), new Factory(environment));
  }

  /** The environment of the {@code warden} invocation that runs {@code spec}'s command. */
  static CliEnvironment environment(CommandLine.Model.CommandSpec spec) {
    return ((Main) spec.root().userObject()).environment;
  }

  private static String oneLine(Exception ex) {
    String m =
        ex.getMessage() == null ? "" : ex.getMessage().strip().lines().findFirst().orElse("");
    if (ex instanceof CliException || ex instanceof dev.warden.core.error.WardenException) {
      return m;
    }
    return m.isEmpty() ? ex.getClass().getName() : m + " (" + ex.getClass().getSimpleName() + ")";
  }

  /**
   * Builds {@code warden scan} on the CLI's environment and saved login; every other command as
   * picocli does.
   */
  @SuppressForbidden(
      "the scanner writes its report to the process's own streams, as it does when run alone")
  private record Factory(CliEnvironment environment) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == ScanCommand.class) {
        return cls.cast(
            ScanCommand.embedded(
                environment.env(),
                environment.home(),
                System.out,
                System.err,
                () ->
                    Credentials.saved(environment)
                        .map(l -> new ScanCommand.Login(l.server(), l.token()))));
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "warden " + dev.warden.core.WardenVersion.get() + " (Java " + Runtime.version() + ")"
      };
    }
  }
}
