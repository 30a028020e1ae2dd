package dev.warden.scan.cli;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.RuleInfo;
import dev.warden.scan.ScanException;
import dev.warden.scan.ScanProgress;
import dev.warden.scan.ScanResult;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.SecretScanner;
import dev.warden.scan.Severity;
import dev.warden.scan.Verified;
import dev.warden.scan.internal.config.Baseline;
import dev.warden.scan.internal.config.KeyStore;
import dev.warden.scan.internal.config.ScanConfig;
import dev.warden.scan.internal.leak.LeakReporter;
import dev.warden.scan.internal.output.Reports;
import dev.warden.scan.internal.verify.FindingVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code warden scan}: finds hardcoded secrets and, with {@code --report}, hands their fingerprints
 * to the Warden server for revocation; with {@code --verify}, says which are live. Exit codes: 0
 * nothing found, 1 findings at or above {@code --fail-on} (or live ones with {@code --fail-on
 * verified}), 2 error (bad usage, unreadable input, git failure, report failure).
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    versionProvider = ScanCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Find hardcoded secrets such as API keys, tokens, private keys and passwords.",
      "Scans a directory tree, a git repository's history, a commit range, the staged changes or standard input.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:nothing found (at or above --fail-on)",
      "1:secrets found (with --fail-on verified: live secrets found)",
      "2:error: bad usage, missing path, git failure, config error, report failure"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  warden scan .                               scan the working tree (honours .gitignore)",
      "  warden scan --git .                         scan every commit of every branch and tag",
      "  warden scan --since origin/main .           CI: scan only the commits of this branch",
      "  warden scan --staged                        pre-commit hook: scan what is about to be committed",
      "  cat build.log | warden scan -               scan standard input",
      "  warden scan -o sarif --output-file scan.sarif .   for GitHub code scanning",
      "  warden scan --write-baseline .warden-baseline.json .   accept today's findings",
      "  warden scan --baseline .warden-baseline.json .         report only new ones",
      "  warden scan --report --server https://warden.example.com --token-file /run/warden/token .",
      "  warden scan --verify --fail-on verified .   CI: fail only on secrets that still work",
      "",
      "Mark a line as a known false positive with a comment containing warden:ignore.",
      "Full guide: docs/scan.md"
    })
