package dev.warden.cli;

import dev.warden.scan.cli.ScanCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code warden} command. */
@Command(name = "warden", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Workload identity and access management: secretless, short-lived, audited access for machines.", ""},
    subcommands = {ServerCommand.class, LoginCommand.class, ApplyCommand.class, GetCommand.class, DeleteCommand.class,
        PolicyCommand.class, AuditCommand.class, KeysCommand.class, TokensCommand.class, AgentCommand.class, RecertCommand.class, ScanCommand.class, DevCommand.class,
        InventoryCommand.class, ReportCommand.class, WorkloadCommand.class, OwnerCommand.class, DatabaseCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 a negative result (denied, findings, broken audit chain), 2 error, 3 not found.",
        "", "Start here:  warden server    then    warden login --token <bootstrap token>",
        "Docs: docs/getting-started.md"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // one line per log record, and only warnings from libraries (the server logs its own INFO)
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    }
    Logging.configure();
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (used by tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      if (ex instanceof CliException c) {
        cmd.getErr().println("error: " + c.getMessage());
        return c.exitCode();
      }
      if (ex instanceof dev.warden.core.error.WardenException w) {
        cmd.getErr().println("error: " + w.getMessage());
        return 2;
      }
      cmd.getErr().println("error: " + ex);
      return 2;
    });
    cl.setOut(new PrintWriter(System.out, true));
    cl.setErr(new PrintWriter(System.err, true));
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"warden " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
