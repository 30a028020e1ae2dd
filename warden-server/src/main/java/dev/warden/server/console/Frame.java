package dev.warden.server.console;

import org.jspecify.annotations.Nullable;

/**
 * What every page's layout shows around its content: the title, which navigation entry is current,
 * who is signed in, the CSRF token its forms and htmx requests carry, the asset URLs, a one-shot
 * message from the last action, and how long the server took so far.
 */
record Frame(
    String title,
    String nav,
    String admin,
    String csrf,
    Assets assets,
    @Nullable String flash,
    boolean canWrite) {

  /** The {@code hx-headers} value that makes every htmx request carry the CSRF token. */
  String htmxHeaders() {
    return "{\"X-CSRF-Token\": \"" + csrf + "\"}";
  }
}
