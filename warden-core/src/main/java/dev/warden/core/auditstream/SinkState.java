package dev.warden.core.auditstream;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one sink stands: the last sequence number its far end acknowledged, and which node holds
 * the lease to drain it, until when.
 *
 * @param holder the node draining the sink, or null when none has
 * @param heldUntil when the lease ends unless renewed; {@link Instant#EPOCH} when never held
 */
public record SinkState(String sink, long ackedSeq, String holder, Instant heldUntil) {
  public SinkState {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(heldUntil, "heldUntil");
    if (ackedSeq < 0) {
      throw new IllegalArgumentException("ackedSeq must not be negative, got " + ackedSeq);
    }
  }
}
