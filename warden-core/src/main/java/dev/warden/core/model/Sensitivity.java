package dev.warden.core.model;

/** How much damage misuse of a resource can do; weights blast radius and posture findings. */
public enum Sensitivity {
  LOW(1),
  MEDIUM(3),
  HIGH(9),
  CRITICAL(27);

  private final int weight;

  Sensitivity(int weight) {
    this.weight = weight;
  }

  public int weight() {
    return weight;
  }
}
