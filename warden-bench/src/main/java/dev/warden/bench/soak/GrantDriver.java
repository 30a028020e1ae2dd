package dev.warden.bench.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Client-credentials grants against {@code /oauth2/token} from a fixed set of connections, each a
 * virtual thread making one request at a time, in two modes:
 *
 * <ul>
 *   <li><b>closed loop</b> ({@link #closedLoop}): every connection sends again as soon as it has
 *       its answer; the completions per second are the maximum rate this machine sustains;
 *   <li><b>open loop</b> ({@link #openLoop}): request {@code i} is due at {@code start + i / rate},
 *       whatever happened to the ones before (as wrk2 paces), and its latency is measured from when
 *       it was due, not from when a connection got round to it. A server that stalls therefore
 *       shows the stall in every request that queued behind it instead of hiding it by sending less
 *       (coordinated omission).
 * </ul>
 *
 * Every answer other than 200 with an {@code access_token}, a time-out or an I/O error is an error.
 */
final class GrantDriver {
  /**
   * Requests of one window: counts, the latency of each in microseconds, and the first error texts.
   */
  static final class Window {
    final int index;
    final long[] latenciesMicros;
    final AtomicInteger recorded = new AtomicInteger();
    final LongAdder errors = new LongAdder();
    final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();

    Window(int index, int capacity) {
      this.index = index;
      this.latenciesMicros = new long[capacity];
    }

    void record(long micros, String error) {
      int i = recorded.getAndIncrement();
      if (i < latenciesMicros.length) {
        latenciesMicros[i] = micros;
      }
      if (error != null) {
        errors.increment();
        errorKinds.computeIfAbsent(error, k -> new LongAdder()).increment();
      }
    }

    int requests() {
      return Math.min(recorded.get(), latenciesMicros.length);
    }

    /**
     * The latency at quantile {@code q} in milliseconds (nearest rank), or NaN without requests.
     */
    double percentileMillis(double q) {
      int n = requests();
      if (n == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(latenciesMicros, n);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(q * n) - 1;
      return sorted[Math.max(0, Math.min(n - 1, rank))] / 1000.0;
    }
  }

  private final HttpClient http;
  private final URI tokenUri;
  private final List<String> bodies;
  private final int connections;
  private final Consumer<String> onToken;
  private final AtomicLong bodyIndex = new AtomicLong();

  /**
   * @param bodies form bodies of grant requests, used in turn
   * @param onToken receives (a sample of) the access tokens returned
   */
  GrantDriver(
      HttpClient http,
      URI tokenUri,
      List<String> bodies,
      int connections,
      Consumer<String> onToken) {
    this.http = http;
    this.tokenUri = tokenUri;
    this.bodies = List.copyOf(bodies);
    this.connections = connections;
    this.onToken = onToken;
  }

  /** Sends as fast as the connections get answers for {@code length}; returns what completed. */
  Window closedLoop(Duration length) throws InterruptedException {
    Window w = new Window(0, 4_000_000);
    long end = System.nanoTime() + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      threads.add(
          Thread.ofVirtual()
              .name("closed-" + c)
              .start(
                  () -> {
                    while (System.nanoTime() < end) {
                      long t0 = System.nanoTime();
                      String error = grant();
                      w.record((System.nanoTime() - t0) / 1000, error);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return w;
  }

  /**
   * Paces {@code rate} requests per second for {@code windows} windows of {@code window} each, with
   * a {@code gap} after each in which no request is due, and hands each window to {@code
   * onWindowDue} when its time is over, at the start of its gap (its last requests may still be
   * finishing: the window object goes on filling). What the callback does in the gap — a forced
   * full collection, say — therefore delays no request of the next window unless it outlasts the
   * gap.
   */
  List<Window> openLoop(
      double rate, Duration window, Duration gap, int windows, Consumer<Window> onWindowDue)
      throws InterruptedException {
    long windowNanos = window.toNanos();
    long strideNanos = windowNanos + gap.toNanos();
    long perWindow = (long) Math.ceil(rate * window.toNanos() / 1e9);
    long total = perWindow * windows;
    double intervalNanos = 1e9 / rate;
    List<Window> all = new ArrayList<>();
    for (int i = 0; i < windows; i++) {
      all.add(new Window(i, (int) perWindow + 16));
    }
    long start = System.nanoTime() + 20_000_000L;
    AtomicLong next = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      threads.add(
          Thread.ofVirtual()
              .name("open-" + c)
              .start(
                  () -> {
                    for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                      int w = (int) (i / perWindow);
                      long due = start + w * strideNanos + (long) ((i % perWindow) * intervalNanos);
                      long wait;
                      while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                      }
                      String error = grant();
                      all.get(w).record((System.nanoTime() - due) / 1000, error);
                    }
                  }));
    }
    Thread clock =
        Thread.ofPlatform()
            .daemon()
            .name("window-clock")
            .start(
                () -> {
                  for (int w = 0; w < windows; w++) {
                    long due = start + w * strideNanos + windowNanos;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                      LockSupport.parkNanos(wait);
                    }
                    onWindowDue.accept(all.get(w));
                  }
                });
    for (Thread t : threads) {
      t.join();
    }
    clock.join();
    return all;
  }

  /** One grant; null when it returned a token, else a short description of the failure. */
  private String grant() {
    String body = bodies.get((int) (bodyIndex.getAndIncrement() % bodies.size()));
    HttpRequest req =
        HttpRequest.newBuilder(tokenUri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        String b = r.body();
        return "HTTP " + r.statusCode() + " " + (b.length() > 160 ? b.substring(0, 160) : b);
      }
      String b = r.body();
      int at = b.indexOf("\"access_token\":\"");
      if (at < 0) {
        return "200 without access_token";
      }
      int from = at + 16;
      onToken.accept(b.substring(from, b.indexOf('"', from)));
      return null;
    } catch (java.net.http.HttpTimeoutException e) {
      return "timeout after 10 s";
    } catch (java.io.IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
