package dev.warden.core.edge;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Named;
import dev.warden.core.model.Names;
import dev.warden.core.model.Selector;
import java.util.Objects;
import java.util.Set;

/**
 * A credential-injecting proxy declared on the server (an {@code EdgeProxy} document) for the
 * agents whose node selectors include all of {@link #nodeSelectors()} — the rule that decides which
 * agents may serve a workload (decision 402). Each such agent runs {@link #proxy()} as if it had
 * been given with {@code --proxy}; the proxy's settings obey exactly the same rules ({@link
 * ProxySpec}).
 *
 * <p>Paths in it (a Unix socket, {@code upstreamCa}) are paths on the agents' hosts, so they must
 * be absolute: a relative path would depend on the directory each agent was started in.
 *
 * @param nodeSelectors the agents that run it: those whose node selectors include every one; never
 *     empty (a declaration no agent runs is a mistake, not a way to switch a proxy off: delete it)
 */
public record ProxyDeclaration(
    String name, Set<Selector> nodeSelectors, ProxySpec proxy, String description)
    implements Named {

  /**
   * @throws ValidationException naming the field ({@code metadata.name}, {@code
   *     spec.nodeSelectors}, {@code spec.listen}, ...)
   */
  public ProxyDeclaration {
    Names.check("metadata.name", name);
    Objects.requireNonNull(proxy, "proxy");
    nodeSelectors = nodeSelectors == null ? Set.of() : Set.copyOf(nodeSelectors);
    if (nodeSelectors.isEmpty()) {
      throw new ValidationException(
          "spec.nodeSelectors",
          "is required: the node selectors of the agents that run"
              + " this proxy (an agent runs it when all of them are among its own, e.g. [\"k8s:node-pool=payments\"],"
              + " or [\"warden:join=<join token id>\"] for one agent)");
    }
    if (proxy.listenUnix() != null && !proxy.listenUnix().isAbsolute()) {
      throw new ValidationException(
          "spec.listen",
          "unix:"
              + proxy.listenUnix()
              + " is relative; give the absolute"
              + " path of the socket on the agents' hosts");
    }
    if (proxy.upstreamCa() != null && !proxy.upstreamCa().isAbsolute()) {
      throw new ValidationException(
          "spec.upstreamCa",
          proxy.upstreamCa()
              + " is relative; give the absolute path"
              + " of the PEM file on the agents' hosts");
    }
  }

  /** Whether an agent with these node selectors runs this proxy. */
  public boolean runsOn(Set<Selector> agentNodeSelectors) {
    return agentNodeSelectors.containsAll(nodeSelectors);
  }
}
