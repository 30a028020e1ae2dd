package dev.warden.bench.soak;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the server's unified GC log ({@code -Xlog:gc}) as it grows: the heap left after each
 * collection ({@code Pause Young (Allocation Failure) 150M->31M(245M) 3.1ms}) without pausing the
 * server to ask. Each {@link #sinceLastRead()} covers the lines written since the previous one.
 */
final class GcLog {
  private static final Pattern PAUSE =
      // SerialGC: "Pause Young (Allocation Failure) 150M->31M(245M) 3.1ms"; G1 names two causes:
      // "Pause Young (Normal) (G1 Evacuation Pause) 24M->5M(256M) 3.4ms"
      Pattern.compile(
          "Pause (Young|Full)(?: \\([^)]*\\))* (\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");

  /**
   * Collections in one interval: how many, the heap after the last one and the lowest, the
   * committed heap; -1 when none.
   */
  record Interval(int collections, long lastAfterMb, long minAfterMb, long committedMb) {}

  private final Path file;
  private long offset;
  private long lastFullAfterMb = -1;
  private double lastFullPauseMs = -1;

  GcLog(Path file) {
    this.file = file;
  }

  synchronized Interval sinceLastRead() {
    int n = 0;
    long last = -1;
    long min = Long.MAX_VALUE;
    long committed = -1;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      if (f.length() < offset) {
        offset = 0;
      }
      f.seek(offset);
      byte[] rest = new byte[(int) (f.length() - offset)];
      f.readFully(rest);
      String text = new String(rest, StandardCharsets.UTF_8);
      int complete = text.lastIndexOf('\n') + 1;
      offset += text.substring(0, complete).getBytes(StandardCharsets.UTF_8).length;
      for (String line : text.substring(0, complete).split("\n")) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          n++;
          last = Long.parseLong(m.group(3));
          min = Math.min(min, last);
          committed = Long.parseLong(m.group(4));
          if (m.group(1).equals("Full")) {
            lastFullAfterMb = last;
            lastFullPauseMs = Double.parseDouble(m.group(5));
          }
        }
      }
    } catch (IOException e) {
      // no log yet
    }
    return new Interval(n, last, n == 0 ? -1 : min, committed);
  }

  /** The heap after the most recent full collection seen, reading what is new first. */
  synchronized long lastFull() {
    sinceLastRead();
    return lastFullAfterMb;
  }

  /** How long the most recent full collection seen paused the server, in ms. */
  synchronized double lastFullPauseMs() {
    return lastFullPauseMs;
  }
}
