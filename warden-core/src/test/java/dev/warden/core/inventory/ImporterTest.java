package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The registry of importers: one per format, found by its wire name. */
class ImporterTest {

  @ParameterizedTest
  @EnumSource(Importers.Format.class)
  void everyFormatHasItsOwnImporterFoundByItsWireNameInAnyCase(Importers.Format f) {
    assertThat(Importers.of(f).format()).isEqualTo(f);
    assertThat(Importers.named(f.wire().toUpperCase(java.util.Locale.ROOT))).isSameAs(Importers.of(f));
  }

  @Test
  void anUnknownFormatNameIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> Importers.named("yaml")).isInstanceOf(ValidationException.class)
        .hasMessageContaining("k8s, github-workflow, env, csv, json, ci-variables");
    assertThatThrownBy(() -> Importers.named(null)).isInstanceOf(ValidationException.class);
  }

  @Test
  void parsingTwiceStartsAfreshEachTime() {
    Importer env = Importers.of(Importers.Format.ENV);
    Importer.Input in = new Importer.Input("A=1\nA=2\n", null, new Importers.Defaults(null, null, null, null, null), null);
    assertThat(env.parse(in).duplicates()).containsExactly("env/env-var/A");
    assertThat(env.parse(in).duplicates()).as("no state kept between imports").containsExactly("env/env-var/A");
  }
}
