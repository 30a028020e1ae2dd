package dev.warden.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An embedded H2 file database, configured as {@link StoreConfig#embedded} configures it, in a
 * temporary directory.
 */
final class H2TestDatabase implements TestDatabase {
  private final Path dir;
  private final StoreConfig config;

  H2TestDatabase() {
    try {
      dir = Files.createTempDirectory("warden-store-h2-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    config = StoreConfig.embedded(dir);
  }

  Path dir() {
    return dir;
  }

  @Override
  public StoreConfig config() {
    return config;
  }

  @Override
  public void execute(String sql) {
    try (Connection c = DriverManager.getConnection(config.url(), config.user(), "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
