package dev.warden.agent.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How an agent runs.
 *
 * @param joinToken single-use bootstrap token (first start only; afterwards the persisted session
 *     is used)
 * @param platformTokenFile a file holding a platform token (e.g. a projected service-account
 *     token), re-read at every attestation because the platform rotates it
 * @param dataDir where the agent keeps its own key, SVID and session (0600), so a restart does not
 *     need a new join token while the session is valid
 * @param serverCa PEM CA certificates to trust for an HTTPS server (for example the trust bundle of
 *     a server with tls.selfIssued); null: the JDK's default trust store
 */
public record AgentOptions(
    String serverUrl,
    Path socket,
    Path dataDir,
    @Nullable String joinToken,
    @Nullable Path platformTokenFile,
    Duration syncInterval,
    Duration maxBackoff,
    List<FileSink> sinks,
    @Nullable Path serverCa) {
  public AgentOptions(
      String serverUrl,
      Path socket,
      Path dataDir,
      @Nullable String joinToken,
      @Nullable Path platformTokenFile,
      Duration syncInterval,
      Duration maxBackoff,
      List<FileSink> sinks) {
    this(
        serverUrl,
        socket,
        dataDir,
        joinToken,
        platformTokenFile,
        syncInterval,
        maxBackoff,
        sinks,
        null);
  }

  public AgentOptions {
    if (serverUrl == null || serverUrl.isBlank()) {
      throw new IllegalArgumentException("--server is required (the Warden server's base URL)");
    }
    syncInterval = syncInterval == null ? Duration.ofSeconds(5) : syncInterval;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(60) : maxBackoff;
    sinks = sinks == null ? List.of() : List.copyOf(sinks);
  }
}
