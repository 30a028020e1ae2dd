package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.agent.edge.ConnectionAudit;
import dev.warden.core.agent.ProxiedConnection;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The proxies' connection events on their way to the server's audit log, kept on disk until the
 * server has them. Each event is appended to {@code current.jsonl} and handed to the operating
 * system at once (so an agent killed the next instant loses nothing); every interval the file is
 * synced, renamed to a closed segment and a new one started, and closed segments are sent in order
 * and deleted only after the server acknowledged them. A segment left by a previous run is sent
 * first. Delivery is at least once: an acknowledgement lost on the way means the segment is sent
 * again, with the same event ids.
 */
public final class AuditSpool implements ConnectionAudit, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AuditSpool.class.getName());
  static final int BATCH = 500;

  /** About how much of a request body one batch may fill (the server takes 4 MiB). */
  static final long BATCH_CHARS = 1024 * 1024;

  /** Sends one batch; throws when the server did not take it. */
  @FunctionalInterface
  public interface Sender {
    void send(List<ProxiedConnection> events) throws ServerException;
  }

  private final Path dir;
  private final Sender sender;
  private final Clock clock;
  private final Thread shipper;

  /** The file events go to now; null between a rotation and the next event. */
  private @Nullable Writer current;

  private long segments;
  private volatile boolean running = true;

  public AuditSpool(Path dir, Sender sender, Duration interval, Clock clock) throws IOException {
    this.dir = dir;
    this.sender = sender;
    this.clock = clock;
    Files.createDirectories(dir);
    try {
      // events carry the raw Txn-Token of proxied requests until the server has them
      Files.setPosixFilePermissions(
          dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own access control applies
    }
    rotate(); // what a previous run left in current.jsonl becomes the first segment to send
    shipper =
        Thread.ofPlatform()
            .daemon(true)
            .name("warden-agent-audit")
            .start(
                () -> {
                  while (running) {
                    try {
                      Thread.sleep(interval);
                    } catch (InterruptedException e) {
                      return;
                    }
                    ship();
                  }
                });
  }

  @Override
  public void record(ProxiedConnection e) {
    String line = json(e).toString() + "\n";
    synchronized (this) {
      try {
        Writer w = current;
        if (w == null) {
          w =
              Files.newBufferedWriter(
                  dir.resolve("current.jsonl"),
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
          current = w;
        }
        w.write(line);
        w.flush();
      } catch (IOException ex) {
        LOG.log(
            System.Logger.Level.ERROR,
            "cannot spool a connection event to "
                + dir
                + " ("
                + ex.getMessage()
                + "); it is lost: "
                + e.id()
                + " "
                + e.outcome().wire()
                + " "
                + e.destination());
      }
    }
  }

  /**
   * Closes the current file, sends every closed segment the server does not have yet.
   * Package-private for tests.
   */
  synchronized void ship() {
    try {
      rotate();
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot rotate the connection event spool in " + dir + ": " + e.getMessage());
    }
    List<Path> closed = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "segment-*.jsonl")) {
      s.forEach(closed::add);
    } catch (IOException e) {
      return;
    }
    closed.sort(null);
    for (Path seg : closed) {
      try {
        List<ProxiedConnection> events = read(seg);
        for (int i = 0; i < events.size(); ) {
          int end = batchEnd(events, i);
          sender.send(events.subList(i, end));
          i = end;
        }
        Files.delete(seg);
      } catch (ServerException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "the server did not take connection events ("
                + e.getMessage()
                + "); they stay in "
                + seg
                + " and are sent again");
        return; // in order: later segments wait for this one
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot read " + seg + ": " + e.getMessage());
        return;
      }
    }
  }

  /**
   * The end of the batch that starts at {@code from}: at most {@link #BATCH} events and about
   * {@link #BATCH_CHARS} characters, since each request's Txn-Token (up to 8 KiB) makes events
   * larger than the server takes in one body when many are sent together.
   */
  static int batchEnd(List<ProxiedConnection> events, int from) {
    int end = from;
    long chars = 0;
    while (end < events.size() && end - from < BATCH) {
      ProxiedConnection.Hop h = events.get(end).hop();
      long size = 2048 + (h == null || h.txnToken() == null ? 0 : h.txnToken().reveal().length());
      if (end > from && chars + size > BATCH_CHARS) {
        break;
      }
      chars += size;
      end++;
    }
    return end;
  }

  /** How many events wait on disk (current file included). */
  public synchronized long pending() {
    long n = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jsonl")) {
      for (Path p : s) {
        try (var lines = Files.lines(p, StandardCharsets.UTF_8)) {
          n += lines.filter(l -> !l.isBlank()).count();
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }

  private void rotate() throws IOException {
    Path cur = dir.resolve("current.jsonl");
    Writer w = current;
    if (w != null) {
      current = null;
      w.close();
    }
    if (Files.exists(cur) && Files.size(cur) > 0) {
      try (FileChannel ch = FileChannel.open(cur, StandardOpenOption.WRITE)) {
        ch.force(true); // on disk before it is a segment: survives a machine crash from here on
      }
      String name =
          String.format(
              java.util.Locale.ROOT, "segment-%019d-%06d.jsonl", clock.millis(), segments++);
      Files.move(cur, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static List<ProxiedConnection> read(Path seg) throws IOException {
    List<ProxiedConnection> out = new ArrayList<>();
    for (String line : Files.readAllLines(seg, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(parse(ServerClient.JSON.readTree(line)));
      } catch (IOException | RuntimeException e) {
        // a line torn by a crash mid-write: the rest of the segment still counts
        LOG.log(System.Logger.Level.WARNING, "skipping an unreadable connection event in " + seg);
      }
    }
    return out;
  }

  static ObjectNode json(ProxiedConnection e) {
    ObjectNode o = ServerClient.JSON.createObjectNode();
    o.put("id", e.id());
    o.put("at", e.at().toString());
    o.put("outcome", e.outcome().wire());
    o.put("protocol", e.protocol());
    o.put("listener", e.listener());
    o.put("resource", e.resource());
    o.put("workload", e.workload());
    o.put("lease_id", e.leaseId());
    o.put("destination", e.destination());
    o.put("reason", e.reason());
    ObjectNode c = o.putObject("caller");
    e.caller().forEach(c::put);
    ProxiedConnection.Hop h = e.hop();
    if (h != null) {
      // the raw Txn-Token stays in the agent's own spool until the server has verified it; it
      // never reaches a log line or the audit record (only its verified txn does)
      ObjectNode hop = o.putObject("hop");
      hop.put("txn_token", h.txnToken() == null ? null : h.txnToken().reveal());
      hop.put("txn_token_omitted", h.txnTokenOmitted());
      hop.put("traceparent", h.traceparent());
    }
    return o;
  }

  static ProxiedConnection parse(JsonNode o) {
    Map<String, String> caller = new LinkedHashMap<>();
    o.path("caller").properties().forEach(f -> caller.put(f.getKey(), f.getValue().asText()));
    return new ProxiedConnection(
        o.path("id").asText(),
        Instant.parse(o.path("at").asText()),
        ProxiedConnection.Outcome.parse(o.path("outcome").asText()),
        text(o, "protocol"),
        text(o, "listener"),
        text(o, "resource"),
        text(o, "workload"),
        text(o, "lease_id"),
        text(o, "destination"),
        text(o, "reason"),
        caller,
        hop(o.get("hop")));
  }

  private static ProxiedConnection.@Nullable Hop hop(@Nullable JsonNode h) {
    if (h == null || h.isNull()) {
      return null;
    }
    String token = text(h, "txn_token");
    return new ProxiedConnection.Hop(
        token == null ? null : dev.warden.core.crypto.Secret.of(token),
        text(h, "txn_token_omitted"),
        text(h, "traceparent"));
  }

  private static @Nullable String text(JsonNode o, String f) {
    JsonNode v = o.get(f);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public void close() {
    running = false;
    shipper.interrupt();
    try {
      shipper.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ship(); // a last attempt; what the server does not take stays on disk for the next start
  }
}
