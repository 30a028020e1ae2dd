package dev.warden.scan.internal.source;

import dev.warden.scan.SecretFinding;
import dev.warden.scan.internal.detect.ContentScanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Scans git history, a commit range or the staged changes by running one {@code git log -p} (or
 * {@code git diff --cached}) process and streaming its patch text through {@link PatchParser}. Only
 * added lines are scanned. History is read oldest commit first ({@code --reverse}), so the first
 * occurrence of a secret is the commit that introduced it, and each secret (rule and fingerprint)
 * is reported once.
 */
public final class GitScanner {
  /** What part of the repository to scan. */
  public enum Mode {
    /** Every commit reachable from every ref. */
    HISTORY,
    /** Commits in {@code since..HEAD}. */
    RANGE,
    /** The index against HEAD (a pre-commit hook). */
    STAGED
  }

  private final ContentScanner scanner;
  private final String git;

  public GitScanner(ContentScanner scanner) {
    this(scanner, "git");
  }

  GitScanner(ContentScanner scanner, String gitExecutable) {
    this.scanner = scanner;
    this.git = gitExecutable;
  }

  /** Scans {@code repo}; problems (not a repository, corrupt objects) go to the sink. */
  public void scan(Path repo, Mode mode, @Nullable String since, ScanSink sink) {
    String where = repo.toString();
    if (!java.nio.file.Files.isDirectory(repo)) {
      sink.problem(where, "not-found", "path does not exist or is not a directory: " + repo, true);
      return;
    }
    GitResult check = run(repo, List.of("rev-parse", "--git-dir"));
    if (check.exit != 0) {
      sink.problem(
          where,
          "git",
          "not a git repository: " + repo + " (git: " + firstLine(check.err) + ")",
          true);
      return;
    }
    if (mode == Mode.RANGE) {
      if (since == null || since.isBlank() || since.startsWith("-")) {
        sink.problem(
            where, "git", "--since needs a revision such as origin/main or a commit id", true);
        return;
      }
      GitResult rev = run(repo, List.of("rev-parse", "--verify", "--quiet", since + "^{commit}"));
      if (rev.exit != 0) {
        sink.problem(where, "git", "unknown revision for --since: " + since, true);
        return;
      }
    }
    if (mode != Mode.STAGED) {
      GitResult count =
          run(
              repo,
              mode == Mode.HISTORY
                  ? List.of("rev-list", "--all", "--count")
                  : List.of("rev-list", "--count", since + "..HEAD"));
      if (count.exit == 0) {
        try {
          sink.expectedCommits = Long.parseLong(count.out.strip());
        } catch (NumberFormatException e) {
          // progress only
        }
      }
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "-c",
                "core.quotePath=false",
                "-c",
                "diff.noprefix=false",
                "-c",
                "diff.mnemonicPrefix=false"));
    if (mode == Mode.STAGED) {
      args.addAll(
          List.of(
              "diff",
              "--cached",
              "-p",
              "-U0",
              "--no-color",
              "--no-ext-diff",
              "--no-textconv",
              "-M"));
    } else {
      args.addAll(
          List.of(
              "log",
              "-p",
              "-U0",
              "--no-color",
              "--no-ext-diff",
              "--no-textconv",
              "-M",
              "--reverse",
              "--format=%x00%H%x00%an <%ae>%x00%aI"));
      args.add(mode == Mode.HISTORY ? "--all" : since + "..HEAD");
      args.add("--");
    }
    Set<String> reported = new HashSet<>();
    ChunkScanner chunks = new ChunkScanner(scanner);
    PatchParser parser =
        new PatchParser(
            chunks,
            sink,
            f -> {
              if (reported.add(f.ruleId() + ':' + f.fingerprint())) {
                sink.finding(f);
              }
            });
    ProcessBuilder pb = new ProcessBuilder(command(args)).directory(repo.toFile());
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("LC_ALL", "C");
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      StderrCollector err = new StderrCollector(p.getErrorStream());
      err.start();
      try (InputStream in = p.getInputStream()) {
        parser.parse(in);
      }
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      err.join(5000);
      int exit = done ? p.exitValue() : -1;
      if (exit != 0) {
        sink.problem(
            where,
            "git",
            "git "
                + (mode == Mode.STAGED ? "diff" : "log")
                + " failed (exit "
                + exit
                + "); history scanned up to the failure: "
                + firstLine(err.text()),
            true);
      }
    } catch (IOException e) {
      sink.problem(
          where,
          "git",
          "cannot run git: " + e.getMessage() + " (is git installed and on the PATH?)",
          true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sink.problem(where, "git", "interrupted", true);
    }
  }

  private List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(git);
    cmd.addAll(args);
    return cmd;
  }

  private record GitResult(int exit, String out, String err) {}

  private GitResult run(Path repo, List<String> args) {
    try {
      Process p = new ProcessBuilder(command(args)).directory(repo.toFile()).start();
      p.getOutputStream().close();
      StderrCollector err = new StderrCollector(p.getErrorStream());
      err.start();
      String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      err.join(5000);
      return new GitResult(done ? p.exitValue() : -1, out, err.text());
    } catch (IOException e) {
      return new GitResult(-1, "", "cannot run git: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new GitResult(-1, "", "interrupted");
    }
  }

  static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  /** Drains a process's stderr so it never blocks, keeping the first 64 KiB for the message. */
  private static final class StderrCollector extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

    StderrCollector(InputStream in) {
      super("git-stderr");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      byte[] b = new byte[8192];
      try {
        int n;
        while ((n = in.read(b)) >= 0) {
          synchronized (kept) {
            if (kept.size() < 65536) {
              kept.write(b, 0, Math.min(n, 65536 - kept.size()));
            }
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }

    String text() {
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** Used by {@link PatchParser} to hand back located findings with commit metadata. */
  interface FindingSink extends java.util.function.Consumer<SecretFinding> {}
}
