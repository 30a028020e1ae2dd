package dev.warden.core.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.edge.HttpRoute;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.edge.ProxySpec;
import dev.warden.core.edge.ProxySpecException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Effect;
import dev.warden.core.model.McpUpstream;
import dev.warden.core.model.Named;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.model.UsernameTemplate;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadMatcher;
import dev.warden.core.model.WorkloadState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one document form of configuration objects, shared by {@code warden apply} YAML, the admin
 * REST API and the store: {@code {apiVersion, kind, metadata: {name}, spec: {...}}}. Parsing is
 * strict: an unknown field is an error naming it, so a typo never silently weakens a policy.
 */
public final class Documents {
  public static final String API_VERSION = "warden.dev/v1";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Documents() {}

  /**
   * Parses a whole document ({@code kind}, {@code metadata.name}, {@code spec}).
   *
   * @throws ValidationException naming the first field that is wrong
   */
  public static Named parse(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      throw new ValidationException(
          "", "a document must be an object with kind, metadata and spec");
    }
    allowOnly(doc, "", "apiVersion", "kind", "metadata", "spec");
    String apiVersion = text(doc, "apiVersion");
    if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
      throw new ValidationException(
          "apiVersion", "'" + apiVersion + "' is not supported; use " + API_VERSION);
    }
    Kind kind = Kind.parse(text(doc, "kind"));
    JsonNode meta = doc.get("metadata");
    String name = meta == null ? null : text(meta, "name");
    if (meta != null) {
      allowOnly(meta, "metadata", "name", "labels");
    }
    JsonNode spec = doc.get("spec");
    if (spec == null || !spec.isObject()) {
      throw new ValidationException("spec", "is required and must be an object");
    }
    return fromSpec(kind, name, spec);
  }

  /** The kind of a model object. */
  public static Kind kindOf(Named o) {
    if (o instanceof TrustProviderSpec) {
      return Kind.TRUST_PROVIDER;
    } else if (o instanceof Workload) {
      return Kind.WORKLOAD;
    } else if (o instanceof Resource) {
      return Kind.RESOURCE;
    } else if (o instanceof AccessPolicy) {
      return Kind.ACCESS_POLICY;
    } else if (o instanceof ProxyDeclaration) {
      return Kind.EDGE_PROXY;
    }
    throw new IllegalArgumentException("not a document type: " + o.getClass());
  }

  /** Renders a whole document. */
  public static ObjectNode toDocument(Named o) {
    ObjectNode doc = F.objectNode();
    doc.put("apiVersion", API_VERSION);
    doc.put("kind", kindOf(o).wire());
    doc.putObject("metadata").put("name", o.name());
    doc.set("spec", toSpec(o));
    return doc;
  }

  /**
   * Parses a spec of a known kind; {@code name} may be null for workloads (the SPIFFE ID names
   * them).
   */
  public static Named fromSpec(Kind kind, String name, JsonNode spec) {
    return switch (kind) {
      case TRUST_PROVIDER -> trustProvider(name, spec);
      case WORKLOAD -> workload(name, spec);
      case RESOURCE -> resource(name, spec);
      case ACCESS_POLICY -> policy(name, spec);
      case EDGE_PROXY -> edgeProxy(name, spec);
    };
  }

  /** Renders the spec of an object: parse(toDocument(o)) equals o. */
  public static ObjectNode toSpec(Named o) {
    ObjectNode s = F.objectNode();
    if (o instanceof TrustProviderSpec t) {
      s.put("type", t.type().wire());
      s.put("issuer", t.issuer());
      putIfSet(s, "jwksUri", t.jwksUri());
      if (t.jwks() != null) {
        try {
          s.set("jwks", JSON.readTree(t.jwks()));
        } catch (java.io.IOException e) {
          s.put("jwks", t.jwks());
        }
      }
      strings(s, "audiences", t.audiences());
      strings(s, "algorithms", t.algorithms());
      s.put("maxTokenAge", Durations.format(t.maxTokenAge()));
      s.put("clockSkew", Durations.format(t.clockSkew()));
      if (!t.claims().isEmpty()) {
        ObjectNode c = s.putObject("claims");
        new java.util.TreeMap<>(t.claims()).forEach(c::put);
      }
      if (!t.requiredClaims().isEmpty()) {
        strings(s, "requiredClaims", t.requiredClaims());
      }
      if (t.nodeAttestation()) {
        s.put("nodeAttestation", true);
      }
    } else if (o instanceof Workload w) {
      s.put("spiffeId", w.spiffeId().toString());
      strings(s, "selectors", sortedSelectors(w.selectors()));
      s.put("owner", w.owner());
      putIfSet(s, "team", w.team());
      putIfSet(s, "environment", w.environment());
      s.put("state", w.state().name().toLowerCase(Locale.ROOT));
      if (w.expiresAt() != null) {
        s.put("expiresAt", w.expiresAt().toString());
      }
      putIfSet(s, "description", w.description());
      if (!w.nodeSelectors().isEmpty()) {
        strings(s, "nodeSelectors", sortedSelectors(w.nodeSelectors()));
      }
    } else if (o instanceof Resource r) {
      s.put("audience", r.audience());
      s.put("kind", r.kind());
      s.put("sensitivity", r.sensitivity().name().toLowerCase(Locale.ROOT));
      putIfSet(s, "description", r.description());
      if (r.database() != null) {
        s.set("database", databaseSpec(r.database()));
      }
      if (r.oauth() != null) {
        s.set("oauth", oauthSpec(r.oauth()));
      }
      if (r.secret() != null) {
        s.putObject("secret").put("name", r.secret());
      }
      if (r.mcp() != null) {
        s.set("mcp", mcpSpec(r.mcp()));
      }
    } else if (o instanceof AccessPolicy p) {
      putIfSet(s, "description", p.description());
      ObjectNode w = s.putObject("workloads");
      if (!p.workloads().spiffeIds().isEmpty()) {
        strings(w, "spiffeIds", p.workloads().spiffeIds());
      }
      if (!p.workloads().selectors().isEmpty()) {
        strings(w, "selectors", sortedSelectors(p.workloads().selectors()));
      }
      strings(s, "resources", p.resources());
      s.put("effect", p.effect().name().toLowerCase(Locale.ROOT));
      putIfSet(s, "condition", p.condition());
      s.put("credentialKind", p.credentialKind().name().toLowerCase(Locale.ROOT));
      s.put("maxTtl", Durations.format(p.maxTtl()));
      if (!p.scopes().isEmpty()) {
        strings(s, "scopes", p.scopes());
      }
      putIfSet(s, "mayAct", p.mayAct());
    } else if (o instanceof ProxyDeclaration d) {
      edgeProxySpec(s, d);
    } else {
      throw new IllegalArgumentException("not a document type: " + o.getClass());
    }
    return s;
  }

  private static void edgeProxySpec(ObjectNode s, ProxyDeclaration d) {
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

  /** The document field of each of {@link ProxySpec}'s options, for its errors. */
  private static final Map<String, String> PROXY_FIELDS =
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
  private static ProxyDeclaration edgeProxy(String name, JsonNode s) {
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

  private static java.nio.file.Path path(String field, String p) {
    try {
      return java.nio.file.Path.of(p);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ValidationException(field, "is not a usable path: " + e.getReason());
    }
  }

  /** An http proxy's {@code spec.routes}: one object per destination host. */
  private static List<HttpRoute> routes(JsonNode n) {
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

  private static TrustProviderSpec trustProvider(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "type",
        "issuer",
        "jwksUri",
        "jwks",
        "audiences",
        "algorithms",
        "maxTokenAge",
        "clockSkew",
        "claims",
        "requiredClaims",
        "nodeAttestation");
    String jwks = null;
    JsonNode j = s.get("jwks");
    if (j != null && !j.isNull()) {
      if (j.isObject()) {
        jwks = j.toString();
      } else if (j.isTextual()) {
        jwks = j.asText();
      } else {
        throw new ValidationException("spec.jwks", "must be a JWK set object or its JSON text");
      }
    }
    Map<String, String> claims = new LinkedHashMap<>();
    JsonNode c = s.get("claims");
    if (c != null && !c.isNull()) {
      if (!c.isObject()) {
        throw new ValidationException("spec.claims", "must map claim names to selector keys");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new ValidationException(
              "spec.claims." + e.getKey(), "must be a selector key (text)");
        }
        claims.put(e.getKey(), e.getValue().asText());
      }
    }
    String typeText = text(s, "type");
    if (typeText == null) {
      throw new ValidationException(
          "spec.type", "is required (kubernetes, github-actions, gitlab-ci or oidc)");
    }
    return new TrustProviderSpec(
        name,
        ProviderType.fromWire(typeText),
        text(s, "issuer"),
        text(s, "jwksUri"),
        jwks,
        stringList(s, "audiences"),
        stringList(s, "algorithms"),
        Durations.parse("spec.maxTokenAge", text(s, "maxTokenAge")),
        Durations.parse("spec.clockSkew", text(s, "clockSkew")),
        claims,
        stringList(s, "requiredClaims"),
        bool(s, "nodeAttestation"));
  }

  /**
   * A JSON boolean; absent or null is false. "true" as text is refused: YAML and JSON both have
   * booleans.
   */
  private static boolean bool(JsonNode n, String field) {
    return bool(n, field, "spec");
  }

  private static boolean bool(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ValidationException(
          where + "." + field, "must be true or false (a boolean, not text or a number)");
    }
    return v.booleanValue();
  }

  private static Workload workload(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "spiffeId",
        "selectors",
        "owner",
        "team",
        "environment",
        "state",
        "expiresAt",
        "description",
        "nodeSelectors");
    String id = text(s, "spiffeId");
    if (id == null) {
      id = name;
    } else if (name != null && !name.equals(id)) {
      throw new ValidationException(
          "metadata.name", "must equal spec.spiffeId for a Workload (or be omitted)");
    }
    if (id == null) {
      throw new ValidationException("spec.spiffeId", "is required");
    }
    String state = text(s, "state");
    WorkloadState st = null;
    if (state != null) {
      try {
        st = WorkloadState.valueOf(state.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.state", "'" + state + "' is not allowed; use active, suspended or retired");
      }
    }
    Instant exp = null;
    String expText = text(s, "expiresAt");
    if (expText != null) {
      try {
        exp = Instant.parse(expText);
      } catch (DateTimeParseException e) {
        throw new ValidationException(
            "spec.expiresAt",
            "'" + expText + "' is not an RFC 3339 UTC time such as 2027-01-31T00:00:00Z");
      }
    }
    return new Workload(
        SpiffeId.parse(id),
        selectors(s, "selectors"),
        text(s, "owner"),
        text(s, "team"),
        text(s, "environment"),
        st,
        exp,
        text(s, "description"),
        s.has("nodeSelectors") ? selectors(s, "nodeSelectors") : Set.of());
  }

  private static Resource resource(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "audience",
        "kind",
        "sensitivity",
        "description",
        "database",
        "oauth",
        "secret",
        "mcp");
    String sens = text(s, "sensitivity");
    Sensitivity se = null;
    if (sens != null) {
      try {
        se = Sensitivity.valueOf(sens.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.sensitivity", "'" + sens + "' is not allowed; use low, medium, high or critical");
      }
    }
    JsonNode db = s.get("database");
    DatabaseTarget target = db == null || db.isNull() ? null : databaseTarget(db);
    JsonNode oa = s.get("oauth");
    OAuthClient oauth = oa == null || oa.isNull() ? null : oauthClient(oa);
    JsonNode mc = s.get("mcp");
    McpUpstream mcp = mc == null || mc.isNull() ? null : mcpUpstream(mc);
    return new Resource(
        name,
        text(s, "audience"),
        text(s, "kind"),
        se,
        text(s, "description"),
        target,
        oauth,
        secretName(s.get("secret")),
        mcp);
  }

  /**
   * A resource's {@code spec.mcp}: {@code {url, credential: {secret, header | basic} |
   * {oauthClient}, plaintext}}. Only names of credentials: a value is refused, so it never reaches
   * a document.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  private static McpUpstream mcpUpstream(JsonNode m) {
    if (!m.isObject()) {
      throw new ValidationException("spec.mcp", "must be an object: {url, credential, plaintext}");
    }
    allowOnly(m, "spec.mcp", "url", "credential", "plaintext");
    JsonNode c = m.get("credential");
    McpUpstream.Credential credential = null;
    if (c != null && !c.isNull()) {
      if (!c.isObject()) {
        throw new ValidationException(
            "spec.mcp.credential",
            "must be an object: {secret, header | basic} or" + " {oauthClient}");
      }
      for (String f : List.of("value", "token", "password", "apiKey")) {
        if (c.has(f)) {
          throw new ValidationException(
              "spec.mcp.credential." + f,
              "a credential never goes in a document; store it"
                  + " as a brokered secret ('warden secret put <name>') and name it in spec.mcp.credential.secret");
        }
      }
      allowOnly(c, "spec.mcp.credential", "secret", "oauthClient", "header", "basic");
      boolean basic = bool(c, "basic", "spec.mcp.credential");
      String header = text(c, "header");
      if (basic && header != null) {
        throw new ValidationException("spec.mcp.credential", "give header or basic, not both");
      }
      credential =
          new McpUpstream.Credential(
              text(c, "secret"),
              text(c, "oauthClient"),
              basic ? McpUpstream.Placement.BASIC : null,
              header);
    }
    return new McpUpstream(text(m, "url"), credential, bool(m, "plaintext", "spec.mcp"));
  }

  private static ObjectNode mcpSpec(McpUpstream m) {
    ObjectNode o = F.objectNode();
    o.put("url", m.url());
    McpUpstream.Credential c = m.credential();
    if (c != null) {
      ObjectNode co = o.putObject("credential");
      putIfSet(co, "secret", c.secret());
      putIfSet(co, "oauthClient", c.oauthClient());
      if (c.placement() == McpUpstream.Placement.HEADER) {
        co.put("header", c.header());
      } else if (c.placement() == McpUpstream.Placement.BASIC) {
        co.put("basic", true);
      }
    }
    if (m.plaintext()) {
      o.put("plaintext", true);
    }
    return o;
  }

  /**
   * Parses a resource's {@code spec.oauth}. It names the target secret holding the client secret or
   * private key; the secret itself is refused, so it can never reach a document, its history or a
   * diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  public static OAuthClient oauthClient(JsonNode o) {
    if (!o.isObject()) {
      throw new ValidationException(
          "spec.oauth",
          "must be an object: {tokenUrl, clientId, authMethod,"
              + " clientSecretSecret or privateKeySecret, scopes}");
    }
    for (String f : List.of("clientSecret", "client_secret", "privateKey", "secret", "password")) {
      if (o.has(f)) {
        throw new ValidationException(
            "spec.oauth." + f,
            "a secret never goes in a document; store it with"
                + " 'warden target-secret set <name>' and name it in spec.oauth.clientSecretSecret (or privateKeySecret)");
      }
    }
    allowOnly(
        o,
        "spec.oauth",
        "tokenUrl",
        "clientId",
        "authMethod",
        "clientSecretSecret",
        "privateKeySecret",
        "signingAlg",
        "keyId",
        "scopes",
        "audience",
        "resource",
        "defaultExpiresIn",
        "revocationUrl");
    String m = text(o, "authMethod");
    OAuthClient.AuthMethod method =
        m == null ? OAuthClient.AuthMethod.CLIENT_SECRET_BASIC : OAuthClient.AuthMethod.fromWire(m);
    String clientSecret = text(o, "clientSecretSecret");
    String privateKey = text(o, "privateKeySecret");
    if (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
        ? clientSecret != null
        : privateKey != null) {
      throw new ValidationException(
          "spec.oauth." + (clientSecret != null ? "clientSecretSecret" : "privateKeySecret"),
          "does not go with authMethod: "
              + method.wire()
              + "; private_key_jwt takes privateKeySecret, the"
              + " client_secret methods take clientSecretSecret");
    }
    String secret = method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT ? privateKey : clientSecret;
    if (secret == null) {
      throw new ValidationException(
          "spec.oauth."
              + (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
                  ? "privateKeySecret"
                  : "clientSecretSecret"),
          "is required: the name of the target secret holding the "
              + (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
                  ? "PEM private key"
                  : "client secret")
              + " (store it with 'warden target-secret set <name>')");
    }
    return new OAuthClient(
        text(o, "tokenUrl"),
        text(o, "clientId"),
        method,
        secret,
        text(o, "signingAlg"),
        text(o, "keyId"),
        stringList(o, "scopes"),
        text(o, "audience"),
        text(o, "resource"),
        Durations.parse("spec.oauth.defaultExpiresIn", text(o, "defaultExpiresIn")),
        text(o, "revocationUrl"));
  }

  /** Renders an OAuth client: {@code oauthClient(oauthSpec(c))} equals c. */
  public static ObjectNode oauthSpec(OAuthClient c) {
    ObjectNode o = F.objectNode();
    o.put("tokenUrl", c.tokenUrl());
    o.put("clientId", c.clientId());
    o.put("authMethod", c.authMethod().wire());
    o.put(
        c.authMethod() == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
            ? "privateKeySecret"
            : "clientSecretSecret",
        c.secret());
    putIfSet(o, "signingAlg", c.signingAlg());
    putIfSet(o, "keyId", c.keyId());
    strings(o, "scopes", c.scopes());
    putIfSet(o, "audience", c.audience());
    putIfSet(o, "resource", c.resourceIndicator());
    o.put("defaultExpiresIn", Durations.format(c.defaultExpiresIn()));
    putIfSet(o, "revocationUrl", c.revocationUrl());
    return o;
  }

  /**
   * A resource's {@code spec.secret}: {@code {name: <brokered secret>}}. Only the name: a value
   * never goes in a document.
   */
  private static String secretName(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new ValidationException("spec.secret", "must be an object: {name: <brokered secret>}");
    }
    if (n.has("value")) {
      throw new ValidationException(
          "spec.secret.value",
          "a secret's value never goes in a document; write it with"
              + " 'warden secret put <name> --value-file <file>' and name it in spec.secret.name");
    }
    allowOnly(n, "spec.secret", "name");
    JsonNode name = n.get("name");
    if (name == null || !name.isTextual()) {
      throw new ValidationException(
          "spec.secret.name", "is required: the name of a brokered secret");
    }
    return name.asText();
  }

  /**
   * Parses a resource's {@code spec.database}. It names the admin password's secret; a password
   * itself is refused, so it can never reach a document, its history or a diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  public static DatabaseTarget databaseTarget(JsonNode d) {
    if (!d.isObject()) {
      throw new ValidationException(
          "spec.database", "must be an object: {url, adminUser, adminPasswordSecret, roles}");
    }
    if (d.has("adminPassword") || d.has("password")) {
      throw new ValidationException(
          "spec.database." + (d.has("adminPassword") ? "adminPassword" : "password"),
          "a password never goes in a document; store it with 'warden database password set <name>' and name it in"
              + " spec.database.adminPasswordSecret");
    }
    allowOnly(
        d,
        "spec.database",
        "url",
        "adminUser",
        "adminPasswordSecret",
        "roles",
        "usernameTemplate",
        "maxTtl",
        "maxLeasesPerWorkload",
        "markerRole",
        "acl");
    String template = text(d, "usernameTemplate");
    JsonNode max = d.get("maxLeasesPerWorkload");
    int maxLeases = 0;
    if (max != null && !max.isNull()) {
      if (!max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 1) {
        throw new ValidationException(
            "spec.database.maxLeasesPerWorkload",
            "must be a whole number from 1 to " + DatabaseTarget.MAX_LEASES_LIMIT);
      }
      maxLeases = max.intValue();
    }
    return new DatabaseTarget(
        text(d, "url"),
        text(d, "adminUser"),
        text(d, "adminPasswordSecret"),
        stringList(d, "roles"),
        template == null ? null : new UsernameTemplate(template),
        Durations.parse("spec.database.maxTtl", text(d, "maxTtl")),
        maxLeases,
        text(d, "markerRole"),
        stringList(d, "acl"));
  }

  /** Renders a database target: {@code databaseTarget(databaseSpec(t))} equals t. */
  public static ObjectNode databaseSpec(DatabaseTarget t) {
    ObjectNode d = F.objectNode();
    d.put("url", t.url());
    d.put("adminUser", t.adminUser());
    d.put("adminPasswordSecret", t.adminPasswordSecret());
    strings(d, "roles", t.roles());
    d.put("usernameTemplate", t.usernameTemplate().text());
    d.put("maxTtl", Durations.format(t.maxTtl()));
    d.put("maxLeasesPerWorkload", t.maxLeasesPerWorkload());
    if (t.markerRole() != null) {
      d.put("markerRole", t.markerRole());
    }
    if (!t.acl().isEmpty()) {
      strings(d, "acl", t.acl());
    }
    return d;
  }

  private static AccessPolicy policy(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "description",
        "workloads",
        "resources",
        "effect",
        "condition",
        "credentialKind",
        "maxTtl",
        "scopes",
        "mayAct");
    JsonNode w = s.get("workloads");
    if (w == null || !w.isObject()) {
      throw new ValidationException(
          "spec.workloads", "is required: {spiffeIds: [...]} and/or {selectors: [...]}");
    }
    allowOnly(w, "spec.workloads", "spiffeIds", "selectors");
    WorkloadMatcher m = new WorkloadMatcher(stringList(w, "spiffeIds"), selectors(w, "selectors"));
    String eff = text(s, "effect");
    Effect effect = null;
    if (eff != null) {
      try {
        effect = Effect.valueOf(eff.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.effect", "'" + eff + "' is not allowed; use allow or deny");
      }
    }
    String ck = text(s, "credentialKind");
    CredentialKind kind = null;
    if (ck != null) {
      try {
        kind = CredentialKind.valueOf(ck.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.credentialKind",
            "'"
                + ck
                + "' is not allowed; use access_token, jwt_svid, x509_svid, database_user, brokered_secret or upstream_token");
      }
    }
    return new AccessPolicy(
        name,
        text(s, "description"),
        m,
        stringList(s, "resources"),
        effect,
        text(s, "condition"),
        kind,
        Durations.parse("spec.maxTtl", text(s, "maxTtl")),
        stringList(s, "scopes"),
        text(s, "mayAct"));
  }

  private static void allowOnly(JsonNode n, String where, String... fields) {
    Set<String> allowed = Set.of(fields);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new ValidationException(
            where.isEmpty() ? f : where + "." + f,
            "unknown field; allowed here: " + new TreeSet<>(allowed));
      }
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new ValidationException(field, "must be a single value");
    }
    return v.asText();
  }

  private static List<String> stringList(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (!v.isArray()) {
      throw new ValidationException(field, "must be a list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isValueNode() || e.isNull()) {
        throw new ValidationException(field, "must be a list of text values");
      }
      out.add(e.asText());
    }
    return out;
  }

  private static Set<Selector> selectors(JsonNode n, String field) {
    Set<Selector> out = new LinkedHashSet<>();
    for (String s : stringList(n, field)) {
      out.add(Selector.parse(s));
    }
    return out;
  }

  private static List<String> sortedSelectors(Set<Selector> sel) {
    return sel.stream().map(Selector::toString).sorted().toList();
  }

  private static void strings(ObjectNode s, String field, List<String> values) {
    ArrayNode a = s.putArray(field);
    values.forEach(a::add);
  }

  private static void putIfSet(ObjectNode s, String field, String value) {
    if (value != null) {
      s.put(field, value);
    }
  }
}
