package dev.warden.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the load drivers share: the bootstrap admin token a started server prints, the admin API
 * over plain HTTP, the local PostgreSQL they set up, and percentiles of measured latencies. One
 * copy, so that every driver reads the server and its figures the same way.
 */
public final class BenchSupport {
  /** The local PostgreSQL every driver that needs one uses (trust authentication for postgres). */
  public static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

  private static final Pattern BOOTSTRAP = Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)");

  private BenchSupport() {}

  /** The bootstrap admin token a server printed at its first start into {@code out}. */
  public static String bootstrapToken(ByteArrayOutputStream out) {
    return bootstrapToken(out.toString(StandardCharsets.UTF_8));
  }

  /** The bootstrap admin token in a server's output. */
  public static String bootstrapToken(String output) {
    Matcher m = BOOTSTRAP.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no bootstrap admin token printed");
    }
    return m.group(1);
  }

  /** One admin API call over plain HTTP; anything but 2xx throws. */
  public static String send(
      String base, String token, String method, String path, @Nullable String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + path + " failed: " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** Runs {@code statements} on database {@code db} of the local PostgreSQL as postgres. */
  public static void sql(String db, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(PG + db, "postgres", "");
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The {@code p}th percentile of sorted latencies, in their own unit. */
  public static long percentile(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
  }
}
