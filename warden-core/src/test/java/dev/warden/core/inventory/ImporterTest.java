package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry of importers: one per format, found by its wire name. */
class ImporterTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "k8s|{\"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"api\"}}|k8s-service-account",
        "GitHub-Workflow|name: deploy|github-workflow",
        "env|API_TOKEN=x|env-var",
        "CSV|name\\nA|static",
        "json|[{\"name\": \"A\"}]|static",
        "ci-variables|[{\"name\": \"A_TOKEN\"}]|ci-secret"
      })
  void eachFormatNameInAnyCaseFindsTheImporterOfThatFormat(String name, String text, String kind)
      throws Exception {
    Importer importer = Importers.named(name);
    assertThat(importer).isSameAs(Importers.of(Importers.Format.parse(name)));
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"name\": \"deploy\"}");
    Importers.Parsed p =
        importer.parse(
            new Importer.Input(
                text.replace("\\n", "\n"),
                tree,
                new Importers.Defaults(null, null, null, null, null),
                null));
    assertThat(p.errors()).isEmpty();
    assertThat(p.items()).extracting(ImportedNhi::kind).containsExactly(kind);
  }

  @Test
  void everyFormatHasAnImporterOfItsOwn() {
    assertThat(java.util.Arrays.stream(Importers.Format.values()).map(Importers::of).distinct())
        .hasSize(Importers.Format.values().length)
        .doesNotContainNull();
  }

  @Test
  void anUnknownFormatNameIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> Importers.named("yaml"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("k8s, github-workflow, env, csv, json, ci-variables");
    assertThatThrownBy(() -> Importers.named(null)).isInstanceOf(ValidationException.class);
  }

  @Test
  void parsingTwiceStartsAfreshEachTime() {
    Importer env = Importers.of(Importers.Format.ENV);
    Importer.Input in =
        new Importer.Input(
            "A=1\nA=2\n", null, new Importers.Defaults(null, null, null, null, null), null);
    assertThat(env.parse(in).duplicates()).containsExactly("env/env-var/A");
    assertThat(env.parse(in).duplicates())
        .as("no state kept between imports")
        .containsExactly("env/env-var/A");
  }
}
