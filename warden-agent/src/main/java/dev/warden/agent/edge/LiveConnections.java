package dev.warden.agent.edge;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The spliced connections of every proxy, by the lease of the credential they were logged in with:
 * when the server says a lease ended (revoked, expired, its workload no longer served here), the
 * agent closes its connections — which matters most where the target cannot end them itself (a
 * brokered static password).
 */
public final class LiveConnections {
  private final Map<String, Set<Channel>> byLease = new ConcurrentHashMap<>();

  /** Remembers a spliced connection until it closes. */
  public void add(@Nullable String leaseId, Channel client) {
    if (leaseId == null) {
      return;
    }
    byLease.computeIfAbsent(leaseId, k -> ConcurrentHashMap.newKeySet()).add(client);
    client
        .closeFuture()
        .addListener(
            f ->
                byLease.computeIfPresent(
                    leaseId,
                    (k, set) -> {
                      set.remove(client);
                      return set.isEmpty() ? null : set;
                    }));
  }

  /** Leases with at least one open connection. */
  public List<String> leaseIds() {
    return List.copyOf(byLease.keySet());
  }

  /** Closes every connection of the lease; returns how many there were. */
  public int close(String leaseId) {
    Set<Channel> set = byLease.remove(leaseId);
    if (set == null) {
      return 0;
    }
    set.forEach(Channel::close);
    return set.size();
  }
}
