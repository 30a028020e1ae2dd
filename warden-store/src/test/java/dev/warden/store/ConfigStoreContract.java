package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.document.Kind;
import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.store.ConfigStore;
import dev.warden.core.store.ConfigStore.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Multi-kind configuration commits: all or nothing, and only on the revision they were validated
 * against.
 */
abstract class ConfigStoreContract extends StoreContract {

  static Resource resource(String name, int variant) {
    return new Resource(
        name, "https://api.example.com/" + name, "http", Sensitivity.HIGH, "revision " + variant);
  }

  @Test
  void aCommitWritesEveryObjectAndMovesTheRevision() {
    ConfigStore config = store().config();
    ConfigStore.Revision base = config.revision();
    String a = unique("res");
    String b = unique("res");
    var stored =
        config.commit(
            base,
            List.of(
                Write.put(Kind.RESOURCE, resource(a, 1), 0),
                Write.put(Kind.RESOURCE, resource(b, 1), 0)),
            "alice");
    assertThat(stored).extracting(v -> v.version()).containsExactly(1L, 1L);
    assertThat(store().resources().get(a)).isPresent();
    assertThat(store().resources().get(b)).isPresent();
    assertThat(config.revision()).isNotEqualTo(base);
    assertThat(store().resources().history(a)).hasSize(1);
  }

  @Test
  void aCommitWhoseLastWriteConflictsWritesNothing() {
    String a = unique("res");
    String b = unique("res");
    store().resources().put(resource(b, 1), 0, "bob");
    ConfigStore.Revision base = store().config().revision();
    long before = store().resources().changeCounter();
    assertThatThrownBy(
            () ->
                store()
                    .config()
                    .commit(
                        base,
                        List.of(
                            Write.put(Kind.RESOURCE, resource(a, 1), 0),
                            Write.put(Kind.RESOURCE, resource(b, 2), 0)),
                        "alice"))
        .isInstanceOf(ConflictException.class);
    assertThat(store().resources().get(a)).isEmpty();
    assertThat(store().resources().history(a)).isEmpty();
    assertThat(store().resources().get(b).orElseThrow().value().description())
        .isEqualTo("revision 1");
    assertThat(store().resources().changeCounter()).isEqualTo(before);
  }

  @Test
  void aCommitIsRefusedWhenAnyKindChangedSinceItsRevision() {
    ConfigStore.Revision base = store().config().revision();
    // another writer changes an object of another kind in between
    store().resources().put(resource(unique("res"), 1), 0, "bob");
    String a = unique("res");
    assertThatThrownBy(
            () ->
                store()
                    .config()
                    .commit(base, List.of(Write.put(Kind.RESOURCE, resource(a, 1), 0)), "alice"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("changed");
    assertThat(store().resources().get(a)).isEmpty();
  }

  @Test
  void aDeleteInACommitNeedsTheVersionItRead() {
    String a = unique("res");
    store().resources().put(resource(a, 1), 0, "bob");
    store().resources().put(resource(a, 2), 1, "bob");
    assertThatThrownBy(
            () ->
                store()
                    .config()
                    .commit(
                        store().config().revision(),
                        List.of(Write.delete(Kind.RESOURCE, a, 1)),
                        "alice"))
        .isInstanceOf(ConflictException.class);
    assertThat(store().resources().get(a)).isPresent();
    store()
        .config()
        .commit(store().config().revision(), List.of(Write.delete(Kind.RESOURCE, a, 2)), "alice");
    assertThat(store().resources().get(a)).isEmpty();
    assertThat(store().resources().history(a)).hasSize(3);
  }
}
