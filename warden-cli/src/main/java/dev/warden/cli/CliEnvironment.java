package dev.warden.cli;

import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the CLI reads from the process around it: environment variables and the home directory.
 * Tests pass their own, so no test reads or writes the real {@code ~/.config/warden}.
 */
record CliEnvironment(Map<String, String> env, Path home) {
  CliEnvironment {
    env = Map.copyOf(env);
  }

  static CliEnvironment system() {
    String home = System.getenv("HOME");
    return new CliEnvironment(
        System.getenv(),
        Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home")));
  }

  /** A variable's value, or null when it is unset or blank. */
  @Nullable String get(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  /**
   * {@code $WARDEN_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/warden}, else {@code
   * ~/.config/warden}.
   */
  Path configDir() {
    if (get("WARDEN_CONFIG_DIR") != null) {
      return Path.of(get("WARDEN_CONFIG_DIR"));
    }
    return (get("XDG_CONFIG_HOME") != null
            ? Path.of(get("XDG_CONFIG_HOME"))
            : home.resolve(".config"))
        .resolve("warden");
  }
}
