package dev.warden.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression: tests took a port from {@code new ServerSocket(0)} and bound it later; meanwhile the
 * kernel handed the same port to a test server started on port 0, and a CI run failed with "port
 * already in use". Ports now come from below the kernel's ephemeral range, once each.
 */
class FreePortsTest {
  @Test
  void portsComeFromBelowTheKernelsOwnRangeAndAreNeverHandedOutTwice() throws Exception {
    int low = FreePorts.ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = FreePorts.next();
      assertThat(port).isBetween(FreePorts.LOWEST, low - 1);
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
    }
  }

  @Test
  void aPortTheKernelAssignsItselfIsNeverOneHandedOut() throws Exception {
    int port = FreePorts.next();
    for (int i = 0; i < 200; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort())
            .isNotEqualTo(port)
            .isGreaterThanOrEqualTo(FreePorts.ephemeralLow());
      }
    }
  }

  @Test
  void aHandedOutPortCanBeBound() throws Exception {
    int port = FreePorts.next();
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }
}
