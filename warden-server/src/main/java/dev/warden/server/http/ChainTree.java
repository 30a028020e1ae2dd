package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.ChainFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hops of a chain as a tree: each hop under the hop it names as previous; hops whose previous
 * hop is not in the chain (the root, or a hop whose parent is missing) at the top. A hop that acts
 * for the same subject twice (two agents exchanging one token) is a branch.
 */
public final class ChainTree {
  private ChainTree() {}

  public static ArrayNode render(List<AuditRecord> records) {
    Map<String, List<AuditRecord>> children = new HashMap<>();
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(r.event().id()));
    List<AuditRecord> tops = new ArrayList<>();
    for (AuditRecord r : records) {
      String p = r.event().details().get(ChainFields.PREVIOUS);
      if (p != null && ids.contains(p) && !p.equals(r.event().id())) {
        children.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
      } else {
        tops.add(r);
      }
    }
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    Set<String> seen = new HashSet<>();
    tops.forEach(r -> a.add(node(r, children, seen)));
    return a;
  }

  private static ObjectNode node(
      AuditRecord r, Map<String, List<AuditRecord>> children, Set<String> seen) {
    AuditEvent e = r.event();
    // the event's opening fields as the audit API shows them; a hop leaves out the workload, the
    // details, the lease and the hashes, and adds the chain's fields and its children
    ObjectNode o = AuditJson.head(r);
    if (e.resource() != null) {
      o.put("resource", e.resource());
    }
    copy(e, o, ChainFields.SUBJECT, "subject");
    copy(e, o, ChainFields.ACTORS, "actors");
    copy(e, o, ChainFields.TXN, "txn");
    copy(e, o, ChainFields.TRACEPARENT, "traceparent");
    copy(e, o, "policy", "policy");
    copy(e, o, "message", "message");
    copy(e, o, "tool", "tool");
    // a request proxied by an agent: where it went (its workload is in the hop's record)
    copy(e, o, "destination", "destination");
    ArrayNode kids = o.putArray("children");
    if (seen.add(e.id())) {
      for (AuditRecord c : children.getOrDefault(e.id(), List.of())) {
        kids.add(node(c, children, seen));
      }
    }
    return o;
  }

  private static void copy(AuditEvent e, ObjectNode o, String detail, String field) {
    String v = e.details().get(detail);
    if (v != null) {
      o.put(field, v);
    }
  }

  /**
   * Adds the hops a chain's first hops came from (a transaction's txn token was asked for with a
   * Warden token issued before the transaction), so the tree reaches its real root and verifies.
   */
  public static List<AuditRecord> withAncestors(
      dev.warden.core.audit.AuditLookup audit, List<AuditRecord> records) {
    java.util.Map<String, AuditRecord> byId = new java.util.LinkedHashMap<>();
    records.forEach(r -> byId.put(r.event().id(), r));
    java.util.Deque<AuditRecord> todo = new java.util.ArrayDeque<>(records);
    int fetched = 0;
    while (!todo.isEmpty() && fetched < 64) {
      String p = todo.pop().event().details().get(dev.warden.core.audit.ChainFields.PREVIOUS);
      if (p != null && !byId.containsKey(p)) {
        fetched++;
        audit
            .byEventId(p)
            .ifPresent(
                r -> {
                  byId.put(r.event().id(), r);
                  todo.push(r);
                });
      }
    }
    List<AuditRecord> all = new java.util.ArrayList<>(byId.values());
    all.sort(java.util.Comparator.comparingLong(AuditRecord::seq));
    return all;
  }
}
