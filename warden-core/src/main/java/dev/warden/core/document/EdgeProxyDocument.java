package dev.warden.core.document;

import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.bool;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.selectors;
import static dev.warden.core.document.Fields.sortedSelectors;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.edge.ProxySpecException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The spec of an {@code EdgeProxy} document: the settings of {@code warden agent run --proxy} as
 * fields, checked by the same rules ({@link ProxySpec}), plus the agents that run it.
 */
final class EdgeProxyDocument {
  private EdgeProxyDocument() {}

  /** The document field of each of {@link ProxySpec}'s options, for its errors. */
  static final Map<String, String> PROXY_FIELDS =
      Map.of(
          "protocol",
          "spec.protocol",
          "resource",
          "spec.resource",
          "listen",
          "spec.listen",
          "upstream-tls",
          "spec.upstreamTls",
          "upstream-ca",
          "spec.upstreamCa",
          "client-tls",
          "spec.clientTls",
          "route",
          "spec.routes",
          "unlisted",
          "spec.unlisted",
          "response-timeout",
          "spec.responseTimeout",
          "allow-weak-auth",
          "spec.allowWeakAuth");

  /**
   * An {@code EdgeProxy}: the settings of {@code warden agent run --proxy} as fields, checked by
   * the same rules ({@link ProxySpec}), plus the agents that run it.
   */
  static ProxyDeclaration parse(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "description",
        "nodeSelectors",
        "protocol",
        "resource",
        "listen",
        "upstreamTls",
        "upstreamCa",
        "allowWeakAuth",
        "clientTls",
        "routes",
        "unlisted",
        "responseTimeout");
    try {
      String protocol = text(s, "protocol");
      if (protocol == null) {
        throw new ValidationException(
            "spec.protocol", "is required: postgres, mysql, redis or http");
      }
      ProxySpec.Protocol p = ProxySpec.Protocol.parse(protocol);
      String listen = text(s, "listen");
      if (listen == null) {
        throw new ValidationException(
            "spec.listen", "is required: unix:<absolute path> or 127.0.0.1:<port>");
      }
      ProxySpec.Listen l = ProxySpec.Listen.parse(listen);
      String upstreamTls = text(s, "upstreamTls");
      String upstreamCa = text(s, "upstreamCa");
      String clientTls = text(s, "clientTls");
      String timeout = text(s, "responseTimeout");
      if (p != ProxySpec.Protocol.HTTP
          && (s.has("routes") || s.has("unlisted") || timeout != null)) {
        String f =
            s.has("routes")
                ? "spec.routes"
                : s.has("unlisted") ? "spec.unlisted" : "spec.responseTimeout";
        throw new ValidationException(
            f, "applies to an http proxy only (this one is " + p.wire() + ")");
      }
      ProxySpec spec =
          new ProxySpec(
              p,
              text(s, "resource"),
              l.unix(),
              l.tcp(),
              upstreamTls == null ? null : ProxySpec.UpstreamTls.parse(upstreamTls),
              upstreamCa == null ? null : path("spec.upstreamCa", upstreamCa),
              bool(s, "allowWeakAuth"),
              clientTls == null ? null : ProxySpec.ClientTlsMode.parse(clientTls),
              routes(s.get("routes")),
              ProxySpec.unlisted(text(s, "unlisted")),
              timeout == null ? null : Durations.parse("spec.responseTimeout", timeout));
      return new ProxyDeclaration(
          name, selectors(s, "nodeSelectors"), spec, text(s, "description"));
    } catch (ProxySpecException e) {
      throw new ValidationException(PROXY_FIELDS.getOrDefault(e.option(), "spec"), e.getMessage());
    }
  }

  static void render(ObjectNode s, ProxyDeclaration d) {
    ProxySpec p = d.proxy();
    putIfSet(s, "description", d.description());
    strings(s, "nodeSelectors", sortedSelectors(d.nodeSelectors()));
    s.put("protocol", p.protocol().wire());
    putIfSet(s, "resource", p.resource());
    s.put("listen", p.where());
    s.put("upstreamTls", p.upstreamTls().wire());
    if (p.upstreamCa() != null) {
      s.put("upstreamCa", p.upstreamCa().toString());
    }
    if (p.allowWeakAuth()) {
      s.put("allowWeakAuth", true);
    }
    s.put("clientTls", p.clientTls().wire());
    if (p.protocol() == ProxySpec.Protocol.HTTP) {
      ArrayNode routes = s.putArray("routes");
      for (HttpRoute r : p.routes()) {
        ObjectNode o = routes.addObject();
        o.put("host", r.host());
        if (r.port() != 0) {
          o.put("port", r.port());
        }
        o.put("resource", r.resource());
        switch (r.placement()) {
          case HEADER -> o.put("header", r.name());
          case QUERY -> o.put("query", r.name());
          case BASIC -> o.put("basic", true);
        }
        if (r.plaintext()) {
          o.put("plaintext", true);
        }
      }
      s.put("unlisted", p.refuseUnlisted() ? "refuse" : "tunnel");
      s.put("responseTimeout", Durations.format(p.responseTimeout()));
    }
  }

  static java.nio.file.Path path(String field, String p) {
    try {
      return java.nio.file.Path.of(p);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ValidationException(field, "is not a usable path: " + e.getReason());
    }
  }

  /** An http proxy's {@code spec.routes}: one object per destination host. */
  static List<HttpRoute> routes(JsonNode n) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new ValidationException(
          "spec.routes",
          "must be a list of {host, port, resource, header|query|basic," + " plaintext}");
    }
    List<HttpRoute> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode r = n.get(i);
      String where = "spec.routes[" + i + "]";
      if (!r.isObject()) {
        throw new ValidationException(
            where, "must be an object: {host, port, resource, header|query|basic, plaintext}");
      }
      allowOnly(r, where, "host", "port", "resource", "header", "query", "basic", "plaintext");
      int port = 0;
      JsonNode pn = r.get("port");
      if (pn != null && !pn.isNull()) {
        if (!pn.isIntegralNumber()
            || !pn.canConvertToInt()
            || pn.intValue() < 1
            || pn.intValue() > 65535) {
          throw new ValidationException(
              where + ".port", "must be a port number from 1 to 65535 (omit it for any port)");
        }
        port = pn.intValue();
      }
      String header = text(r, "header");
      String query = text(r, "query");
      boolean basic = bool(r, "basic", where);
      if ((header != null ? 1 : 0) + (query != null ? 1 : 0) + (basic ? 1 : 0) > 1) {
        throw new ValidationException(where, "give at most one of header, query, basic");
      }
      HttpRoute.Placement placement =
          header != null
              ? HttpRoute.Placement.HEADER
              : query != null
                  ? HttpRoute.Placement.QUERY
                  : basic ? HttpRoute.Placement.BASIC : null;
      try {
        out.add(
            new HttpRoute(
                text(r, "host"),
                port,
                text(r, "resource"),
                placement,
                header != null ? header : query,
                bool(r, "plaintext", where)));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(where, e.getMessage());
      }
    }
    return out;
  }
}
