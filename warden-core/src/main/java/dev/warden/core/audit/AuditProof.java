package dev.warden.core.audit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A range of the audit chain exported to be verified offline (format {@value #FORMAT}): the hash
 * before the first event ({@code anchor}), the hash of the last ({@code last}) and the events in
 * chain order with {@code prevHash} and {@code hash}, as the console's "Export proof" and {@code
 * GET /v1/audit/chain} render them. {@link #verify()} re-links them with {@link AuditChain}, the
 * code the store hashes with, so a proof that verifies here is one the server's chain watch would
 * accept.
 *
 * <p>A proof is only as trustworthy as the hash it is compared with: it shows that these events are
 * exactly those between {@code anchor} and {@code last}; that {@code last} is the real chain's is
 * shown by a signed checkpoint of the head, or a later proof that continues from it.
 *
 * @param events in the order of the file (verification checks it is chain order)
 */
public record AuditProof(long from, long to, byte[] anchor, byte[] last, List<AuditRecord> events) {
  public static final String FORMAT = "warden-audit-proof/1";

  /** A proof larger than this is refused before it is verified (the console exports 5,000). */
  public static final int MAX_EVENTS = 1_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  public AuditProof {
    events = List.copyOf(events);
  }

  /**
   * What verifying found.
   *
   * @param checked events that verified before the first problem (all of them when intact)
   * @param firstBadSeq the first event that does not verify, or -1 when intact
   * @param problem what is wrong with it, or null when intact
   */
  public record Result(long checked, long firstBadSeq, @Nullable String problem) {
    public boolean intact() {
      return problem == null;
    }
  }

  /**
   * Reads a proof file's text.
   *
   * @throws ValidationException naming the field when the text is not a proof of this format
   */
  public static AuditProof parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new ValidationException(
          "proof",
          "is not JSON: " + e.getOriginalMessage() + " (export it again from the console)");
    }
    if (root == null || !root.isObject()) {
      throw new ValidationException("proof", "is not a JSON object");
    }
    if (!FORMAT.equals(text(root, "format"))) {
      throw new ValidationException(
          "format", "must be " + FORMAT + " (a file exported by the console's audit explorer)");
    }
    long from = seq(root, "from");
    long to = seq(root, "to");
    if (to < from) {
      throw new ValidationException("to", "is before from (" + to + " < " + from + ")");
    }
    JsonNode events = root.get("events");
    if (events == null || !events.isArray()) {
      throw new ValidationException("events", "must be an array of audit events");
    }
    if (events.isEmpty()) {
      throw new ValidationException(
          "events", "is empty: the range was beyond the chain's head when it was exported");
    }
    if (events.size() > MAX_EVENTS) {
      throw new ValidationException(
          "events", "holds " + events.size() + " events; at most " + MAX_EVENTS + " in one proof");
    }
    List<AuditRecord> records = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      try {
        records.add(record(events.get(i)));
      } catch (ValidationException e) {
        throw new ValidationException("events[" + i + "]." + e.field(), reason(e));
      }
    }
    return new AuditProof(from, to, hash(root, "anchor"), hash(root, "last"), records);
  }

  /**
   * One event in the JSON form of the API, the audit stream and a proof ({@code seq}, the event's
   * fields, {@code prevHash}, {@code hash}), back as the record the chain hashes.
   *
   * @throws ValidationException naming the field that is missing or malformed
   */
  public static AuditRecord record(JsonNode e) {
    if (e == null || !e.isObject()) {
      throw new ValidationException("event", "must be a JSON object");
    }
    Map<String, String> details = new HashMap<>();
    JsonNode d = e.get("details");
    if (d != null && !d.isNull()) {
      if (!d.isObject()) {
        throw new ValidationException("details", "must be an object of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getValue().isTextual()) {
          throw new ValidationException("details." + f.getKey(), "must be a string");
        }
        details.put(f.getKey(), f.getValue().asText());
      }
    }
    Lease lease = null;
    JsonNode l = e.get("lease");
    if (l != null && !l.isNull()) {
      if (!l.isObject()) {
        throw new ValidationException("lease", "must be an object");
      }
      CredentialKind kind;
      try {
        kind = CredentialKind.fromWire(required(l, "lease.kind", "kind"));
      } catch (IllegalArgumentException x) {
        throw new ValidationException("lease.kind", String.valueOf(x.getMessage()));
      }
      lease =
          new Lease(
              required(l, "lease.id", "id"),
              kind,
              text(l, "workload"),
              text(l, "resource"),
              time(l, "lease.issuedAt", "issuedAt"),
              time(l, "lease.expiresAt", "expiresAt"),
              null,
              null,
              required(l, "lease.fingerprint", "fingerprint"));
    }
    AuditEvent ev =
        new AuditEvent(
            required(e, "id", "id"),
            time(e, "time", "time"),
            required(e, "type", "type"),
            required(e, "outcome", "outcome"),
            // absent means what AuditEvent makes of null: no reason, the system as actor
            java.util.Objects.requireNonNullElse(text(e, "reason"), ""),
            java.util.Objects.requireNonNullElse(text(e, "actor"), "system"),
            text(e, "workload"),
            text(e, "resource"),
            details,
            lease);
    return new AuditRecord(seq(e, "seq"), ev, hash(e, "prevHash"), hash(e, "hash"));
  }

  /**
   * Re-links the events from {@code anchor}: each must follow the one before it in sequence, name
   * its hash as {@code prevHash}, and hash to its own {@code hash} when recomputed from its
   * content; the first event must be {@code from} (and, when that is event 1, start from the
   * genesis hash), the last {@code to} with the hash {@code last}.
   */
  public Result verify() {
    byte[] prev = anchor;
    long expected = from;
    long checked = 0;
    if (from == 1 && !MessageDigest.isEqual(anchor, AuditChain.GENESIS)) {
      return new Result(
          0, 1, "event 1 must follow the genesis hash (zeros), not anchor " + hex(anchor));
    }
    Set<Long> present = new HashSet<>();
    for (AuditRecord r : events) {
      present.add(r.seq());
    }
    Map<String, Long> seen = new HashMap<>();
    for (AuditRecord r : events) {
      if (r.seq() != expected) {
        String problem =
            r.seq() > expected && !present.contains(expected)
                ? "event "
                    + expected
                    + (r.seq() > expected + 1 ? " to " + (r.seq() - 1) : "")
                    + " was removed (the proof jumps from "
                    + (expected - 1)
                    + " to "
                    + r.seq()
                    + ")"
                : "event "
                    + expected
                    + " is out of place: event "
                    + r.seq()
                    + " stands where it should be (the events were reordered)";
        return new Result(checked, expected, problem);
      }
      if (!MessageDigest.isEqual(prev, r.prevHash())) {
        Long earlier = seen.get(hex(r.prevHash()));
        String problem =
            earlier != null
                ? "event "
                    + r.seq()
                    + " was reordered (it follows event "
                    + earlier
                    + " in the chain, not event "
                    + (r.seq() - 1)
                    + ")"
                : checked == 0
                    ? "event "
                        + r.seq()
                        + " does not follow the proof's anchor (the anchor or the event was changed)"
                    : "event "
                        + r.seq()
                        + " does not link to event "
                        + (r.seq() - 1)
                        + " (event "
                        + (r.seq() - 1)
                        + " and its hash, or this event's prevHash, were changed)";
        return new Result(checked, r.seq(), problem);
      }
      if (!AuditChain.verifies(prev, r)) {
        return new Result(
            checked,
            r.seq(),
            "event "
                + r.seq()
                + " ("
                + r.event().type()
                + " at "
                + r.event().time()
                + ") was changed after it was written: its content does not hash to its hash");
      }
      seen.put(hex(r.hash()), r.seq());
      prev = r.hash();
      expected++;
      checked++;
    }
    if (expected - 1 != to) {
      return new Result(
          checked,
          expected,
          "event "
              + expected
              + (to > expected ? " to " + to : "")
              + " was removed (the proof ends at event "
              + (expected - 1)
              + ", and it says it runs to "
              + to
              + ")");
    }
    if (!MessageDigest.isEqual(prev, last)) {
      return new Result(
          checked,
          to,
          "event "
              + to
              + " hashes to "
              + hex(prev)
              + ", not to the proof's last hash "
              + hex(last));
    }
    return new Result(checked, -1, null);
  }

  private static String reason(ValidationException e) {
    String m = String.valueOf(e.getMessage());
    String prefix = e.field() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  private static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  private static @Nullable String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new ValidationException(f, "must be a string");
    }
    return v.asText();
  }

  private static String required(JsonNode n, String field, String f) {
    String v = text(n, f);
    if (v == null) {
      throw new ValidationException(field, "is required");
    }
    return v;
  }

  private static Instant time(JsonNode n, String field, String f) {
    Instant t;
    try {
      t = Instant.parse(required(n, field, f));
    } catch (DateTimeParseException e) {
      throw new ValidationException(field, "must be an RFC 3339 time in UTC");
    }
    // the chain hashes times in micro- and milliseconds since 1970: out of this range they overflow
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw new ValidationException(field, "must be between years 0000 and 9999");
    }
    return t;
  }

  private static long seq(JsonNode n, String f) {
    JsonNode v = n.get(f);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
      throw new ValidationException(f, "must be a sequence number (an integer from 1)");
    }
    return v.asLong();
  }

  private static byte[] hash(JsonNode n, String f) {
    String v = text(n, f);
    if (v == null || v.length() != 64) {
      throw new ValidationException(f, "must be a SHA-256 hash in hex (64 digits)");
    }
    try {
      return HEX.parseHex(v);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(f, "must be a SHA-256 hash in hex (64 digits)");
    }
  }
}
