package dev.warden.core.checkpoint;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Compares a walked chain with a verified checkpoint: the chain must still hold the event the
 * checkpoint signed, with exactly that hash, so the chain's end is at or after it. A hash chain on
 * its own cannot see its newest events removed together with the head; a checkpoint kept elsewhere
 * can.
 *
 * @param intact true when the chain holds the checkpoint's event with the checkpoint's hash
 * @param problem what was removed or rolled back, naming the events; null when intact
 * @param missingFrom first sequence number the checkpoint proves missing or replaced; 0 when intact
 * @param missingTo last such sequence number (the checkpoint's); 0 when intact
 */
public record TailCheck(
    boolean intact, @Nullable String problem, long missingFrom, long missingTo) {

  /**
   * @param checkpoint a verified checkpoint of this chain
   * @param lastSeq the sequence number of the newest event of the walked chain (0 when empty)
   * @param hashAtCheckpoint the chain hash of the walked chain's event at the checkpoint's sequence
   *     number, or null when the chain does not reach it
   */
  public static TailCheck of(
      VerifiedCheckpoint checkpoint, long lastSeq, byte @Nullable [] hashAtCheckpoint) {
    Checkpoint c = checkpoint.checkpoint();
    String signed = "checkpoint " + c.time() + " signed " + c.seq();
    if (lastSeq < c.seq() || hashAtCheckpoint == null) {
      long from = Math.min(lastSeq, c.seq() - 1) + 1;
      String events =
          from == c.seq()
              ? "event " + c.seq() + " missing"
              : "events " + from + ".." + c.seq() + " missing";
      return new TailCheck(
          false,
          events
              + ": the chain ends at "
              + lastSeq
              + " but "
              + signed
              + " (the newest events were removed or the log was rolled back)",
          from,
          c.seq());
    }
    if (!MessageDigest.isEqual(c.hash(), hashAtCheckpoint)) {
      return new TailCheck(
          false,
          "event "
              + c.seq()
              + " is not the event "
              + signed
              + ": its hash is "
              + HexFormat.of().formatHex(hashAtCheckpoint)
              + ", the checkpoint's "
              + c.hashHex()
              + " (the log was rolled back to before event "
              + c.seq()
              + " and rewritten)",
          c.seq(),
          c.seq());
    }
    return new TailCheck(true, null, 0, 0);
  }
}
