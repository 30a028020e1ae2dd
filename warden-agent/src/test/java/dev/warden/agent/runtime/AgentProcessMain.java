package dev.warden.agent.runtime;

import dev.warden.agent.workloadapi.WorkloadApiServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * An agent in a process of its own, for tests that kill it: arguments are the server URL, the
 * Workload API socket, the data directory and a join token ("-" for none: resume the persisted
 * session). Prints "serving" once the socket is up, then runs until killed.
 */
public final class AgentProcessMain {
  private AgentProcessMain() {}

  public static void main(String[] args) throws Exception {
    AgentOptions o =
        new AgentOptions(
            args[0],
            Path.of(args[1]),
            Path.of(args[2]),
            "-".equals(args[3]) ? null : args[3],
            null,
            Duration.ofMillis(200),
            Duration.ofSeconds(2),
            List.of());
    AgentRuntime agent = new AgentRuntime(o, Clock.systemUTC());
    agent.start();
    WorkloadApiServer.start(Path.of(args[1]), agent);
    System.out.println("serving " + agent.entryCount() + " registrations");
    System.out.flush();
    Thread.currentThread().join();
  }
}
