package dev.warden.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for servers a test must name before they start (an issuer URL, a redirect URI).
 *
 * <p>Asking the kernel for a free port ({@code new ServerSocket(0)}) and binding it later races:
 * until the server binds, the kernel may hand the same port to any other socket — a test server
 * started in between on port 0, or the source port of an outgoing connection — and the start fails
 * with "port already in use" (it did, in CI). Ports are therefore chosen below the kernel's
 * ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), where it never assigns one on
 * its own, checked free when chosen, and never handed out twice by this JVM.
 */
public final class FreePorts {
  /** Lowest port handed out: above the registered services most machines run. */
  static final int LOWEST = 10_000;

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final SecureRandom RANDOM = new SecureRandom();

  private FreePorts() {}

  /**
   * A loopback port that is free now, outside the kernel's ephemeral range, and not returned before
   * by this method in this JVM.
   */
  public static int next() {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = LOWEST + RANDOM.nextInt(below - LOWEST);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException inUse) {
        // taken by another process: try another
      }
    }
    throw new IllegalStateException(
        "no free loopback port between " + LOWEST + " and " + below + " after 1,000 tries");
  }

  /** The first port the kernel may assign by itself (32768 where the file cannot be read). */
  static int ephemeralLow() {
    try {
      String range =
          Files.readString(
              Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII);
      int low = Integer.parseInt(range.trim().split("\\s+")[0]);
      return low > LOWEST + 1_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
