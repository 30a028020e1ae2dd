package dev.warden.core.error;

/** A named object does not exist. */
public final class NotFoundException extends WardenException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String kind, String name) {
    super(kind + " '" + name + "' does not exist");
  }
}
