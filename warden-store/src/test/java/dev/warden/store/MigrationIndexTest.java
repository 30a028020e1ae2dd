package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The start-up fast path trusts db/migration/index.txt: it must list exactly the shipped files. */
class MigrationIndexTest {
  @Test
  void indexListsEveryMigrationFile() throws IOException {
    Path root = Path.of("src/main/resources/db/migration");
    List<String> files;
    try (Stream<Path> s = Files.walk(root)) {
      files =
          s.filter(p -> p.toString().endsWith(".sql"))
              .map(p -> root.relativize(p).toString().replace('\\', '/'))
              .sorted()
              .toList();
    }
    List<String> index =
        Files.readAllLines(root.resolve("index.txt")).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty())
            .sorted()
            .toList();
    assertThat(index)
        .as("update warden-store/src/main/resources/db/migration/index.txt")
        .isEqualTo(files);
  }

  @Test
  void shippedVersionsCombineCommonAndDialectMigrations() {
    assertThat(Migrations.shippedVersions(Dialect.H2)).contains("1", "2");
    assertThat(Migrations.shippedVersions(Dialect.POSTGRESQL)).contains("1", "2");
  }
}
