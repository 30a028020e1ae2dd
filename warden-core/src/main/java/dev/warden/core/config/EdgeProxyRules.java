package dev.warden.core.config;

import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.DatabaseEngine;
import dev.warden.core.model.Named;
import dev.warden.core.model.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What an {@code EdgeProxy} document must agree with in the rest of the configuration. Its own
 * fields were checked when it was parsed ({@link ProxySpec}'s rules); here: a resource that exists
 * must be one the proxy can log in to, and a resource that does not exist yet (or another
 * declaration on the same listen address) is a warning, as a policy naming a missing resource is.
 */
final class EdgeProxyRules {
  /** Resource kinds whose credential the HTTP egress proxy places in a request (decision 406). */
  private static final List<String> HTTP_KINDS =
      List.of("http", Resource.SECRET, Resource.OAUTH_CLIENT);

  private EdgeProxyRules() {}

  /**
   * @param resources the resources as they will be after the change, by name (null when absent)
   * @throws ValidationException when a named resource exists and is of a kind this proxy cannot use
   */
  static void check(ProxyDeclaration d, Function<String, @Nullable Resource> resources) {
    ProxySpec p = d.proxy();
    if (p.protocol() == ProxySpec.Protocol.HTTP) {
      for (int i = 0; i < p.routes().size(); i++) {
        HttpRoute route = p.routes().get(i);
        Resource r = resources.apply(route.resource());
        if (r != null && !HTTP_KINDS.contains(r.kind())) {
          throw new ValidationException(
              "spec.routes[" + i + "].resource",
              "resource '"
                  + r.name()
                  + "' is of kind "
                  + r.kind()
                  + ": an http route needs a resource of kind http, secret or oauth-client");
        }
      }
      return;
    }
    Resource r = resources.apply(p.resource());
    if (r == null) {
      return;
    }
    DatabaseEngine wanted =
        switch (p.protocol()) {
          case POSTGRES -> DatabaseEngine.POSTGRES;
          case MYSQL -> DatabaseEngine.MARIADB;
          default -> DatabaseEngine.REDIS;
        };
    // a brokered secret (kind secret) holds a static password the proxy can log in with too
    if (!Resource.SECRET.equals(r.kind()) && DatabaseEngine.ofKind(r.kind()) != wanted) {
      throw new ValidationException(
          "spec.resource",
          "resource '"
              + r.name()
              + "' is of kind "
              + r.kind()
              + ": a "
              + p.protocol().wire()
              + " proxy needs a resource of kind "
              + wanted.kind()
              + " (or secret)");
    }
  }

  /**
   * @param batch every document of the change
   * @param stored the declarations stored now
   */
  static List<String> warnings(
      ProxyDeclaration d,
      List<Named> batch,
      Function<String, @Nullable Resource> resources,
      List<ProxyDeclaration> stored) {
    List<String> out = new ArrayList<>();
    List<String> names =
        d.proxy().protocol() == ProxySpec.Protocol.HTTP
            ? d.proxy().routes().stream().map(HttpRoute::resource).distinct().toList()
            : List.of(d.proxy().resource());
    for (String name : names) {
      if (resources.apply(name) == null) {
        out.add(
            (d.proxy().protocol() == ProxySpec.Protocol.HTTP ? "spec.routes" : "spec.resource")
                + ": resource '"
                + name
                + "' does not exist; agents run this proxy but refuse its connections until a Resource named '"
                + name
                + "' is applied");
      }
    }
    java.util.Map<String, ProxyDeclaration> after = new java.util.TreeMap<>();
    stored.forEach(o -> after.put(o.name(), o));
    batch.stream()
        .filter(n -> n instanceof ProxyDeclaration)
        .forEach(n -> after.put(n.name(), (ProxyDeclaration) n));
    String where = d.proxy().where();
    after.values().stream()
        .filter(o -> !o.name().equals(d.name()) && o.proxy().where().equals(where))
        .map(ProxyDeclaration::name)
        .forEach(
            o ->
                out.add(
                    "spec.listen: EdgeProxy '"
                        + o
                        + "' also listens on "
                        + where
                        + "; an agent that runs both starts only the first by name ('"
                        + (o.compareTo(d.name()) < 0 ? o : d.name())
                        + "') and reports the other as refused"));
    return out;
  }
}
