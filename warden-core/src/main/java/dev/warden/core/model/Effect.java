package dev.warden.core.model;

/** What a matching access policy does. Deny wins over allow; no match is a deny. */
public enum Effect {
  ALLOW,
  DENY
}
