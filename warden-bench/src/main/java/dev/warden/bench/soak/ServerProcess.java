package dev.warden.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code warden server} process started from the CLI jar with the JVM options a VM or container
 * runs it with, its output in a file (so nothing blocks on a pipe) and its GC log beside it: what
 * the soak measures is that process's own heap and resident memory, not the load driver's.
 */
final class ServerProcess implements AutoCloseable {
  final Process process;
  final Path output;
  final GcLog gc;

  private ServerProcess(Process process, Path output, GcLog gc) {
    this.process = process;
    this.output = output;
    this.gc = gc;
  }

  /**
   * @param jvmOptions the JVM options (heap size, collector) before {@code -jar}
   * @param args the arguments after {@code warden server}
   */
  static ServerProcess start(Path jar, List<String> jvmOptions, List<String> args, Path dir)
      throws IOException {
    Path out = dir.resolve("server.out");
    Path gcLog = dir.resolve("server-gc.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-Xlog:gc:file=" + gcLog + ":uptime");
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add("server");
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return new ServerProcess(p, out, new GcLog(gcLog));
  }

  String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  void awaitReady(HttpClient http, String base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IllegalStateException("the server did not become ready:\n" + output());
      }
      Thread.sleep(100);
    }
  }

  /**
   * {@code VmRSS} of the server process in kB, from {@code /proc/<pid>/status}; -1 where there is
   * none.
   */
  long rssKb() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or not Linux
    }
    return -1;
  }

  /** CPU time (user + system) the server process has used, in seconds; -1 where unknown. */
  double cpuSeconds() {
    return cpuSeconds(process.pid());
  }

  /**
   * CPU time of every PostgreSQL process on this machine (the postmaster and all backends), in
   * seconds: the database's share of the work, for sizing it. Other users of the same cluster count
   * too.
   */
  static double postgresCpuSeconds() {
    double total = 0;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d :
          dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
              .toList()) {
        try {
          String stat = Files.readString(d.resolve("stat"));
          if (stat.contains("(postgres)")) {
            total += ticks(stat);
          }
        } catch (IOException e) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return total;
  }

  private static double cpuSeconds(long pid) {
    try {
      return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException e) {
      return -1;
    }
  }

  /** utime + stime of a /proc/<pid>/stat line, in seconds (USER_HZ is 100 on Linux). */
  private static double ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /**
   * A full collection through {@code jcmd GC.run}, so that the heap left after it is the live set;
   * returns that heap in MB as the GC log reports it, or -1.
   */
  long fullGcLiveMb() throws IOException, InterruptedException {
    return fullGcLiveMb(null);
  }

  /**
   * As {@link #fullGcLiveMb()}; with {@code histogram} non-null the collection is the one {@code
   * jcmd GC.class_histogram} makes, and the live objects by class go to that file (what grows, when
   * the live heap does).
   */
  long fullGcLiveMb(Path histogram) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(
                jcmd.toString(),
                Long.toString(process.pid()),
                histogram == null ? "GC.run" : "GC.class_histogram")
            .redirectErrorStream(true)
            .redirectOutput(
                histogram == null
                    ? ProcessBuilder.Redirect.DISCARD
                    : ProcessBuilder.Redirect.to(histogram.toFile()))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    Thread.sleep(500);
    return gc.lastFull();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