public class ScanCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    text,
    json,
    sarif
  }

  @Parameters(
      paramLabel = "PATH",
      arity = "0..*",
      description =
          "Files or directories to scan (default: the current directory); '-' reads standard input. "
              + "With --git/--since/--staged: the repository (default: current directory).")
  List<String> paths = new ArrayList<>();

  @Option(
      names = "--git",
      description =
          "Scan the whole git history (every commit reachable from every ref) instead of the files.")
  boolean git;

  @Option(
      names = "--since",
      paramLabel = "REV",
      description = "Scan only commits in REV..HEAD (for CI on a branch).")
  @Nullable String since;

  @Option(names = "--staged", description = "Scan the staged changes (for a pre-commit hook).")
  boolean staged;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format output = Format.text;

  @Option(
      names = "--output-file",
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  @Nullable Path outputFile;

  @Option(
      names = "--show-secrets",
      description = "Print secret values in full (default: redacted).")
  boolean showSecrets;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      description =
          "Exit 1 only for findings at or above: low, medium, high, critical (default: low, or the config's failOn); or 'verified': only for secrets --verify found live.")
  @Nullable String failOn;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "JSON config: exclusions, allowlists, disabled rules (see docs/scan.md).")
  @Nullable Path config;

  @Option(
      names = "--baseline",
      paramLabel = "FILE",
      description = "Suppress findings recorded in this baseline file.")
  @Nullable Path baseline;

  @Option(
      names = "--write-baseline",
      paramLabel = "FILE",
      description = "Write every finding of this scan to FILE as a baseline.")
  @Nullable Path writeBaseline;

  @Option(
      names = "--max-file-size",
      paramLabel = "SIZE",
      description = "Skip files larger than SIZE, e.g. 10MiB (default: 25MiB).")
  @Nullable String maxFileSize;

  @Option(
      names = "--no-gitignore",
      negatable = false,
      description = "Also scan files that .gitignore excludes.")
  boolean noGitignore;

  @Option(
      names = "--follow-symlinks",
      description = "Follow symbolic links (loops are detected and reported).")
  boolean followSymlinks;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Worker threads for directory scans (default: number of cores).")
  @Nullable Integer threads;

  @Option(
      names = "--fingerprint-key-file",
      paramLabel = "FILE",
      description =
          "Base64url 32-byte key for fingerprints (default: $WARDEN_FINGERPRINT_KEY, else ~/.config/warden/fingerprint.key).")
  @Nullable Path fingerprintKeyFile;

  @Option(
      names = "--report",
      description =
          "Send findings (fingerprints and locations, never secrets) to the Warden server for revocation.")
  boolean report;

  @Option(
      names = "--dry-run",
      description =
          "With --report: ask the server what the report would revoke; nothing is revoked.")
  boolean dryRun;

  @Option(
      names = "--verify",
      description =
          "Say whether each secret is live: fingerprints and public-key hashes are checked by the Warden server; a database password is tried (test login) only at a database Warden manages. Needs --server and a token with scan:report.")
  boolean verify;

  @Option(
      names = "--verify-logins",
      paramLabel = "N",
      description =
          "With --verify: at most N test logins this run, one per second per database (default: ${DEFAULT-VALUE}; 0: none).")
  int verifyLogins = 20;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Warden server for --report and --verify (default: $WARDEN_SERVER, else the server of 'warden login').")
  @Nullable String server;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the workload or admin token for --report (default: $WARDEN_TOKEN, else the token of 'warden login' when the server is its server).")
  @Nullable Path tokenFile;

  @Option(names = "--no-progress", description = "Never show the progress bar.")
  boolean noProgress;

  @Option(names = "--list-rules", description = "List the detection rules and exit.")
  boolean listRules;

  /** Everything the command touches outside itself, so tests can run it in-process. */
  record Environment(
      Map<String, String> env,
      Supplier<InputStream> stdin,
      PrintStream out,
      PrintStream err,
      Path home,
      Path cwd,
      java.net.http.@Nullable HttpClient http,
      Supplier<Optional<Login>> savedLogin) {}

  /**
   * A server and token the user saved with {@code warden login}: the last fallback of {@code
   * --report}.
   */
  public record Login(String server, String token) {}

  private final Environment environment;

  /** The command as {@code warden} and {@link ScanMain} run it, on the real process environment. */
  public ScanCommand() {
    this(
        new Environment(
            System.getenv(),
            () -> System.in,
            new PrintStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out),
                true,
                StandardCharsets.UTF_8),
            new PrintStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.err),
                true,
                StandardCharsets.UTF_8),
            Path.of(System.getProperty("user.home")),
            Path.of("").toAbsolutePath(),
            null,
            Optional::empty));
  }

  /**
   * The command as the {@code warden} CLI runs it: on the CLI's environment variables, home
   * directory and streams, with the login {@code warden login} saved as the last fallback for
   * {@code --report}.
   */
  public static ScanCommand embedded(
      Map<String, String> env,
      Path home,
      PrintStream out,
      PrintStream err,
      Supplier<Optional<Login>> savedLogin) {
    return new ScanCommand(
        new Environment(
            env, () -> System.in, out, err, home, Path.of("").toAbsolutePath(), null, savedLogin));
  }

  ScanCommand(Environment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    PrintStream err = environment.err();
    try {
      return run();
    } catch (ScanException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private int run() throws ScanException {
    PrintStream out = environment.out();
    PrintStream err = environment.err();
    if (listRules) {
      List<RuleInfo> rules = SecretScanner.rules();
      for (RuleInfo r : rules) {
        out.printf(Locale.ROOT, "%-36s %-9s %s%n", r.id(), r.severity().label(), r.description());
      }
      out.println(rules.size() + " rules");
      return 0;
    }
    int modes = (git ? 1 : 0) + (since != null ? 1 : 0) + (staged ? 1 : 0);
    boolean stdin = paths.contains("-");
    if (modes > 1) {
      throw usage("choose one of --git, --since and --staged");
    }
    if (stdin && (modes > 0 || paths.size() > 1)) {
      throw usage(
          "'-' (standard input) cannot be combined with other paths or with --git/--since/--staged");
    }
    if (modes > 0 && paths.size() > 1) {
      throw usage("--git, --since and --staged scan one repository; give at most one PATH");
    }
    if (dryRun && !report) {
      throw usage("--dry-run asks the server what --report would revoke: give it with --report");
    }
    boolean failOnVerified = "verified".equalsIgnoreCase(failOn);
    if (failOnVerified && !verify) {
      throw usage(
          "--fail-on verified fails only on secrets --verify found live: give it with --verify");
    }
    if (verifyLogins < 0) {
      throw usage("--verify-logins must be 0 or more, got " + verifyLogins);
    }
    Severity threshold = failOn == null || failOnVerified ? null : Severity.parse(failOn);

    LeakReporter reporter = null;
    FingerprintKey key;
    if (report || verify) {
      String url = server != null ? server : environment.env().get("WARDEN_SERVER");
      Optional<Login> saved = Optional.empty();
      if (url == null
          || url.isBlank()
          || (tokenFile == null && blank(environment.env().get("WARDEN_TOKEN")))) {
        saved = environment.savedLogin().get();
      }
      if ((url == null || url.isBlank()) && saved.isPresent()) {
        url = saved.get().server();
      }
      if (url == null || url.isBlank()) {
        throw new ScanException(
            ScanException.Reason.REPORT_FAILED,
            (report ? "--report" : "--verify")
                + " needs --server, WARDEN_SERVER or a server saved by 'warden login'");
      }
      reporter =
          new LeakReporter(
              environment.http() != null ? environment.http() : LeakReporter.defaultClient(),
              url,
              readToken(url, saved));
      // The server's key, so the fingerprints we send match its lease fingerprints.
      key = reporter.fetchKey();
    } else {
      key =
          KeyStore.resolve(
              fingerprintKeyFile, environment.env(), environment.home(), new SecureRandom());
    }

    SecretScanner.Builder b =
        SecretScanner.builder()
            .fingerprintKey(key)
            .gitignore(!noGitignore)
            .followSymlinks(followSymlinks);
    if (config != null) {
      b.configFile(resolve(config));
    }
    if (baseline != null) {
      b.baselineFile(resolve(baseline));
    }
    if (maxFileSize != null) {
      Long size = ScanConfig.parseSize(maxFileSize);
      if (size == null || size <= 0) {
        throw usage("--max-file-size must be a size such as 10MiB or 1048576, got: " + maxFileSize);
      }
      b.maxFileSize(size);
    }
    if (threads != null) {
      b.threads(threads);
    }
    SecretScanner scanner = b.build();
    if (threshold == null && scanner.configuredFailOn() != null) {
      threshold = scanner.configuredFailOn();
    }
    if (threshold == null) {
      threshold = Severity.LOW;
    }

    ScanProgress progress = new ScanProgress();
    boolean history = modes > 0;
    ProgressBar bar = null;
    if (!noProgress && ProgressBar.wanted(environment.env())) {
      bar = new ProgressBar(progress, err, history).start();
    }
    ScanResult result;
    String source;
    List<Path> roots = new ArrayList<>();
    try {
      if (stdin) {
        source = "<stdin>";
        result = scanner.scanStream(environment.stdin().get(), "<stdin>", progress);
      } else if (history) {
        Path repo = paths.isEmpty() ? environment.cwd() : resolve(Path.of(paths.get(0)));
        source = repo.toString();
        result =
            git
                ? scanner.scanGitHistory(repo, progress)
                : since != null
                    ? scanner.scanGitRange(repo, since, progress)
                    : scanner.scanStaged(repo, progress);
      } else {
        for (String p : paths.isEmpty() ? List.of(".") : paths) {
          roots.add(resolve(Path.of(p)));
        }
        source = roots.size() == 1 ? roots.get(0).toString() : environment.cwd().toString();
        result = scanner.scanTree(roots, progress);
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }

    if (verify && !result.findings().isEmpty()) {
      FindingVerifier.Outcome v =
          new FindingVerifier(
                  Objects.requireNonNull(reporter, "--verify sets up the reporter"),
                  f -> lineOf(roots, f),
                  verifyLogins,
                  1000,
                  5,
                  Thread::sleep)
              .verify(result.findings());
      result = result.withFindings(v.findings());
      err.println(
          "verify: "
              + v.live()
              + " live, "
              + v.dead()
              + " not working, "
              + v.unknown()
              + " unknown ("
              + v.logins()
              + " test logins"
              + (v.loginsSkipped() > 0
                  ? ", " + v.loginsSkipped() + " not tried: --verify-logins"
                  : "")
              + ")");
    }
    if (writeBaseline != null) {
      write(resolve(writeBaseline), Baseline.write(result.findings(), key.keyId()));
      err.println(
          "wrote a baseline of " + result.findings().size() + " findings to " + writeBaseline);
    }
    String rendered =
        switch (output) {
          case text -> Reports.text(result, showSecrets, Version.version());
          case json -> Reports.json(result, showSecrets);
          case sarif ->
              Reports.sarif(result, SecretScanner.rules(), showSecrets, Version.version());
        };
    if (outputFile != null) {
      write(resolve(outputFile), rendered);
    } else {
      out.print(rendered);
      out.flush();
    }
    err.print(Reports.problems(result.problems()));

    int exit = 0;
    final Severity min = threshold;
    if (failOnVerified
        ? result.findings().stream().anyMatch(f -> f.verifiedStatus() == Verified.TRUE)
        : result.findings().stream().anyMatch(f -> f.severity().compareTo(min) >= 0)) {
      exit = 1;
    }
    if (report) {
      if (result.findings().isEmpty()) {
        err.println("report: nothing to report");
      } else {
        LeakReporter.Outcome o =
            Objects.requireNonNull(reporter, "--report sets up the reporter")
                .report(source, result.findings(), dryRun);
        if (dryRun) {
          err.println(
              "report (dry run, nothing revoked): "
                  + o.received()
                  + " findings; "
                  + o.matched().size()
                  + " matched Warden leases, "
                  + o.matched().stream().filter(LeakReporter.Match::active).count()
                  + " live that a report would revoke, "
                  + o.unmatched()
                  + " unmatched");
          o.matched().stream()
              .filter(LeakReporter.Match::active)
              .forEach(m -> err.println("  would revoke lease " + m.leaseId()));
        } else {
          long revoked = o.matched().stream().filter(LeakReporter.Match::revoked).count();
          err.println(
              "report: server received "
                  + o.received()
                  + " findings; "
                  + o.matched().size()
                  + " matched Warden leases ("
                  + revoked
                  + " revoked), "
                  + o.unmatched()
                  + " unmatched");
        }
      }
    }
    if (result.incomplete()) {
      exit = 2;
    }
    return exit;
  }

  /**
   * The line a finding is on, read again from the scanned tree; only when that line still holds the
   * secret (several roots may hold the same relative path).
   */
  private static Optional<String> lineOf(List<Path> roots, SecretFinding f) {
    for (Path root : roots) {
      Path file = Files.isDirectory(root) ? root.resolve(f.path()) : root;
      try (java.util.stream.Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
        Optional<String> line = lines.skip(f.line() - 1L).findFirst();
        if (line.isPresent() && line.get().contains(f.secret().reveal())) {
          return line;
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // not this root, or no longer readable: try the next
      }
    }
    return Optional.empty();
  }

  private static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  /**
   * --token-file, else WARDEN_TOKEN, else the saved login's token when {@code url} is the saved
   * server.
   */
  private String readToken(String url, Optional<Login> saved) throws ScanException {
    if (tokenFile != null) {
      try {
        Path f = resolve(tokenFile);
        if (Files.size(f) > 65536) {
          throw new ScanException(
              ScanException.Reason.REPORT_FAILED, "token file is too large: " + tokenFile);
        }
        return Files.readString(f, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new ScanException(
            ScanException.Reason.REPORT_FAILED,
            "cannot read --token-file "
                + tokenFile
                + ": "
                + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file"
                    : e.getMessage()));
      }
    }
    String t = environment.env().get("WARDEN_TOKEN");
    if (blank(t) && saved.isPresent() && sameServer(saved.get().server(), url)) {
      t = saved.get().token();
    }
    if (t == null || t.isBlank()) { // blank(t), spelt out for NullAway
      throw new ScanException(
          ScanException.Reason.REPORT_FAILED,
          (report ? "--report" : "--verify")
              + " needs a token: --token-file, WARDEN_TOKEN or 'warden login --server "
              + url
              + "'");
    }
    return t.strip();
  }

  private static boolean sameServer(String a, String b) {
    return a.replaceAll("/+$", "").equals(b.strip().replaceAll("/+$", ""));
  }

  private Path resolve(Path p) {
    return p.isAbsolute() ? p : environment.cwd().resolve(p).normalize();
  }

  private static void write(Path file, String text) throws ScanException {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ScanException(
          ScanException.Reason.IO, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException usage(String m) {
    return new IllegalArgumentException(m);
  }

  /**
   * The Warden version, from {@code dev/warden/scan/version.properties} (the Maven project version,
   * filtered in at build time like warden-core's: scan does not depend on core).
   */
  public static final class Version implements picocli.CommandLine.IVersionProvider {
    private static final String VERSION = load();

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
      return VERSION;
    }

    private static String load() {
      try (InputStream in =
          ScanCommand.class.getResourceAsStream("/dev/warden/scan/version.properties")) {
        java.util.Properties p = new java.util.Properties();
        if (in != null) {
          p.load(in);
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
      } catch (IOException e) {
        return "unknown";
      }
    }

    @Override
    public String[] getVersion() {
      return new String[] {"warden scan " + version()};
    }
  }
}
