package dev.warden.scan.internal.source;

import dev.warden.scan.internal.config.Glob;
import dev.warden.scan.internal.detect.ContentScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Walks a directory tree in the calling thread and scans its files on a small pool of worker
 * threads (one per core), each reusing its own chunk buffer and detector session.
 */
public final class TreeScanner {
  /** Extensions of formats that are binary or compressed; skipped without being opened. */
  private static final Set<String> BINARY_EXTENSIONS =
      Set.of(
          "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "mp3", "mp4",
          "mov", "avi", "mkv", "wav", "flac", "ogg", "woff", "woff2", "ttf", "otf", "eot", "zip",
          "gz", "tgz", "bz2", "xz", "7z", "rar", "zst", "jar", "war", "ear", "class", "so", "dylib",
          "dll", "exe", "o", "a", "lib", "bin", "dat", "pdf", "iso", "img", "dmg", "pyc", "pyo",
          "wasm", "parquet", "avro", "orc", "sqlite", "db");

  /** Opens a file for reading; replaced in tests by a fake that fails like a real file system. */
  @FunctionalInterface
  public interface Opener {
    ReadableByteChannel open(Path file) throws IOException;
  }

  /** Options of a tree scan. */
  public record Options(
      long maxFileSize,
      boolean gitignore,
      boolean followSymlinks,
      int threads,
      List<Glob> excludes,
      Opener opener) {
    public Options {
      if (maxFileSize <= 0) {
        throw new IllegalArgumentException("maxFileSize must be positive");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
      excludes = List.copyOf(excludes);
    }

    public static Opener defaultOpener() {
      return file -> FileChannel.open(file, StandardOpenOption.READ);
    }
  }

  private final Supplier<ContentScanner> scanners;
  private final Options options;
  private final ThreadLocal<ChunkScanner> chunkScanners;

  public TreeScanner(Supplier<ContentScanner> scanners, Options options) {
    this.scanners = scanners;
    this.options = options;
    this.chunkScanners = ThreadLocal.withInitial(() -> new ChunkScanner(scanners.get()));
  }

  /** Scans a directory or a single file; problems and findings go to {@code sink}. */
  public void scan(Path root, ScanSink sink) {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      sink.problem(root.toString(), "not-found", "path does not exist: " + root, true);
      return;
    }
    if (!Files.exists(root)) {
      sink.problem(root.toString(), "broken-symlink", "broken symbolic link: " + root, true);
      return;
    }
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            options.threads(),
            options.threads(),
            1,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "warden-scan-worker");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    try {
      if (Files.isRegularFile(root)) {
        String rel = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        try {
          long size = Files.size(root);
          sink.expectedBytes.add(size);
          submit(pool, root, rel, size, sink);
        } catch (IOException e) {
          sink.problem(rel, "unreadable", "cannot read " + rel + ": " + describe(e), false);
        }
      } else {
        walk(root, pool, sink);
      }
    } finally {
      sink.walkDone = true;
      pool.shutdown();
      try {
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
          // keep waiting: workers finish the files already queued
        }
      } catch (InterruptedException e) {
        pool.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void walk(Path root, ThreadPoolExecutor pool, ScanSink sink) {
    Deque<IgnoreRules> ignores = new ArrayDeque<>();
    Deque<Path> ignoreOwners = new ArrayDeque<>();
    Set<FileVisitOption> opts =
        options.followSymlinks()
            ? EnumSet.of(FileVisitOption.FOLLOW_LINKS)
            : EnumSet.noneOf(FileVisitOption.class);
    try {
      Files.walkFileTree(
          root,
          opts,
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              String rel = relative(root, dir);
              if (!rel.isEmpty()) {
                String name = dir.getFileName().toString();
                if (name.equals(".git") || excluded(rel) || ignored(ignores, rel, true)) {
                  sink.skippedOther.increment();
                  return FileVisitResult.SKIP_SUBTREE;
                }
              }
              if (options.gitignore()) {
                Path gi = dir.resolve(".gitignore");
                if (Files.isRegularFile(gi)) {
                  try {
                    if (Files.size(gi) < (1 << 20)) {
                      ignores.push(
                          IgnoreRules.parse(rel, Files.readString(gi, StandardCharsets.UTF_8)));
                      ignoreOwners.push(dir);
                    }
                  } catch (IOException | java.io.UncheckedIOException e) {
                    sink.problem(
                        relative(root, gi),
                        "unreadable",
                        "cannot read .gitignore: " + describe(e),
                        false);
                  }
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
              if (!ignoreOwners.isEmpty() && ignoreOwners.peek().equals(dir)) {
                ignoreOwners.pop();
                ignores.pop();
              }
              if (exc != null) {
                String rel = relative(root, dir);
                sink.problem(
                    rel.isEmpty() ? root.toString() : rel,
                    "unreadable",
                    "cannot list directory: " + describe(exc),
                    false);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String rel = relative(root, file);
              if (attrs.isSymbolicLink()) {
                // Not followed (or, when following, a link whose target cannot be read).
                if (!Files.exists(file)) {
                  sink.problem(
                      rel, "broken-symlink", "broken symbolic link (skipped): " + rel, false);
                }
                sink.skippedOther.increment();
                return FileVisitResult.CONTINUE;
              }
              if (!attrs.isRegularFile()) {
                sink.skippedOther.increment();
                return FileVisitResult.CONTINUE;
              }
              if (excluded(rel) || ignored(ignores, rel, false)) {
                sink.skippedOther.increment();
                return FileVisitResult.CONTINUE;
              }
              sink.expectedBytes.add(attrs.size());
              submit(pool, file, rel, attrs.size(), sink);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              String rel = relative(root, file);
              if (exc instanceof FileSystemLoopException) {
                sink.problem(rel, "symlink-loop", "symbolic link loop (skipped): " + rel, false);
              } else {
                sink.problem(rel, "unreadable", "cannot read " + rel + ": " + describe(exc), false);
              }
              sink.skippedOther.increment();
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      sink.problem(root.toString(), "io", "cannot walk " + root + ": " + describe(e), true);
    }
  }

  private boolean excluded(String rel) {
    String name = rel.substring(rel.lastIndexOf('/') + 1);
    for (Glob g : options.excludes()) {
      if (g.matches(rel) || (!g.toString().contains("/") && g.matches(name))) {
        return true;
      }
    }
    return false;
  }

  private boolean ignored(Deque<IgnoreRules> ignores, String rel, boolean isDir) {
    if (!options.gitignore() || ignores.isEmpty()) {
      return false;
    }
    Boolean verdict = null;
    // outermost first; a deeper .gitignore overrides
    var it = ignores.descendingIterator();
    while (it.hasNext()) {
      Boolean v = it.next().verdict(rel, isDir);
      if (v != null) {
        verdict = v;
      }
    }
    return Boolean.TRUE.equals(verdict);
  }

  private void submit(ThreadPoolExecutor pool, Path file, String rel, long size, ScanSink sink) {
    if (size > options.maxFileSize()) {
      sink.skippedLarge.increment();
      sink.problem(
          rel,
          "too-large",
          "skipped "
              + rel
              + ": "
              + human(size)
              + " is over the "
              + human(options.maxFileSize())
              + " limit (--max-file-size)",
          false);
      return;
    }
    int dot = rel.lastIndexOf('.');
    if (dot > rel.lastIndexOf('/')
        && BINARY_EXTENSIONS.contains(rel.substring(dot + 1).toLowerCase(Locale.ROOT))) {
      sink.skippedBinary.increment();
      return;
    }
    pool.execute(() -> scanFile(file, rel, sink));
  }

  void scanFile(Path file, String rel, ScanSink sink) {
    ChunkScanner cs = chunkScanners.get();
    cs.begin(rel, 1, sink::finding);
    try (ReadableByteChannel ch = options.opener().open(file)) {
      if (cs.readFrom(ch, true)) {
        sink.files.increment();
      } else {
        sink.skippedBinary.increment();
      }
      sink.bytes.add(cs.scannedBytes());
    } catch (IOException e) {
      sink.skippedOther.increment();
      sink.problem(rel, "unreadable", "cannot read " + rel + ": " + describe(e), false);
    } catch (RuntimeException e) {
      // One bad file must not end the scan of the others.
      sink.skippedOther.increment();
      sink.problem(rel, "io", "failed to scan " + rel + ": " + e, false);
    }
  }

  static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  static String describe(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
