package dev.warden.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The Warden version: the Maven project version of the build, written into {@code
 * dev/warden/core/version.properties} by resource filtering, so {@code warden --version}, the
 * server's start-up line and every User-Agent say the same.
 */
public final class WardenVersion {
  private static final String VERSION = load();

  private WardenVersion() {}

  /**
   * The version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} only if the build left the resource
   * out.
   */
  public static String get() {
    return VERSION;
  }

  /** A User-Agent value for one part of Warden, e.g. {@code warden-cli/0.1.0-SNAPSHOT}. */
  public static String userAgent(String component) {
    return "warden-" + component + "/" + VERSION;
  }

  private static String load() {
    try (InputStream in = WardenVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
