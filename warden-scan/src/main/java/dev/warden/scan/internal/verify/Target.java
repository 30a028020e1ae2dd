package dev.warden.scan.internal.verify;

import java.util.Locale;

/**
 * A database Warden manages, as the server lists it for {@code --verify}: the only places a found
 * password is ever sent to.
 *
 * @param url the resource's own target URL ({@code jdbc:postgresql://…}, {@code jdbc:mariadb://…},
 *     {@code redis[s]://…}): its TLS settings are used for the test login
 */
record Target(String resource, Engine engine, String host, int port, String database, String url) {

  /** Whether a found login names this database: same engine, same host (as written) and port. */
  boolean names(DatabaseCredential c) {
    return c.engine() == engine
        && c.port() == port
        && c.host().toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
  }
}
