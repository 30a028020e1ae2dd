package dev.warden.core.audit;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What a hop needs of the hop before it — the hash of its audit record and its chain's root — kept
 * in memory for the events this node wrote or read lately, so that exchanging a token issued a
 * moment ago (a service hands its fresh token to an agent) costs no read of the log. Safe to cache:
 * an audit record never changes once written. Bounded: beyond {@link #MAX} entries the cache starts
 * over.
 */
public final class HopLinks {
  /** Most links kept. */
  static final int MAX = 20_000;

  /**
   * @param hash the hex chain hash of the event's record
   * @param root the chain's first event, or null when this event is itself the first
   */
  public record Link(String hash, @Nullable String root) {}

  private final AuditLookup log;
  private final ConcurrentHashMap<String, Link> links = new ConcurrentHashMap<>();

  public HopLinks(AuditLookup log) {
    this.log = log;
  }

  /** Remembers a record just written (or read). */
  public void remember(AuditRecord r) {
    if (links.size() >= MAX) {
      links.clear();
    }
    links.put(
        r.event().id(),
        new Link(HexFormat.of().formatHex(r.hash()), r.event().details().get(ChainFields.ROOT)));
  }

  /**
   * The link to an event's record, from memory or else from the log.
   *
   * @return empty when the log holds no such event
   * @throws dev.warden.core.store.StoreException when the log cannot be read
   */
  public Optional<Link> of(String eventId) {
    Link l = links.get(eventId);
    if (l != null) {
      return Optional.of(l);
    }
    Optional<AuditRecord> r = log.byEventId(eventId);
    r.ifPresent(this::remember);
    return r.map(x -> links.get(x.event().id()));
  }
}
