package dev.warden.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists exactly the keys of {@link ServerKeys}, as the table generates them.
 */
class ConfigDocTest {
  private static final Path DOC = Path.of("../docs/configuration.md");

  @Test
  void keyTableInTheDocsIsTheGeneratedOne() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int begin = doc.indexOf("<!-- BEGIN GENERATED");
    int end = doc.indexOf(ServerKeys.DOC_END);
    assertThat(begin).as("marker lines in " + DOC).isNotNegative();
    assertThat(end).as("marker lines in " + DOC).isGreaterThan(begin);
    String generated = ServerKeys.DOC_BEGIN + "\n" + ServerKeys.markdownTable();
    String current = doc.substring(begin, end);
    if (!current.equals(generated) && System.getenv("WARDEN_UPDATE_DOCS") != null) {
      Files.writeString(
          DOC, doc.substring(0, begin) + generated + doc.substring(end), StandardCharsets.UTF_8);
      current = generated;
    }
    assertThat(current)
        .as(
            "docs/configuration.md is out of date with ServerKeys; regenerate it with "
                + "WARDEN_UPDATE_DOCS=1 ./mvnw -o test -pl warden-server -am -Dtest=ConfigDocTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false")
        .isEqualTo(generated);
  }

  @Test
  void everyKeyHasOneNameOneEnvironmentVariableAndADoc() {
    Set<String> names = new HashSet<>();
    Set<String> env = new HashSet<>();
    for (ConfigKey<?> k : ServerKeys.ALL) {
      assertThat(names.add(k.name())).as(k.name()).isTrue();
      assertThat(env.add(k.envName())).as(k.envName()).isTrue();
      assertThat(k.doc()).as(k.name()).isNotBlank().doesNotContain("|");
    }
    assertThat(ServerKeys.SERVER_PORT.envName()).isEqualTo("WARDEN_SERVER_PORT");
    assertThat(ServerKeys.KEYS_RETAIN_AFTER_RETIRE.envName())
        .isEqualTo("WARDEN_KEYS_RETAIN_AFTER_RETIRE");
  }
}
