package dev.warden.scan;

import dev.warden.scan.internal.config.Baseline;
import dev.warden.scan.internal.config.ScanConfig;
import dev.warden.scan.internal.detect.ContentScanner;
import dev.warden.scan.internal.detect.Detector;
import dev.warden.scan.internal.detect.Rule;
import dev.warden.scan.internal.detect.Rules;
import dev.warden.scan.internal.source.ChunkScanner;
import dev.warden.scan.internal.source.GitScanner;
import dev.warden.scan.internal.source.ScanSink;
import dev.warden.scan.internal.source.TreeScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Scans directory trees, git history, staged changes and streams for hardcoded secrets.
 *
 * <pre>{@code
 * SecretScanner scanner = SecretScanner.builder().fingerprintKey(key).build();
 * ScanResult result = scanner.scanTree(List.of(Path.of(".")), new ScanProgress());
 * }</pre>
 *
 * <p>An instance is immutable and thread-safe; each scan method runs one scan to completion. Inputs
 * that cannot be read are reported as {@link ScanProblem}s in the result rather than thrown, so one
 * unreadable file never hides the findings in the others.
 */
public final class SecretScanner {
  /** Default limit above which files are skipped (and counted). */
  public static final long DEFAULT_MAX_FILE_SIZE = 25L << 20;

  private final Detector detector;
  private final FingerprintKey key;
  private final ScanConfig config;
  private final @Nullable Baseline baseline;
  private final long maxFileSize;
  private final boolean gitignore;
  private final boolean followSymlinks;
  private final int threads;
  private final TreeScanner.Opener opener;

