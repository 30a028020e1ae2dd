package dev.warden.server.audit;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.auditstream.AuditSink;
import dev.warden.core.checkpoint.SignedCheckpoint;
import dev.warden.core.error.ValidationException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The audit stream on NATS JetStream: each event on {@code <subject>.events}, then the batch's
 * checkpoint on {@code <subject>.checkpoints}, with JetStream publish acknowledgements.
 *
 * <p>Design note. Every message carries {@code Nats-Msg-Id: <chain>-<seq>} ({@code
 * <chain>-cp-<seq>} for checkpoints), so a batch re-sent after a failure or a crash is dropped by
 * the stream's duplicate window instead of stored twice; and {@code Warden-Audit-Seq} and {@code
 * Warden-Audit-Kind} headers, so a subscriber can find a sequence number without parsing bodies. A
 * batch is published asynchronously and then every acknowledgement awaited; only when all came back
 * does {@link #publish} return. Any failure closes the connection (it is made with no reconnect of
 * its own): the next attempt connects afresh, and while the broker is down that attempt fails at
 * once. The stream is created (file storage, {@code <subject>.>}, the configured duplicate window)
 * when it does not exist; an existing one is used as the operator set it up.
 */
public final class NatsAuditSink implements AuditSink {
  /** The longest wait for a batch's acknowledgements. */
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

  /** JetStream's error code for "stream not found". */
  private static final int STREAM_NOT_FOUND = 10059;

  private final Options options;
  private final String url;
  private final String stream;
  private final String subject;
  private final Duration duplicateWindow;
  private final String chain;

  /** A connection and its JetStream context, made together; null while disconnected. */
  private record Link(Connection connection, JetStream js) {}

  private @Nullable Link link;

  /**
   * @throws ValidationException naming {@code audit.stream.nats.url} when the URL is not one NATS
   *     accepts
   */
  public NatsAuditSink(
      String url, String stream, String subject, Duration duplicateWindow, String chain) {
    try {
      this.options =
          new Options.Builder()
              .server(url)
              .connectionName("warden-audit-stream")
              .connectionTimeout(Duration.ofSeconds(3))
              .noReconnect()
              .build();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          "audit.stream.nats.url", "'" + url + "' is not a NATS URL: " + e.getMessage());
    }
    this.url = url;
    this.stream = stream;
    this.subject = subject;
    this.duplicateWindow = duplicateWindow;
    this.chain = chain;
  }

  @Override
  public String name() {
    return "nats";
  }

  @Override
  public synchronized void publish(List<AuditRecord> events, SignedCheckpoint checkpoint)
      throws IOException {
    JetStream j = connected();
    try {
      List<CompletableFuture<PublishAck>> acks = new ArrayList<>(events.size() + 1);
      for (AuditRecord r : events) {
        acks.add(
            j.publishAsync(
                subject + ".events",
                headers(r.seq(), "event"),
                StreamMessages.event(chain, r),
                options(chain + "-" + r.seq())));
      }
      long cpSeq = checkpoint.checkpoint().seq();
      acks.add(
          j.publishAsync(
              subject + ".checkpoints",
              headers(cpSeq, "checkpoint"),
              StreamMessages.checkpoint(checkpoint),
              options(chain + "-cp-" + cpSeq)));
      long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
      for (CompletableFuture<PublishAck> f : acks) {
        PublishAck ack = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (ack.hasError()) {
          throw new IOException("JetStream refused a message: " + ack.getError());
        }
      }
    } catch (ExecutionException e) {
      disconnect();
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new IOException("JetStream did not acknowledge the batch: " + c.getMessage(), c);
    } catch (TimeoutException e) {
      disconnect();
      throw new IOException(
          "JetStream did not acknowledge the batch within " + ACK_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      disconnect();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while publishing to NATS", e);
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e instanceof IOException io
          ? io
          : new IOException("publishing to NATS failed: " + e.getMessage(), e);
    }
  }

  private PublishOptions options(String msgId) {
    return PublishOptions.builder().messageId(msgId).expectedStream(stream).build();
  }

  private static Headers headers(long seq, String kind) {
    return new Headers().add("Warden-Audit-Seq", Long.toString(seq)).add("Warden-Audit-Kind", kind);
  }

  private JetStream connected() throws IOException {
    Link l = link;
    if (l != null && l.connection().getStatus() == Connection.Status.CONNECTED) {
      return l.js();
    }
    disconnect();
    try {
      Connection c = Nats.connect(options);
      try {
        ensureStream(c.jetStreamManagement());
        JetStream s = c.jetStream();
        link = new Link(c, s);
        return s;
      } catch (IOException | JetStreamApiException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (JetStreamApiException e) {
      throw new IOException(
          "JetStream at " + url + " refused stream " + stream + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to NATS at " + url, e);
    } catch (IOException e) {
      throw new IOException("cannot reach NATS at " + url + ": " + e.getMessage(), e);
    }
  }

  private void ensureStream(JetStreamManagement jsm) throws IOException, JetStreamApiException {
    try {
      jsm.getStreamInfo(stream);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
        throw e;
      }
      jsm.addStream(
          StreamConfiguration.builder()
              .name(stream)
              .subjects(subject + ".>")
              .storageType(StorageType.File)
              .duplicateWindow(duplicateWindow)
              .build());
    }
  }

  private void disconnect() {
    Link l = link;
    link = null;
    if (l != null) {
      try {
        l.connection().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // closing a broken connection: nothing to keep
      }
    }
  }

  @Override
  public synchronized void close() {
    disconnect();
  }
}
