package dev.warden.bench.scan;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.ScanProgress;
import dev.warden.scan.ScanResult;
import dev.warden.scan.SecretScanner;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Load driver for warden-scan. Generates its own data, then times the scanner on it.
 *
 * <pre>
 * gen-tree DIR MB        a mixed source tree of about MB megabytes (deterministic)
 * gen-repo DIR COMMITS   a git repository with COMMITS commits of mixed changes (via git fast-import)
 * gen-bigfile FILE MB    one file of MB megabytes with no newline at all
 * tree DIR [threads]     scan a tree, print throughput
 * history DIR            scan a repository's whole history, print patch-text throughput
 * detect DIR [files] [passes]
 *                        the rule set alone over the first files of a tree held in memory, one
 *                        thread: CPU time of that thread (not wall time), best of the passes,
 *                        with and without the sweeping (high-entropy) rule
 * content DIR [files] [passes]
 *                        as detect, through the per-file entry point with each file's relative
 *                        path (what is decided per file from the path, findings located)
 * </pre>
 *
 * <p>{@code detect} is for comparing two builds on a shared, noisy machine: a thread's CPU time
 * hardly moves when other processes take the cores, where wall time does. Alternate the two jars.
 *
 * <p>Test data only: secrets are random values in real formats, never real credentials.
 *
 * <p>Why it is over 400 lines: a benchmark driver whose corpus generation and measured modes are
 * steps of one run; nothing else calls them.
 */
public final class ScanLoadDriver {
  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String[] WORDS =
      ("user account order payment service handler request response config value "
              + "client server token session cache index buffer stream record event message queue worker retry timeout "
              + "status result error logger metrics builder factory context manager provider registry adapter")
          .split(" ");

