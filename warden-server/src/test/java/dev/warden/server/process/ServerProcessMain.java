package dev.warden.server.process;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Warden server in a process of its own, for tests that kill it: each argument is {@code
 * key=value} configuration. Runs until killed.
 */
public final class ServerProcessMain {
  private ServerProcessMain() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      flags.put(a.substring(0, eq), a.substring(eq + 1));
    }
    ServerConfig cfg = ConfigLoader.load(null, Map.of(), flags);
    WardenServer.start(
        cfg, Clock.systemUTC(), new PrintStream(System.out, true, StandardCharsets.UTF_8));
    Thread.currentThread().join();
  }
}
