package dev.warden.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM used (all its threads: request handling, background work, JIT and GC), for a
 * load driver whose server runs in-process: CPU per request is a figure that other work on a shared
 * machine slows down far less than it slows throughput.
 */
final class ProcessCpu {
  private final long startNanos;

  private ProcessCpu(long startNanos) {
    this.startNanos = startNanos;
  }

  /** Starts counting now. */
  static ProcessCpu start() {
    return new ProcessCpu(now());
  }

  /** CPU microseconds this JVM used since {@link #start}, per request of {@code requests}. */
  double microsPer(long requests) {
    return requests == 0 ? 0 : (now() - startNanos) / 1000.0 / requests;
  }

  private static long now() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    throw new IllegalStateException("this JVM does not report its process CPU time");
  }
}
