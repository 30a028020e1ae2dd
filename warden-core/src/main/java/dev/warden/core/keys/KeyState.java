package dev.warden.core.keys;

/**
 * Lifecycle of a signing key. PREPARED keys are published but do not sign, so relying parties have
 * cached them before the first token appears; RETIRED keys stay published until every token they
 * signed has expired; DESTROYED keys have no private material left.
 */
public enum KeyState {
  PREPARED,
  ACTIVE,
  RETIRED,
  DESTROYED
}
