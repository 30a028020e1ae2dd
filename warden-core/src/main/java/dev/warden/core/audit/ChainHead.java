package dev.warden.core.audit;

import java.util.Objects;

/**
 * Where the chain ends: the sequence number and hash of its newest event, as the store's head
 * records them. An empty chain is at {@code seq} 0 with the {@link AuditChain#GENESIS} hash.
 */
public record ChainHead(long seq, byte[] hash) {
  public ChainHead {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, got " + seq);
    }
    Objects.requireNonNull(hash, "hash");
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }
}
