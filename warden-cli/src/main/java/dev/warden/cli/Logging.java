package dev.warden.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Quiet library logs: Warden's own messages at INFO, everything else from WARNING. */
final class Logging {
  private static final Logger[] KEEP = new Logger[5];

  private Logging() {}

  static void configure() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    String[] quiet = {"com.zaxxer.hikari", "org.flywaydb", "io.helidon", "com.google"};
    for (int i = 0; i < quiet.length; i++) {
      // keep a strong reference: the LogManager holds loggers weakly and would forget the level
      KEEP[i] = Logger.getLogger(quiet[i]);
      KEEP[i].setLevel(Level.WARNING);
    }
    // a listener that cannot bind is logged here with a stack trace; the server reports it itself,
    // in one line naming the port
    KEEP[4] = Logger.getLogger("io.helidon.webserver.LoomServer");
    KEEP[4].setLevel(Level.OFF);
  }
}