  private ScanLoadDriver() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: gen-tree DIR MB | gen-repo DIR COMMITS | gen-bigfile FILE MB | tree DIR [threads] | history DIR"
              + " | detect DIR [files] [passes] | content DIR [files] [passes]");
      System.exit(2);
    }
    switch (args[0]) {
      case "gen-tree" -> genTree(Path.of(args[1]), Long.parseLong(args[2]) << 20);
      case "gen-repo" -> genRepo(Path.of(args[1]), Integer.parseInt(args[2]));
      case "gen-bigfile" -> genBigFile(Path.of(args[1]), Long.parseLong(args[2]) << 20);
      case "tree" ->
          tree(
              Path.of(args[1]),
              args.length > 2
                  ? Integer.parseInt(args[2])
                  : Runtime.getRuntime().availableProcessors());
      case "history" -> history(Path.of(args[1]));
      case "detect" ->
          detect(
              Path.of(args[1]),
              args.length > 2 ? Integer.parseInt(args[2]) : 3000,
              args.length > 3 ? Integer.parseInt(args[3]) : 5);
      case "content" ->
          content(
              Path.of(args[1]),
              args.length > 2 ? Integer.parseInt(args[2]) : 3000,
              args.length > 3 ? Integer.parseInt(args[3]) : 5);
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  /**
   * The scanner under test. {@code -Dwarden.bench.config=JSON} passes a scan config, for example
   * {@code {"disableRules":["high-entropy-string"]}} to measure what some rules cost.
   */
  private static SecretScanner scanner(int threads) throws Exception {
    SecretScanner.Builder b =
        SecretScanner.builder()
            .fingerprintKey(FingerprintKey.of(new byte[32]))
            .threads(threads)
            .maxFileSize(2L << 30);
    String config = System.getProperty("warden.bench.config");
    if (config != null) {
      b.configJson(config);
    }
    return b.build();
  }

  static void tree(Path dir, int threads) throws Exception {
    SecretScanner s = scanner(threads);
    // warm-up on a slice so the JIT has compiled the hot loop, as it would be after the first files
    long t0 = System.nanoTime();
    ScanResult r = s.scanTree(List.of(dir), new ScanProgress());
    double secs = (System.nanoTime() - t0) / 1e9;
    report("tree", r, secs);
  }

  static void detect(Path dir, int files, int passes) throws IOException {
    List<Path> paths;
    try (var walk = Files.walk(dir)) {
      paths = walk.filter(Files::isRegularFile).sorted().limit(files).toList();
    }
    List<byte[]> bufs = new java.util.ArrayList<>();
    long bytes = 0;
    for (Path p : paths) {
      byte[] b = Files.readAllBytes(p);
      bufs.add(b);
      bytes += b.length;
    }
    dev.warden.scan.internal.detect.Detector.Session session =
        new dev.warden.scan.internal.detect.Detector(dev.warden.scan.internal.detect.Rules.all())
            .newSession();
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    for (boolean sweep : new boolean[] {false, true}) {
      long best = Long.MAX_VALUE;
      int found = 0;
      for (int pass = 0; pass < passes; pass++) {
        long t0 = cpu.getCurrentThreadCpuTime();
        found = 0;
        for (byte[] b : bufs) {
          found += session.scan(b, 0, b.length, sweep).size();
        }
        long dt = cpu.getCurrentThreadCpuTime() - t0;
        if (pass > 0) { // the first pass warms the JIT up
          best = Math.min(best, dt);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "detect%s: %d files, %.1f MB, best CPU %.3f s = %.1f MB/s per core, %d candidates%n",
          sweep ? " (with the high-entropy sweep)" : "",
          bufs.size(),
          bytes / 1e6,
          best / 1e9,
          bytes / 1e6 / (best / 1e9),
          found);
    }
  }

  /**
   * As {@link #detect}, through the per-file entry point a tree scan uses ({@code ContentScanner}
   * with each file's relative path): adds what is decided per file from its path (the lock-file
   * exemption, the credential-file kind) and the findings' location and fingerprint.
   */
  static void content(Path dir, int files, int passes) throws IOException {
    List<Path> paths;
    try (var walk = Files.walk(dir)) {
      paths = walk.filter(Files::isRegularFile).sorted().limit(files).toList();
    }
    List<byte[]> bufs = new java.util.ArrayList<>();
    List<String> names = new java.util.ArrayList<>();
    long bytes = 0;
    for (Path p : paths) {
      byte[] b = Files.readAllBytes(p);
      bufs.add(b);
      names.add(dir.relativize(p).toString());
      bytes += b.length;
    }
    dev.warden.scan.internal.detect.ContentScanner scanner =
        new dev.warden.scan.internal.detect.ContentScanner(
            new dev.warden.scan.internal.detect.Detector(
                dev.warden.scan.internal.detect.Rules.all()),
            FingerprintKey.of(new byte[32]),
            dev.warden.scan.internal.detect.FindingFilter.NONE,
            new java.util.concurrent.atomic.LongAdder());
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long best = Long.MAX_VALUE;
    int[] found = new int[1];
    for (int pass = 0; pass < passes; pass++) {
      long t0 = cpu.getCurrentThreadCpuTime();
      found[0] = 0;
      for (int i = 0; i < bufs.size(); i++) {
        byte[] b = bufs.get(i);
        scanner.scan(
            b,
            b.length,
            0,
            b.length,
            new dev.warden.scan.internal.detect.LineCursor(1),
            names.get(i),
            f -> found[0]++);
      }
      long dt = cpu.getCurrentThreadCpuTime() - t0;
      if (pass > 0) { // the first pass warms the JIT up
        best = Math.min(best, dt);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "content: %d files, %.1f MB, best CPU %.3f s = %.1f MB/s per core, %d findings%n",
        bufs.size(),
        bytes / 1e6,
        best / 1e9,
        bytes / 1e6 / (best / 1e9),
        found[0]);
  }

  static void history(Path repo) throws Exception {
    SecretScanner s = scanner(1);
    long t0 = System.nanoTime();
    ScanResult r = s.scanGitHistory(repo, new ScanProgress());
    double secs = (System.nanoTime() - t0) / 1e9;
    report("history", r, secs);
  }

  private static void report(String what, ScanResult r, double secs) {
    double mb = r.stats().bytes() / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%s: %d files, %d commits, %.1f MB in %.2f s = %.1f MB/s (%.1f MiB/s); %d findings, %d problems%n",
        what,
        r.stats().files(),
        r.stats().commits(),
        mb,
        secs,
        mb / secs,
        r.stats().bytes() / 1048576.0 / secs,
        r.findings().size(),
        r.problems().size());
  }

  // ---------------------------------------------------------------- data generation

  static final class Gen {
    final SplittableRandom r;

    Gen(long seed) {
      r = new SplittableRandom(seed);
    }

    String of(String alphabet, int n) {
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      return sb.toString();
    }

    String word() {
      return WORDS[r.nextInt(WORDS.length)];
    }

    String ident() {
      String a = word();
      String b = word();
      return a + Character.toUpperCase(b.charAt(0)) + b.substring(1);
    }

    String githubPat() {
      String random = of(ALNUM, 30);
      CRC32 crc = new CRC32();
      crc.update(random.getBytes(StandardCharsets.US_ASCII));
      long v = crc.getValue();
      char[] c = new char[6];
      String b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      for (int i = 5; i >= 0; i--) {
        c[i] = b62.charAt((int) (v % 62));
        v /= 62;
      }
      return "ghp_" + random + new String(c);
    }

    /** A secret in a real format; one in ~40 files carries one. */
    String secretLine() {
      return switch (r.nextInt(6)) {
        case 0 -> "GITHUB_TOKEN = \"" + githubPat() + "\"";
        case 1 -> "aws_access_key_id = \"AKIA" + of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16) + "\"";
        case 2 ->
            "slack = \"xoxb-"
                + of("123456789", 12)
                + "-"
                + of("123456789", 13)
                + "-"
                + of(ALNUM, 24)
                + "\"";
        case 3 -> "stripe_key = \"sk_live_" + of(ALNUM, 32) + "\"";
        case 4 -> "DATABASE_URL = \"postgres://app:" + of(ALNUM, 14) + "@db.internal:5432/app\"";
        default -> "db_password = \"" + of(ALNUM, 6) + "#" + of(ALNUM, 6) + "\"";
      };
    }

    /** A source file of about {@code size} bytes in one of several languages. */
    String file(String ext, int size) {
      StringBuilder sb = new StringBuilder(size + 256);
      boolean secret = r.nextInt(40) == 0;
      int secretAt = secret ? r.nextInt(Math.max(1, size)) : -1;
      while (sb.length() < size) {
        if (secretAt >= 0 && sb.length() >= secretAt) {
          sb.append(secretLine()).append('\n');
          secretAt = -1;
        }
        switch (ext) {
          case "java" ->
              sb.append("  public ")
                  .append(word().equals("token") ? "String" : "int")
                  .append(' ')
                  .append(ident())
                  .append("(")
                  .append("String ")
                  .append(word())
                  .append(") {\n    return ")
                  .append(ident())
                  .append(".get(\"")
                  .append(word())
                  .append("\");\n  }\n");
          case "py" ->
              sb.append("def ")
                  .append(word())
                  .append('_')
                  .append(word())
                  .append("(self, ")
                  .append(word())
                  .append("):\n    ")
                  .append("self.")
                  .append(word())
                  .append(" = os.environ.get(\"")
                  .append(word().toUpperCase(Locale.ROOT))
                  .append("_TOKEN\")\n");
          case "js" ->
              sb.append("export function ")
                  .append(ident())
                  .append("(a, b) { const ")
                  .append(word())
                  .append(" = await fetch(`https://api.example.com/")
                  .append(word())
                  .append("/${a}`); return b ? ")
                  .append(word())
                  .append(" : null; }\n");
          case "json" ->
              sb.append("  \"")
                  .append(word())
                  .append("\": {\"id\": \"")
                  .append(of("0123456789abcdef", 8))
                  .append('-')
                  .append(of("0123456789abcdef", 4))
                  .append("\", \"sha\": \"")
                  .append(of("0123456789abcdef", 40))
                  .append("\"},\n");
          case "yaml" ->
              sb.append("  ")
                  .append(word())
                  .append(":\n    image: registry.example.com/")
                  .append(word())
                  .append(':')
                  .append(r.nextInt(9))
                  .append(".0\n    secretRef: ")
                  .append(word())
                  .append("-secret\n");
          case "min.js" ->
              sb.append("var ")
                  .append(of("abcdefghij", 1))
                  .append("=function(")
                  .append(of("xyz", 1))
                  .append("){return ")
                  .append(of(ALNUM, 30))
                  .append("+\"")
                  .append(of(ALNUM + "+/", 40))
                  .append("\"};");
          case "lock" ->
              sb.append("  \"node_modules/")
                  .append(word())
                  .append("\": {\"version\": \"1.")
                  .append(r.nextInt(20))
                  .append(".0\", \"integrity\": \"sha512-")
                  .append(of(ALNUM + "+/", 86))
                  .append("==\"},\n");
          default ->
              sb.append("The ")
                  .append(word())
                  .append(' ')
                  .append(word())
                  .append(" uses a ")
                  .append(word())
                  .append(" password policy and token rotation every ")
                  .append(r.nextInt(90))
                  .append(" days.\n");
        }
      }
      return sb.toString();
    }
  }

  static void genTree(Path dir, long bytes) throws IOException {
    Gen g = new Gen(1L);
    String[] exts = {"java", "py", "js", "json", "yaml", "min.js", "lock", "md"};
    long written = 0;
    int n = 0;
    while (written < bytes) {
      String ext = exts[g.r.nextInt(exts.length)];
      int size =
          ext.equals("min.js") || ext.equals("lock")
              ? 50_000 + g.r.nextInt(200_000)
              : 2_000 + g.r.nextInt(40_000);
      Path f =
          dir.resolve("d" + (n % 64)).resolve("s" + (n / 64 % 32)).resolve("f" + n + "." + ext);
      Files.createDirectories(f.getParent());
      byte[] b = g.file(ext, size).getBytes(StandardCharsets.UTF_8);
      Files.write(f, b);
      written += b.length;
      n++;
    }
    System.out.printf(Locale.ROOT, "generated %d files, %.1f MB in %s%n", n, written / 1e6, dir);
  }

  static void genBigFile(Path file, long bytes) throws IOException {
    Gen g = new Gen(3L);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      byte[] block = g.of(ALNUM + "+/=", 1 << 20).getBytes(StandardCharsets.US_ASCII);
      for (long w = 0; w < bytes; w += block.length) {
        out.write(block, 0, (int) Math.min(block.length, bytes - w));
      }
    }
    System.out.printf(
        Locale.ROOT, "generated %s, %.1f MB, no newline%n", file, Files.size(file) / 1e6);
  }

  /** A repository with a linear history written through git fast-import (fast, one process). */
  static void genRepo(Path dir, int commits) throws Exception {
    Files.createDirectories(dir);
    run(dir, "git", "init", "-q", "-b", "main");
    Gen g = new Gen(2L);
    Process p =
        new ProcessBuilder("git", "fast-import", "--quiet")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .start();
    String[] exts = {"java", "py", "js", "json", "yaml", "md"};
    long t = 1_600_000_000L;
    try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
      for (int c = 0; c < commits; c++) {
        StringBuilder cmd = new StringBuilder();
        String msg = "change " + c;
        cmd.append("commit refs/heads/main\ncommitter Bench <bench@example.com> ")
            .append(t + c * 60L)
            .append(" +0000\n")
            .append("data ")
            .append(msg.length())
            .append('\n')
            .append(msg)
            .append('\n');
        int files = 1 + g.r.nextInt(4);
        for (int f = 0; f < files; f++) {
          String ext = exts[g.r.nextInt(exts.length)];
          byte[] content =
              g.file(ext, 2_000 + g.r.nextInt(30_000)).getBytes(StandardCharsets.UTF_8);
          cmd.append("M 644 inline src/m")
              .append(g.r.nextInt(200))
              .append("/f")
              .append(g.r.nextInt(50))
              .append('.')
              .append(ext)
              .append('\n')
              .append("data ")
              .append(content.length)
              .append('\n');
          out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
          cmd.setLength(0);
          out.write(content);
          out.write('\n');
        }
        out.write('\n');
      }
    }
    if (p.waitFor() != 0) {
      throw new IOException("git fast-import failed");
    }
    run(dir, "git", "checkout", "-q", "main");
    System.out.println("generated repository " + dir + " with " + commits + " commits");
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
  }
}
