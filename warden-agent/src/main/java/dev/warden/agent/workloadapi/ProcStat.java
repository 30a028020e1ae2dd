package dev.warden.agent.workloadapi;

/**
 * Reads the fields Warden needs from a {@code /proc/<pid>/stat} line. The command name (field 2) is
 * in parentheses and may itself contain spaces and ')', so fields are counted from the last ')'.
 */
final class ProcStat {
  private ProcStat() {}

  /**
   * The process start time (field 22, clock ticks since boot): with the pid it names one process,
   * because a reused pid gets a later start time.
   *
   * @throws IllegalArgumentException when the line is not a stat line
   */
  static long startTime(String line) {
    if (line == null) {
      throw new IllegalArgumentException("no stat line");
    }
    int close = line.lastIndexOf(')');
    int open = line.indexOf('(');
    if (open < 0 || close < open || close + 2 > line.length()) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line");
    }
    String[] f = line.substring(close + 2).trim().split(" +");
    // f[0] is field 3 (state), so field 22 is f[19]
    if (f.length < 20) {
      throw new IllegalArgumentException(
          "stat line has " + (f.length + 2) + " fields, expected at least 22");
    }
    try {
      long v = Long.parseLong(f[19]);
      if (v < 0) {
        throw new IllegalArgumentException("negative start time");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("start time is not a number: " + f[19]);
    }
  }
}
