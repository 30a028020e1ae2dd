package dev.warden.scan.cli;

import picocli.CommandLine;

/** Runs {@code warden scan} on its own: {@code java -jar warden-scan.jar [options] [PATH...]}. */
public final class ScanMain {
  private ScanMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code (2 for usage errors). */
  public static int run(String... args) {
    return new CommandLine(new ScanCommand()).execute(args);
  }
}
