package dev.warden.server.console;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.ChainCheck;
import dev.warden.core.audit.ChainWatch;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.AuditJson;
import dev.warden.server.http.ChainTree;
import dev.warden.server.http.HttpJson;
import dev.warden.server.http.Render;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The audit explorer: the whole retained log, filtered (time, workload, resource, outcome, reason,
 * event type, actor; a transaction opens its chain), newest first, paged by sequence number
 * (keyset: {@code seq < before}), so page ten thousand costs what page one does. Each page carries
 * an integrity badge: every event on it re-hashed, and whether it lies inside the part of the chain
 * {@link ChainWatch} verified from event 1. A range exports as a proof to verify offline; a chain
 * of delegated actions shows as a tree; a live tail streams new events (SSE).
 */
final class AuditPage {
  static final int PAGE = 100;
  static final int MAX_PROOF = 5000;
  static final Duration TAIL_FOR = Duration.ofMinutes(10);

  record Filters(
      @Nullable String from,
      @Nullable String to,
      @Nullable String workload,
      @Nullable String resource,
      @Nullable String outcome,
      @Nullable String type,
      @Nullable String reason,
      @Nullable String actor) {
    String query() {
      return "from="
          + Fmt.q(from)
          + "&to="
          + Fmt.q(to)
          + "&workload="
          + Fmt.q(workload)
          + "&resource="
          + Fmt.q(resource)
          + "&outcome="
          + Fmt.q(outcome)
          + "&type="
          + Fmt.q(type)
          + "&reason="
          + Fmt.q(reason)
          + "&actor="
          + Fmt.q(actor);
    }

    boolean none() {
      return from == null
          && to == null
          && workload == null
          && resource == null
          && outcome == null
          && type == null
          && reason == null
          && actor == null;
    }
  }

  /**
   * What the page's events prove: {@code rehashed} of them match their own hash, and those up to
   * {@code verifiedThrough} are linked into the chain checked from event 1.
   */
  record Integrity(int events, int rehashed, long highest, ChainWatch.Status chain) {
    boolean ok() {
      return rehashed == events && chain.intact() && highest <= chain.verifiedThrough();
    }

    boolean pending() {
      return rehashed == events && chain.intact() && highest > chain.verifiedThrough();
    }
  }

  record View(
      Filters f,
      List<AuditRecord> rows,
      @Nullable Long before,
      @Nullable Long next,
      Integrity integrity,
      List<String> types,
      long head) {}

  record EventView(
      AuditRecord r,
      String json,
      boolean rehashed,
      ChainWatch.Status chain,
      @Nullable String chainKey) {}

  record ChainView(String key, JsonNode tree, boolean intact, List<String> problems, int hops) {}

  private final ConsoleServices s;

  AuditPage(ConsoleServices s) {
    this.s = s;
  }

  void register(Console c) {
    c.route("/audit", Scopes.AUDIT_READ, this::list, null);
    c.route("/audit/event", Scopes.AUDIT_READ, this::event, null);
    c.route("/audit/proof", Scopes.AUDIT_READ, this::proof, null);
    c.route("/audit/chain", Scopes.AUDIT_READ, this::chain, null);
    c.route("/audit/tail", Scopes.AUDIT_READ, this::tail, null);
  }

  private void list(ConsoleCall c) {
    String txn = c.param("txn");
    if (txn != null) {
      c.redirect("/console/audit/chain?key=" + Fmt.q(txn), null);
      return;
    }
    s.chain().catchUpIfIdle(2);
    Filters f =
        new Filters(
            c.param("from"),
            c.param("to"),
            c.param("workload"),
            c.param("resource"),
            c.param("outcome"),
            c.param("type"),
            c.param("reason"),
            c.param("actor"));
    Long before = longParam(c, "before");
    List<AuditRecord> rows =
        s.auditLog()
            .query(
                new AuditQuery(
                    instant("from", f.from()),
                    instant("to", f.to()),
                    f.workload(),
                    f.resource(),
                    f.outcome(),
                    f.type(),
                    f.reason(),
                    f.actor(),
                    before,
                    PAGE));
    Long next = rows.size() == PAGE ? rows.get(rows.size() - 1).seq() : null;
    View v =
        new View(
            f,
            rows,
            before,
            next,
            integrity(rows, s.chain().status()),
            Arrays.stream(AuditType.values()).map(AuditType::wire).sorted().toList(),
            rows.isEmpty() ? 0 : rows.get(0).seq());
    c.page(o -> JteauditGenerated.render(o, null, c.frame("Audit", "audit"), v));
  }

  static Integrity integrity(List<AuditRecord> rows, ChainWatch.Status chain) {
    int ok = 0;
    long highest = 0;
    for (AuditRecord r : rows) {
      if (rehashes(r)) {
        ok++;
      }
      highest = Math.max(highest, r.seq());
    }
    return new Integrity(rows.size(), ok, highest, chain);
  }

  /** The record's hash is right for its content and the previous hash it names. */
  static boolean rehashes(AuditRecord r) {
    return MessageDigest.isEqual(AuditChain.link(r.prevHash(), r.seq(), r.event()), r.hash());
  }