  private SecretScanner(Builder b, ScanConfig config, @Nullable Baseline baseline) {
    this.config = config;
    this.baseline = baseline;
    this.key = Objects.requireNonNull(b.key, "build() checks that a key was set");
    List<Rule> rules =
        Rules.all().stream().filter(r -> !config.disableRules().contains(r.id())).toList();
    this.detector = new Detector(rules);
    this.maxFileSize =
        b.maxFileSize != null
            ? b.maxFileSize
            : config.maxFileSize() != null ? config.maxFileSize() : DEFAULT_MAX_FILE_SIZE;
    this.gitignore = b.gitignore;
    this.followSymlinks = b.followSymlinks;
    this.threads = b.threads;
    this.opener = b.opener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Descriptions of every built-in rule, in catalogue order. */
  public static List<RuleInfo> rules() {
    return Rules.all().stream().map(Rule::info).toList();
  }

  /** The severity threshold the config file asks for, if any. */
  public @Nullable Severity configuredFailOn() {
    return config.failOn();
  }

  public FingerprintKey fingerprintKey() {
    return key;
  }

  /** Scans directories and files (a file is scanned even if it would be ignored). */
  public ScanResult scanTree(List<Path> roots, @Nullable ScanProgress progress) {
    ScanSink sink = attach(progress);
    long t0 = System.nanoTime();
    TreeScanner tree =
        new TreeScanner(
            contentScanner(sink),
            new TreeScanner.Options(
                maxFileSize, gitignore, followSymlinks, threads, config.exclude(), opener));
    for (Path root : roots) {
      tree.scan(root, sink);
    }
    return finish(sink, t0, true);
  }

  /** Scans every commit reachable from any ref of the repository at {@code repo}. */
  public ScanResult scanGitHistory(Path repo, @Nullable ScanProgress progress) {
    return git(repo, GitScanner.Mode.HISTORY, null, progress);
  }

  /** Scans the commits in {@code since..HEAD} (CI: the commits of a pull request). */
  public ScanResult scanGitRange(Path repo, String since, @Nullable ScanProgress progress) {
    return git(repo, GitScanner.Mode.RANGE, Objects.requireNonNull(since, "since"), progress);
  }

  /** Scans the staged changes (a pre-commit hook). */
  public ScanResult scanStaged(Path repo, @Nullable ScanProgress progress) {
    return git(repo, GitScanner.Mode.STAGED, null, progress);
  }

  /**
   * Scans a stream (standard input) in bounded chunks, under the display name {@code name}.
   *
   * @throws ScanException IO if reading fails
   */
  public ScanResult scanStream(InputStream in, String name, @Nullable ScanProgress progress)
      throws ScanException {
    ScanSink sink = attach(progress);
    long t0 = System.nanoTime();
    ChunkScanner chunks = new ChunkScanner(contentScanner(sink).get());
    chunks.begin(name, 1, sink::finding);
    try {
      if (chunks.readFrom(in, false)) {
        sink.files.increment();
      }
      sink.bytes.add(chunks.scannedBytes());
    } catch (IOException e) {
      throw new ScanException(
          ScanException.Reason.IO, "cannot read " + name + ": " + e.getMessage(), e);
    }
    return finish(sink, t0, true);
  }

  private ScanResult git(
      Path repo, GitScanner.Mode mode, @Nullable String since, @Nullable ScanProgress progress) {
    ScanSink sink = attach(progress);
    long t0 = System.nanoTime();
    new GitScanner(contentScanner(sink).get()).scan(repo, mode, since, sink);
    return finish(sink, t0, false);
  }

  private ScanSink attach(@Nullable ScanProgress progress) {
    ScanSink sink = new ScanSink();
    if (progress != null) {
      progress.attach(sink);
    }
    return sink;
  }

  private java.util.function.Supplier<ContentScanner> contentScanner(ScanSink sink) {
    return () -> new ContentScanner(detector, key, config, sink.suppressed);
  }

  private ScanResult finish(ScanSink sink, long t0, boolean sort) {
    List<SecretFinding> all = sink.findings();
    List<SecretFinding> kept = new ArrayList<>(all.size());
    for (SecretFinding f : all) {
      if (baseline != null && baseline.contains(f)) {
        sink.suppressed.increment();
      } else {
        kept.add(f);
      }
    }
    if (sort) {
      kept.sort(
          Comparator.comparing(SecretFinding::path)
              .thenComparingInt(SecretFinding::line)
              .thenComparingInt(SecretFinding::column)
              .thenComparing(SecretFinding::ruleId));
    }
    List<ScanProblem> problems = new ArrayList<>(sink.problems());
    problems.sort(Comparator.comparing(ScanProblem::path).thenComparing(ScanProblem::kind));
    return new ScanResult(kept, problems, sink.stats((System.nanoTime() - t0) / 1_000_000));
  }

  /** Options of a scanner. */
  public static final class Builder {
    private @Nullable FingerprintKey key;
    private @Nullable String configJson;
    private @Nullable Path configFile;
    private @Nullable Path baselineFile;
    private @Nullable Long maxFileSize;
    private boolean gitignore = true;
    private boolean followSymlinks;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private TreeScanner.Opener opener = TreeScanner.Options.defaultOpener();

    private Builder() {}

    /** The key fingerprints are computed under (required). */
    public Builder fingerprintKey(FingerprintKey k) {
      this.key = Objects.requireNonNull(k, "key");
      return this;
    }

    /** A JSON config file (see docs/scan.md). */
    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    /** Config as JSON text. */
    public Builder configJson(String json) {
      this.configJson = json;
      return this;
    }

    /** A baseline of known findings to suppress. */
    public Builder baselineFile(Path file) {
      this.baselineFile = file;
      return this;
    }

    /** Files larger than this are skipped and counted (overrides the config file). */
    public Builder maxFileSize(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxFileSize must be positive");
      }
      this.maxFileSize = bytes;
      return this;
    }

    /** Honour .gitignore files in directory scans (default true). */
    public Builder gitignore(boolean on) {
      this.gitignore = on;
      return this;
    }

    /**
     * Follow symbolic links in directory scans (default false); loops are detected and reported.
     */
    public Builder followSymlinks(boolean on) {
      this.followSymlinks = on;
      return this;
    }

    /** Worker threads for directory scans (default: one per core). */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
      this.threads = n;
      return this;
    }

    /** For tests: how files are opened, so a test can simulate unreadable files. */
    Builder opener(TreeScanner.Opener o) {
      this.opener = o;
      return this;
    }

    /**
     * Builds the scanner, reading the config and baseline files.
     *
     * @throws ScanException BAD_CONFIG if a file is missing or malformed
     * @throws IllegalStateException if no fingerprint key was set
     */
    public SecretScanner build() throws ScanException {
      if (key == null) {
        throw new IllegalStateException("a fingerprint key is required");
      }
      Set<String> ids = Rules.all().stream().map(Rule::id).collect(Collectors.toSet());
      ScanConfig config = ScanConfig.EMPTY;
      if (configFile != null) {
        config = ScanConfig.parse(read(configFile, "config"), ids);
      } else if (configJson != null) {
        config = ScanConfig.parse(configJson, ids);
      }
      Baseline baseline =
          baselineFile == null ? null : Baseline.parse(read(baselineFile, "baseline"), key.keyId());
      return new SecretScanner(this, config, baseline);
    }

    private static String read(Path file, String what) throws ScanException {
      try {
        if (Files.size(file) > (16 << 20)) {
          throw new ScanException(
              ScanException.Reason.BAD_CONFIG, what + " file is larger than 16 MiB: " + file);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ScanException(
            ScanException.Reason.BAD_CONFIG,
            "cannot read "
                + what
                + " file "
                + file
                + ": "
                + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file"
                    : e.getMessage()),
            e);
      }
    }
  }
}
