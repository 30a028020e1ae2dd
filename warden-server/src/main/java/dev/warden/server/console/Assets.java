package dev.warden.server.console;

import dev.warden.core.crypto.Hashes;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The console's browser assets, read from the jar once at start: htmx and uPlot from their WebJars,
 * and the console's own stylesheet, script and icon. Each is served under a path that holds a hash
 * of its content, so it can be cached for a year and a new release is never served stale.
 */
final class Assets {
  static final String PREFIX = Console.PREFIX + "/assets/";

  private record Asset(String name, String path, String type, byte[] bytes) {}

  private final Map<String, Asset> byPath = new LinkedHashMap<>();
  private final Map<String, String> urls = new LinkedHashMap<>();

  Assets() {
    add("htmx.min.js", webjar("htmx.org", "dist/htmx.min.js"), "text/javascript");
    add("uPlot.min.js", webjar("uplot", "dist/uPlot.iife.min.js"), "text/javascript");
    add("uPlot.min.css", webjar("uplot", "dist/uPlot.min.css"), "text/css");
    add("console.css", "dev/warden/server/console/assets/console.css", "text/css");
    add("console.js", "dev/warden/server/console/assets/console.js", "text/javascript");
    add("favicon.svg", "dev/warden/server/console/assets/favicon.svg", "image/svg+xml");
  }

  /** The URL of an asset by its name, e.g. {@code console.css}. */
  String url(String name) {
    String u = urls.get(name);
    if (u == null) {
      throw new IllegalArgumentException("no console asset named " + name);
    }
    return u;
  }

  /** Serves an asset; false when the path names none (an old hash, or nothing). */
  boolean serve(String rawPath, ServerResponse res) {
    Asset a = byPath.get(rawPath);
    if (a == null) {
      return false;
    }
    res.status(200);
    res.header("Content-Type", a.type() + "; charset=utf-8");
    res.header("Cache-Control", "public, max-age=31536000, immutable");
    res.header("X-Content-Type-Options", "nosniff");
    res.send(a.bytes());
    return true;
  }

  private void add(String name, String resource, String type) {
    byte[] bytes = read(resource);
    String hash = HexFormat.of().formatHex(Hashes.sha256(bytes), 0, 6);
    String path = PREFIX + hash + "/" + name;
    byPath.put(path, new Asset(name, path, type, bytes));
    urls.put(name, path);
  }

  /**
   * The path of a file in a WebJar, at the version on the class path (from the WebJar's
   * pom.properties).
   */
  private static String webjar(String artifact, String file) {
    Properties p = new Properties();
    try (InputStream in =
        resource("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "META-INF/resources/webjars/" + artifact + "/" + p.getProperty("version") + "/" + file;
  }

  private static byte[] read(String resource) {
    try (InputStream in = resource(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = Assets.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(
          "the console asset " + name + " is missing from the class path");
    }
    return in;
  }
}
