package dev.warden.core.agent;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What every agent may serve, kept in memory and answered in pages: a full listing once, then only
 * changes. SPIRE's agents re-fetched every entry periodically and its unpaged replies broke near
 * 17,000 entries; here an agent that is in sync costs one map lookup per request.
 *
 * <p>Revisions are the workload store's change counter at the snapshot in which this node first saw
 * a change, so a cursor from one node is valid on another: a change made at counter k is seen by
 * every node at some snapshot ≥ k. Snapshots must be consistent (the counter read before and after
 * listing agree); see {@link #update}.
 */
public final class RegistrationIndex {
  public static final int MAX_PAGE = 5_000;

  /** Changes kept for deltas; an agent further behind gets a full listing. */
  private static final int LOG_LIMIT = 200_000;

  private record State(
      long revision,
      long baseline,
      Map<String, Workload> byId,
      Map<Selector, List<Workload>> byKey,
      NavigableMap<Long, TreeSet<String>> log,
      int logSize) {}

  private volatile State state = new State(0, 0, Map.of(), Map.of(), new TreeMap<>(), 0);

  /** Revision of the current snapshot (0 before the first). */
  public long revision() {
    return state.revision;
  }

  public int size() {
    return state.byId.size();
  }

  /**
   * Replaces the snapshot with the workloads as of store counter {@code counter}, logging every
   * workload that differs from the previous snapshot.
   */
  public synchronized void update(long counter, List<Workload> workloads) {
    State old = state;
    if (counter <= old.revision && old.revision != 0) {
      return;
    }
    Map<String, Workload> byId = new HashMap<>(workloads.size() * 2);
    Map<Selector, List<Workload>> byKey = new HashMap<>();
    for (Workload w : workloads) {
      byId.put(w.name(), w);
      if (!w.nodeSelectors().isEmpty()) {
        // one key per workload is enough: servable means all its node selectors are the agent's
        Selector key =
            Collections.min(w.nodeSelectors(), (a, b) -> a.toString().compareTo(b.toString()));
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
      }
    }
    if (old.revision == 0) {
      state = new State(counter, counter, byId, byKey, new TreeMap<>(), 0);
      return;
    }
    TreeSet<String> changed = new TreeSet<>();
    for (Map.Entry<String, Workload> e : byId.entrySet()) {
      Workload prev = old.byId.get(e.getKey());
      if (prev == null || !prev.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String id : old.byId.keySet()) {
      if (!byId.containsKey(id)) {
        changed.add(id);
      }
    }
    NavigableMap<Long, TreeSet<String>> log = old.log;
    int logSize = old.logSize;
    long baseline = old.baseline;
    if (!changed.isEmpty()) {
      log = new TreeMap<>(old.log);
      log.put(counter, changed);
      logSize += changed.size();
      while (logSize > LOG_LIMIT && !log.isEmpty()) {
        Map.Entry<Long, TreeSet<String>> first = log.pollFirstEntry();
        logSize -= first.getValue().size();
        baseline = first.getKey(); // deltas from before this point are no longer known
      }
    }
    state = new State(counter, baseline, byId, byKey, log, logSize);
  }

  /**
   * The next page for an agent.
   *
   * @param since the revision the agent holds (0: none)
   * @param pageToken from the previous page of the same sync, or null
   * @throws ValidationException on a malformed page token or limit
   */
  public SyncPage sync(
      Set<Selector> agentSelectors, long since, String pageToken, int limit, Instant now) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new ValidationException("limit", "must be between 1 and " + MAX_PAGE);
    }
    State s = state;
    if (pageToken != null) {
      return continueFrom(s, agentSelectors, pageToken, limit, now);
    }
    if (since <= 0 || since < s.baseline) {
      return full(s, agentSelectors, s.revision, "", limit, now);
    }
    if (since >= s.revision) {
      // in sync, or this node is behind the one the agent last spoke to: nothing to add
      return new SyncPage(false, Math.max(since, s.revision), List.of(), List.of(), null);
    }
    return delta(s, agentSelectors, since, s.revision, since + 1, "", limit, now);
  }

  private SyncPage continueFrom(
      State s, Set<Selector> agentSelectors, String token, int limit, Instant now) {
    String[] p = token.split(":", 5);
    try {
      if (p.length == 3 && p[0].equals("f")) {
        return full(s, agentSelectors, Long.parseLong(p[1]), decode(p[2]), limit, now);
      }
      if (p.length == 5 && p[0].equals("d")) {
        long since = Long.parseLong(p[1]);
        if (since < s.baseline) {
          return full(s, agentSelectors, s.revision, "", limit, now);
        }
        return delta(
            s,
            agentSelectors,
            since,
            Long.parseLong(p[2]),
            Long.parseLong(p[3]),
            decode(p[4]),
            limit,
            now);
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new ValidationException(
        "page_token", "is not a token from a previous page; start again without it");
  }

  private static SyncPage full(
      State s, Set<Selector> agentSelectors, long pinned, String after, int limit, Instant now) {
    TreeMap<String, Workload> mine = new TreeMap<>();
    for (Selector a : agentSelectors) {
      for (Workload w : s.byKey.getOrDefault(a, List.of())) {
        if (servable(w, agentSelectors, now) && w.name().compareTo(after) > 0) {
          mine.put(w.name(), w);
        }
      }
    }
    List<Workload> page = new ArrayList<>(Math.min(limit, mine.size()));
    for (Workload w : mine.values()) {
      if (page.size() == limit) {
        break;
      }
      page.add(w);
    }
    String next =
        page.size() == limit && mine.size() > limit
            ? "f:" + pinned + ":" + encode(page.getLast().name())
            : null;
    return new SyncPage(true, pinned, page, List.of(), next);
  }

  private static SyncPage delta(
      State s,
      Set<Selector> agentSelectors,
      long since,
      long pinned,
      long fromRev,
      String afterId,
      int limit,
      Instant now) {
    List<Workload> entries = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    long lastRev = fromRev;
    String lastId = afterId;
    for (Map.Entry<Long, TreeSet<String>> e : s.log.tailMap(fromRev, true).entrySet()) {
      if (e.getKey() > pinned) {
        break;
      }
      Set<String> ids =
          e.getKey() == fromRev && !afterId.isEmpty()
              ? e.getValue().tailSet(afterId, false)
              : e.getValue();
      for (String id : ids) {
        if (entries.size() + removed.size() == limit) {
          return new SyncPage(
              false,
              pinned,
              entries,
              removed,
              "d:" + since + ":" + pinned + ":" + lastRev + ":" + encode(lastId));
        }
        Workload w = s.byId.get(id);
        if (w != null && servable(w, agentSelectors, now)) {
          entries.add(w);
        } else {
          // deleted, or not (any longer) this agent's: an agent ignores removals it never had
          removed.add(id);
        }
        lastRev = e.getKey();
        lastId = id;
      }
    }
    return new SyncPage(false, pinned, entries, removed, null);
  }

  /** The workload as this node knows it, if an agent with these selectors may serve it now. */
  public Workload servableWorkload(String spiffeId, Set<Selector> agentSelectors, Instant now) {
    Workload w = state.byId.get(spiffeId);
    return w != null && servable(w, agentSelectors, now) ? w : null;
  }

  static boolean servable(Workload w, Set<Selector> agentSelectors, Instant now) {
    return w.state() == WorkloadState.ACTIVE
        && (w.expiresAt() == null || now.isBefore(w.expiresAt()))
        && w.servableBy(agentSelectors);
  }

  private static String encode(String s) {
    return java.util.Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String decode(String s) {
    return new String(
        java.util.Base64.getUrlDecoder().decode(s), java.nio.charset.StandardCharsets.UTF_8);
  }
}
