package dev.warden.core.model;

/** An object stored and addressed by a unique name within its kind. */
public interface Named {
  /** The unique name of this object within its kind. */
  String name();
}
