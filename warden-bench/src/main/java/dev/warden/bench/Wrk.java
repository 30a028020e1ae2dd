package dev.warden.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (2 threads, with its latency distribution) and reads its summary back, so a
 * driver that compares two servers can print a table and a ratio instead of two walls of text. The
 * full {@code wrk} output is still echoed to standard output as it arrives.
 */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern PERCENTILE =
      Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

  private Wrk() {}

  /**
   * What one {@code wrk} run measured.
   *
   * @param errors non-2xx/3xx responses plus socket errors: a run with errors did not measure what
   *     it claims to
   */
  record Result(
      double perSecond, long requests, long errors, double p50Ms, double p90Ms, double p99Ms) {}

  /**
   * Runs {@code wrk} against {@code url}, with a Lua script or none.
   *
   * @throws IllegalStateException when {@code wrk} is missing, fails, or prints no summary
   */
  static Result run(String url, Path lua, int seconds, int connections)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency"));
    if (lua != null) {
      cmd.add("-s");
      cmd.add(lua.toString());
    }
    cmd.add(url);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run wrk; install it with: apt-get install wrk", e);
    }
    StringBuilder out = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println(line);
        out.append(line).append('\n');
      }
    }
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException(
          "wrk failed (exit " + rc + "); install it with: apt-get install wrk");
    }
    return parse(out.toString());
  }

  static Result parse(String out) {
    Matcher rate = RATE.matcher(out);
    Matcher total = TOTAL.matcher(out);
    if (!rate.find() || !total.find()) {
      throw new IllegalStateException("wrk printed no summary:\n" + out);
    }
    long errors = 0;
    Matcher non2xx = NON_2XX.matcher(out);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET.matcher(out);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    double[] ms = new double[100];
    Matcher pct = PERCENTILE.matcher(out);
    while (pct.find()) {
      double v = Double.parseDouble(pct.group(2));
      ms[Integer.parseInt(pct.group(1))] =
          switch (pct.group(3)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
          };
    }
    return new Result(
        Double.parseDouble(rate.group(1)),
        Long.parseLong(total.group(1)),
        errors,
        ms[50],
        ms[90],
        ms[99]);
  }
}
