package dev.warden.core.mcp;

import dev.warden.core.audit.AuditLookup;
import dev.warden.core.audit.ChainFields;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The previous hop of each MCP call: the audit record of the issuance of the token presented (its
 * {@code jti} is that event's id), read once per token and then kept, since an audit record never
 * changes.
 */
final class IssuanceLinks {
  /**
   * Most previous-hop links kept; beyond it the cache starts over (a link costs one indexed read to
   * get back).
   */
  static final int MAX_LINKS = 50_000;

  /** The previous hop of a call: the issuance of the token presented. */
  record Link(String event, String hash, String root) {}

  private final AuditLookup lookup;
  private final Map<String, Link> links = new ConcurrentHashMap<>();

  IssuanceLinks(AuditLookup lookup) {
    this.lookup = lookup;
  }

  /** The link to the token's issuance: read once, then kept (an audit record never changes). */
  Link of(String jti) {
    Link l = links.get(jti);
    if (l != null) {
      return l;
    }
    l =
        lookup
            .byEventId(jti)
            .map(
                x ->
                    new Link(
                        jti,
                        HexFormat.of().formatHex(x.hash()),
                        x.event().details().getOrDefault(ChainFields.ROOT, jti)))
            .orElse(new Link(jti, null, jti));
    if (l.hash() != null) {
      if (links.size() >= MAX_LINKS) {
        links.clear();
      }
      links.put(jti, l);
    }
    return l;
  }
}
