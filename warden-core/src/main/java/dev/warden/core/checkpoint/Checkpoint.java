package dev.warden.core.checkpoint;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a checkpoint states: in the audit chain {@code chain} of the Warden at {@code issuer}, the
 * event at {@code seq} had the chain hash {@code hash} at {@code time}. Signed and kept outside the
 * database, it lets anyone prove later that nothing up to {@code seq} was removed or rolled back.
 *
 * @param issuer the server's issuer URL
 * @param chain the installation's chain id (random, made on first start; see {@code
 *     docs/audit-streaming.md})
 * @param seq a sequence number of the chain, 1 or more
 * @param hash the SHA-256 chain hash of the event at {@code seq}, 32 bytes
 * @param time when the checkpoint was signed, in whole seconds
 */
public record Checkpoint(String issuer, String chain, long seq, byte[] hash, Instant time) {
  /** Length of a chain hash. */
  public static final int HASH_BYTES = 32;

  /**
   * @throws IllegalArgumentException when a field is missing or out of range
   */
  public Checkpoint {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(time, "time");
    if (issuer.isEmpty() || chain.isEmpty()) {
      throw new IllegalArgumentException("a checkpoint names its issuer and chain");
    }
    if (seq < 1) {
      throw new IllegalArgumentException("a checkpoint's seq is 1 or more, got " + seq);
    }
    if (hash == null || hash.length != HASH_BYTES) {
      throw new IllegalArgumentException("a checkpoint's hash is " + HASH_BYTES + " bytes");
    }
    hash = hash.clone();
    time = Instant.ofEpochSecond(time.getEpochSecond());
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /** The hash in lower-case hex, as the API and the stream show chain hashes. */
  public String hashHex() {
    return HexFormat.of().formatHex(hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && issuer.equals(c.issuer)
        && chain.equals(c.chain)
        && seq == c.seq
        && java.security.MessageDigest.isEqual(hash, c.hash)
        && time.equals(c.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(issuer, chain, seq, time);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + chain + " seq " + seq + " hash " + hashHex() + " at " + time + "]";
  }
}
