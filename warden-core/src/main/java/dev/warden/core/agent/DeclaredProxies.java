package dev.warden.core.agent;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.document.Documents;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.model.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxies declared on the server ({@code EdgeProxy} documents), and for each set of agent node
 * selectors the ones such an agent runs with their version, so that an agent whose set did not
 * change costs one map lookup per sync.
 *
 * <p>A version is a hash of the canonical documents an agent runs, not a counter: every server node
 * computes the same version from the same declarations, so an agent may sync with any node, and a
 * change to a declaration that does not concern an agent leaves that agent's version alone.
 */
public final class DeclaredProxies {
  /** At most this many distinct selector sets keep a cached view; past it the cache starts over. */
  private static final int MAX_VIEWS = 10_000;

  /**
   * What one agent runs.
   *
   * @param version changes exactly when {@code proxies} changes
   * @param proxies in name order
   */
  public record View(String version, List<ProxyDeclaration> proxies) {
    public View {
      proxies = List.copyOf(proxies);
    }
  }

  private record State(long counter, List<ProxyDeclaration> all, Map<Set<Selector>, View> views) {}

  private volatile State state = new State(-1, List.of(), new ConcurrentHashMap<>());

  /** Replaces the declarations with those stored at change counter {@code counter}. */
  public synchronized void update(long counter, List<ProxyDeclaration> declarations) {
    if (counter == state.counter()) {
      return;
    }
    List<ProxyDeclaration> sorted =
        declarations.stream().sorted(Comparator.comparing(ProxyDeclaration::name)).toList();
    state = new State(counter, sorted, new ConcurrentHashMap<>());
  }

  /** The change counter of the declarations held (-1 before the first update). */
  public long counter() {
    return state.counter();
  }

  /** Every declaration, in name order. */
  public List<ProxyDeclaration> all() {
    return state.all();
  }

  /** The declarations an agent with these node selectors runs, and their version. */
  public View forAgent(Set<Selector> nodeSelectors) {
    State s = state;
    View v = s.views().get(nodeSelectors);
    if (v != null) {
      return v;
    }
    List<ProxyDeclaration> mine = s.all().stream().filter(d -> d.runsOn(nodeSelectors)).toList();
    v = new View(version(mine), mine);
    if (s.views().size() >= MAX_VIEWS) {
      s.views().clear();
    }
    s.views().put(Set.copyOf(nodeSelectors), v);
    return v;
  }

  /**
   * The version of a list of declarations: the first 128 bits of SHA-256 over their canonical
   * documents.
   */
  public static String version(List<ProxyDeclaration> declarations) {
    StringBuilder b = new StringBuilder();
    declarations.stream()
        .sorted(Comparator.comparing(ProxyDeclaration::name))
        .forEach(d -> b.append(Documents.toDocument(d)).append('\n'));
    return HexFormat.of()
        .formatHex(Hashes.sha256(b.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
  }

  /** The version of one declaration, as an agent reports it back. */
  public static String version(ProxyDeclaration declaration) {
    return version(List.of(declaration));
  }
}