  private void event(ConsoleCall c) {
    Long seq = longParam(c, "seq");
    if (seq == null) {
      throw new ValidationException("seq", "name an event by its sequence number");
    }
    List<AuditRecord> one = s.auditLog().readChain(seq, 1);
    if (one.isEmpty() || one.get(0).seq() != seq) {
      throw new NotFoundException("audit event", Long.toString(seq));
    }
    AuditRecord r = one.get(0);
    String key = r.event().details().get(dev.warden.core.audit.ChainFields.TXN);
    if (key == null) {
      key = r.event().details().get(dev.warden.core.audit.ChainFields.ROOT);
    }
    EventView v =
        new EventView(r, Render.audit(r).toPrettyString(), rehashes(r), s.chain().status(), key);
    c.page(o -> Jteaudit_eventGenerated.render(o, null, c.frame("Event " + seq, "audit"), v));
  }

  /**
   * Events {@code from}..{@code to} in chain order with their hashes: anyone can re-link them
   * offline from {@code anchor} (the hash before {@code from}) and compare the last hash with the
   * chain's head (or a signed export of it).
   */
  private void proof(ConsoleCall c) {
    Long from = longParam(c, "from");
    Long to = longParam(c, "to");
    if (from == null || to == null || from < 1 || to < from || to - from + 1 > MAX_PROOF) {
      throw new ValidationException(
          "from", "give from and to (sequence numbers, at most " + MAX_PROOF + " events)");
    }
    List<AuditRecord> records = s.auditLog().readChain(from, (int) (to - from + 1));
    c.json(
        proofJson(from, to, records, s.chain().status().verifiedThrough(), c.now()),
        "warden-audit-" + from + "-" + to + ".json");
  }

  /**
   * The proof file (format {@code warden-audit-proof/1}), written as a stream: each event as {@link
   * AuditJson#write} renders it, with no JSON tree in between.
   */
  static byte[] proofJson(
      long from, long to, List<AuditRecord> records, long verifiedThrough, Instant exportedAt) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + 1024 * records.size());
    try (JsonGenerator g = HttpJson.MAPPER.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("format", "warden-audit-proof/1");
      g.writeStringField(
          "hash",
          "hash(n) = SHA-256(hash(n-1) || canonical(seq, event)); see docs/console.md#audit-proof");
      g.writeNumberField("from", from);
      g.writeNumberField("to", to);
      if (!records.isEmpty()) {
        g.writeStringField("anchor", HexFormat.of().formatHex(records.get(0).prevHash()));
        g.writeStringField(
            "last", HexFormat.of().formatHex(records.get(records.size() - 1).hash()));
      }
      g.writeNumberField("verifiedThroughOnServer", verifiedThrough);
      g.writeStringField("exportedAt", exportedAt.toString());
      g.writeArrayFieldStart("events");
      for (AuditRecord r : records) {
        AuditJson.write(g, r);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      // a ByteArrayOutputStream does not fail
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void chain(ConsoleCall c) {
    String key = c.param("key");
    if (key == null) {
      throw new ValidationException(
          "key", "name a transaction id or the event id that started a chain");
    }
    List<AuditRecord> records = s.auditLog().chainOf(key, 5001);
    if (records.isEmpty()) {
      throw new NotFoundException("chain", key);
    }
    records =
        ChainTree.withAncestors(s.auditLog(), records.subList(0, Math.min(records.size(), 5000)));
    ChainCheck check = ChainCheck.of(records);
    ChainView v =
        new ChainView(
            key, ChainTree.render(records), check.intact(), check.problems(), records.size());
    c.page(o -> Jteaudit_chainGenerated.render(o, null, c.frame("Chain " + key, "audit"), v));
  }

  /**
   * Server-sent events: each new event as a table row, for {@link #TAIL_FOR} at most (htmx
   * reconnects). Ends early when the session ends or the browser goes away.
   */
  private void tail(ConsoleCall c) {
    // a reconnecting EventSource says where it got to
    String last =
        c.req.headers().first(io.helidon.http.HeaderNames.create("Last-Event-ID")).orElse(null);
    Long after =
        last != null && last.matches("[0-9]{1,18}") ? Long.valueOf(last) : longParam(c, "after");
    long next = after == null ? 1 : after + 1;
    c.res.status(200);
    c.res.header("Content-Type", "text/event-stream");
    c.res.header("Cache-Control", "no-store");
    Instant until = c.now().plus(TAIL_FOR);
    try (OutputStream out = c.res.outputStream()) {
      out.write(": tail\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (c.now().isBefore(until) && c.stillSignedIn()) {
        List<AuditRecord> fresh = s.auditLog().readChain(next, 200);
        for (AuditRecord r : fresh) {
          byte[] row = ConsoleCall.render(o -> Jteaudit_rowGenerated.render(o, null, r));
          StringBuilder sb = new StringBuilder("id: ").append(r.seq()).append("\nevent: audit\n");
          for (String line : new String(row, StandardCharsets.UTF_8).split("\n")) {
            sb.append("data: ").append(line).append('\n');
          }
          out.write(sb.append('\n').toString().getBytes(StandardCharsets.UTF_8));
          next = r.seq() + 1;
        }
        out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(1000);
      }
    } catch (IOException e) {
      // the browser went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static @Nullable Long longParam(ConsoleCall c, String name) {
    String v = c.param(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }

  /** An RFC 3339 time, or a date (midnight UTC). */
  private static @Nullable Instant instant(String field, @Nullable String v) {
    if (v == null) {
      return null;
    }
    try {
      return v.length() == 10 ? Instant.parse(v + "T00:00:00Z") : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new ValidationException(
          field, "must be a date (2027-01-31) or an RFC 3339 UTC time (2027-01-31T09:00:00Z)");
    }
  }
}
