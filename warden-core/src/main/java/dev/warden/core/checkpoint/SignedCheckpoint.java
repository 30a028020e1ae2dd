package dev.warden.core.checkpoint;

import java.util.Objects;

/**
 * A checkpoint as Warden signed it: the statement, the key that signed it and the compact JWS
 * (header {@code typ} {@value CheckpointJws#TYP}) that anyone can verify with the published keys.
 */
public record SignedCheckpoint(Checkpoint checkpoint, String kid, String jws) {
  public SignedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(jws, "jws");
  }
}
