package dev.warden.server;

import static dev.warden.server.config.ServerKeys.DB_URL;
import static dev.warden.server.config.ServerKeys.SERVER_DATA_DIR;
import static dev.warden.server.config.ServerKeys.SERVER_HOST;
import static dev.warden.server.config.ServerKeys.SERVER_PORT;

import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import io.helidon.webserver.WebServer;
import java.io.PrintStream;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * One server node: its object graph ({@link Wiring}), its listener ({@link Routes}) and its timers
 * ({@link Schedules}), started in that order. Nothing is served until keys exist and the bootstrap
 * token (first start only) has been printed.
 */
public final class WardenServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WardenServer.class.getName());

  private final Wiring wiring;
  private final WebServer http;
  private final Schedules schedules;
  private final @Nullable DataDirLock dataDirLock;

  private WardenServer(
      Wiring wiring, WebServer http, Schedules schedules, @Nullable DataDirLock dataDirLock) {
    this.wiring = wiring;
    this.http = http;
    this.schedules = schedules;
    this.dataDirLock = dataDirLock;
  }

  /**
   * Starts a node.
   *
   * @param out where the bootstrap admin token is printed, once, on first start
   * @throws dev.warden.core.error.ValidationException when configuration is unusable, the port
   *     cannot be bound (checked before anything is created), or another server uses the embedded
   *     store's data directory
   */
  public static WardenServer start(ServerConfig cfg, Clock clock, PrintStream out) {
    Listener.checkFree(cfg.get(SERVER_HOST), cfg.get(SERVER_PORT));
    DataDirLock lock = cfg.embeddedStore() ? DataDirLock.acquire(cfg.get(SERVER_DATA_DIR)) : null;
    try {
      return start(cfg, clock, out, lock);
    } catch (RuntimeException e) {
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
  }

  private static WardenServer start(
      ServerConfig cfg, Clock clock, PrintStream out, @Nullable DataDirLock lock) {
    Wiring w = new Wiring(cfg, clock, out);
    WebServer http = null;
    try {
      http = Routes.serve(w);
      if (!http.isRunning() || http.port() < 0) {
        throw Listener.notListening(cfg.get(SERVER_HOST), cfg.get(SERVER_PORT));
      }
      Schedules schedules = Schedules.start(w);
      if (cfg.get(dev.warden.server.config.ServerKeys.CONSOLE_ENABLED)) {
        // the URL a new user opens; also in the log line below for those who read logs
        out.println("Warden console: " + cfg.issuer() + "/console/");
        out.flush();
      }
      long now = System.nanoTime();
      String dbUrl = cfg.get(DB_URL);
      LOG.log(
          System.Logger.Level.INFO,
          "Warden "
              + dev.warden.core.WardenVersion.get()
              + " listening on "
              + cfg.get(SERVER_HOST)
              + ":"
              + http.port()
              + " (issuer "
              + cfg.issuer()
              + ", store "
              + (dbUrl == null
                  ? "embedded H2 in " + cfg.get(SERVER_DATA_DIR)
                  : ConfigLoader.redactUrl(dbUrl))
              + "); start-up "
              + ms(w.startedAt, now)
              + " ms: store "
              + ms(w.startedAt, w.storeOpenAt)
              + ", keys "
              + ms(w.storeOpenAt, w.keysReadyAt)
              + ", configuration "
              + ms(w.keysReadyAt, w.configurationReadyAt)
              + ", http "
              + ms(w.configurationReadyAt, now));
      return new WardenServer(w, http, schedules, lock);
    } catch (RuntimeException e) {
      if (http != null) {
        http.stop();
      }
      w.close();
      throw e;
    }
  }

  private static long ms(long from, long to) {
    return (to - from) / 1_000_000;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return http.port();
  }

  public String issuer() {
    return wiring.cfg.issuer();
  }

  @Override
  public void close() {
    schedules.close();
    http.stop();
    wiring.close();
    if (dataDirLock != null) {
      dataDirLock.close();
    }
  }
}
