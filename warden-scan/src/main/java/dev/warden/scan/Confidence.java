package dev.warden.scan;

import java.util.Locale;

/**
 * How sure the scanner is that a match is a real credential: {@code HIGH} for a format with a
 * distinctive prefix or a valid checksum, {@code MEDIUM} for a format recognised from its context
 * (an AWS secret key next to its key name), {@code LOW} for generic detectors scored by entropy.
 */
public enum Confidence {
  LOW,
  MEDIUM,
  HIGH;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
