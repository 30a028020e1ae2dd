package dev.warden.core.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies the hops of one chain of delegated actions offline, from the records alone: each
 * record's hash recomputes from its own content and stated previous hash (so no hop was changed),
 * and each hop's {@link ChainFields#PREVIOUS_HASH} equals the hash of the hop it names (so no hop
 * was swapped for another). Deleting a hop shows as a hop whose previous hop is missing.
 *
 * @param hops how many records were checked
 * @param problems one line per broken rule, empty when the chain is intact
 */
public record ChainCheck(int hops, List<String> problems) {
  public ChainCheck {
    problems = List.copyOf(problems);
  }

  public boolean intact() {
    return problems.isEmpty();
  }

  /** Checks the records of one chain (any order). */
  public static ChainCheck of(List<AuditRecord> records) {
    Map<String, AuditRecord> byId = new LinkedHashMap<>();
    for (AuditRecord r : records) {
      byId.put(r.event().id(), r);
    }
    List<String> problems = new ArrayList<>();
    for (AuditRecord r : records) {
      AuditEvent e = r.event();
      if (!MessageDigest.isEqual(AuditChain.link(r.prevHash(), r.seq(), e), r.hash())) {
        problems.add("event " + r.seq() + " (" + e.id() + ") was changed after it was written");
        continue;
      }
      String previous = e.details().get(ChainFields.PREVIOUS);
      if (previous == null) {
        continue;
      }
      AuditRecord p = byId.get(previous);
      String stated = e.details().get(ChainFields.PREVIOUS_HASH);
      if (p == null) {
        problems.add(
            "event " + r.seq() + " names previous hop " + previous + ", which is not in the chain");
      } else if (stated == null || !stated.equals(HexFormat.of().formatHex(p.hash()))) {
        problems.add(
            "event "
                + r.seq()
                + " does not link to the hash of its previous hop, event "
                + p.seq());
      }
    }
    return new ChainCheck(records.size(), problems);
  }
}
