package dev.warden.core.agent;

import dev.warden.core.model.Workload;
import java.util.List;

/**
 * One page of an agent's registration sync.
 *
 * @param full true when this is (part of) a full listing: after its last page the agent replaces
 *     its whole set; false when it carries only changes since the agent's revision
 * @param revision the revision the agent stores once the last page has arrived and sends as {@code
 *     since} next time
 * @param entries workloads the agent may serve, added or changed
 * @param removed SPIFFE IDs the agent must stop serving (deleted, no longer servable by it, or
 *     inactive)
 * @param nextPageToken null on the last page
 */
public record SyncPage(
    boolean full,
    long revision,
    List<Workload> entries,
    List<String> removed,
    String nextPageToken) {
  public SyncPage {
    entries = List.copyOf(entries);
    removed = List.copyOf(removed);
  }
}
