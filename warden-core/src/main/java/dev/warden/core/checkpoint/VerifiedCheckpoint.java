package dev.warden.core.checkpoint;

/**
 * A checkpoint whose signature verified with key {@code kid} of the JWKS it was checked against.
 * Only {@link CheckpointJws#verify} makes one.
 */
public final class VerifiedCheckpoint {
  private final Checkpoint checkpoint;
  private final String kid;

  VerifiedCheckpoint(Checkpoint checkpoint, String kid) {
    this.checkpoint = checkpoint;
    this.kid = kid;
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  /** The key that signed it. */
  public String kid() {
    return kid;
  }

  @Override
  public String toString() {
    return "Verified" + checkpoint + " by " + kid;
  }
}
