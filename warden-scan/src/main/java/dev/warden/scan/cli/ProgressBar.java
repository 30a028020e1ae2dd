package dev.warden.scan.cli;

import dev.warden.scan.ScanProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on standard error: files (or commits), bytes, rate and ETA, redrawn a
 * few times a second. It is only started on an interactive terminal outside CI.
 */
final class ProgressBar implements AutoCloseable {
  private final ScanProgress progress;
  private final PrintStream err;
  private final boolean history;
  private final long t0 = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;
  private int lastWidth;

  ProgressBar(ScanProgress progress, PrintStream err, boolean history) {
    this.progress = progress;
    this.err = err;
    this.history = history;
    this.thread = new Thread(this::loop, "warden-scan-progress");
    this.thread.setDaemon(true);
  }

  /** True when stdout is a terminal, {@code CI} is unset and TERM is not dumb. */
  static boolean wanted(java.util.Map<String, String> env) {
    if (env.containsKey("CI") || "dumb".equals(env.get("TERM"))) {
      return false;
    }
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      // JDK 22+: System.console() may exist without a terminal; ask it (reflection keeps release
      // 21).
      Object t = java.io.Console.class.getMethod("isTerminal").invoke(c);
      return Boolean.TRUE.equals(t);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  ProgressBar start() {
    thread.start();
    return this;
  }

  private void loop() {
    while (running) {
      draw();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  String line() {
    double secs = Math.max(0.001, (System.nanoTime() - t0) / 1e9);
    long bytes = progress.bytes();
    double rate = bytes / secs;
    StringBuilder sb = new StringBuilder();
    double fraction = -1;
    if (history) {
      long done = progress.commits();
      long total = progress.expectedCommits();
      sb.append(String.format(Locale.ROOT, "%,d", done))
          .append(total > 0 ? String.format(Locale.ROOT, "/%,d", total) : "")
          .append(" commits");
      if (total > 0) {
        fraction = Math.min(1, (double) done / total);
      }
    } else {
      sb.append(String.format(Locale.ROOT, "%,d files", progress.files()));
      long total = progress.expectedBytes();
      if (progress.totalKnown() && total > 0) {
        fraction = Math.min(1, (double) bytes / total);
      }
    }
    sb.append(
        String.format(Locale.ROOT, "  %s  %s/s", Human.bytes(bytes), Human.bytes((long) rate)));
    String bar = "";
    if (fraction >= 0) {
      int width = 24;
      int filled = (int) Math.round(fraction * width);
      bar =
          "["
              + "=".repeat(filled)
              + " ".repeat(width - filled)
              + "] "
              + Math.round(fraction * 100)
              + "%  ";
      if (fraction > 0.01) {
        long eta = Math.round(secs / fraction - secs);
        sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
      }
    }
    return bar + sb;
  }

  private synchronized void draw() {
    String l = line();
    int pad = Math.max(0, lastWidth - l.length());
    err.print("\r" + l + " ".repeat(pad));
    err.flush();
    lastWidth = l.length();
  }

  @Override
  public synchronized void close() {
    running = false;
    thread.interrupt();
    err.print("\r" + " ".repeat(lastWidth) + "\r");
    err.flush();
  }

  /** Byte counts for people. */
  static final class Human {
    private Human() {}

    static String bytes(long b) {
      return dev.warden.scan.internal.source.TreeScanner.human(b);
    }
  }
}
