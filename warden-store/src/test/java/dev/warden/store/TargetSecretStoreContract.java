package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.database.TargetSecretStore;
import dev.warden.core.error.ConflictException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TargetSecretStore}: sealed bytes in, the same bytes out, versions guard
 * writers.
 */
abstract class TargetSecretStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  TargetSecretStore secrets() {
    return store().targetSecrets();
  }

  @Test
  void putThenGetReturnsTheCiphertextAndMetadata() {
    String name = unique("pg-admin");
    long v = secrets().put(name, new byte[] {1, 2, 3}, "fp1", 0, T0, "admin:a");

    var s = secrets().get(name).orElseThrow();
    assertThat(v).isEqualTo(1);
    assertThat(s.ciphertext()).containsExactly(1, 2, 3);
    assertThat(s.fingerprint()).isEqualTo("fp1");
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.updatedAt()).isEqualTo(T0);
    assertThat(s.updatedBy()).isEqualTo("admin:a");
    assertThat(secrets().get(unique("none"))).isEmpty();
  }

  @Test
  void putWithTheCurrentVersionReplacesIt() {
    String name = unique("pg-admin");
    secrets().put(name, new byte[] {1}, "fp1", 0, T0, "a");

    long v = secrets().put(name, new byte[] {2}, "fp2", 1, T0.plusSeconds(1), "b");

    assertThat(v).isEqualTo(2);
    assertThat(secrets().get(name).orElseThrow().ciphertext()).containsExactly(2);
    assertThat(secrets().list()).extracting(TargetSecretStore.Sealed::name).contains(name);
  }

  @Test
  void putWhenAnotherWriterChangedItThenConflictAndUnchanged() {
    String name = unique("pg-admin");
    secrets().put(name, new byte[] {1}, "fp1", 0, T0, "a");

    assertThatThrownBy(() -> secrets().put(name, new byte[] {9}, "fp9", 0, T0, "b"))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> secrets().put(name, new byte[] {9}, "fp9", 7, T0, "b"))
        .isInstanceOf(ConflictException.class);
    assertThat(secrets().get(name).orElseThrow().ciphertext()).containsExactly(1);
  }
}
