package dev.warden.core.auditstream;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.checkpoint.SignedCheckpoint;
import java.io.IOException;
import java.util.List;

/**
 * Somewhere the audit log is copied to, event by event, in chain order: a message broker, a file.
 * {@link AuditStreamer} hands it batches and moves the sink's cursor only after {@link #publish}
 * returned, so a sink must not return before the sink's far end has the batch (a broker's
 * acknowledgement, an fsync). A batch may be handed in again after a failure or a crash: a sink
 * de-duplicates by sequence number where it can, and its readers skip what they saw.
 */
public interface AuditSink extends AutoCloseable {

  /** The sink's name: the key of its cursor in the database and its label in the metrics. */
  String name();

  /**
   * Publishes {@code events} (consecutive where the log is intact, oldest first) and then {@code
   * checkpoint}, signed over the last of them.
   *
   * @throws IOException when not every message was acknowledged; none of the batch counts as
   *     delivered and it will be handed in again
   */
  void publish(List<AuditRecord> events, SignedCheckpoint checkpoint) throws IOException;

  @Override
  void close();
}
