package dev.warden.core.document;

import static dev.warden.core.document.Fields.F;
import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.edge.ProxyDeclaration;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Named;
import dev.warden.core.model.OAuthClient;
import dev.warden.core.model.Resource;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.model.Workload;

/**
 * The one document form of configuration objects, shared by {@code warden apply} YAML, the admin
 * REST API and the store: {@code {apiVersion, kind, metadata: {name}, spec: {...}}}. Parsing is
 * strict: an unknown field is an error naming it, so a typo never silently weakens a policy.
 *
 * <p>This class is the envelope and the dispatch by kind; each kind's spec is parsed and rendered
 * by its own class beside it ({@link WorkloadDocument}, {@link ResourceDocument}, ...), with the
 * shared field readers in {@link Fields}.
 */
public final class Documents {
  public static final String API_VERSION = "warden.dev/v1";

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
      case TRUST_PROVIDER -> TrustProviderDocument.parse(name, spec);
      case WORKLOAD -> WorkloadDocument.parse(name, spec);
      case RESOURCE -> ResourceDocument.parse(name, spec);
      case ACCESS_POLICY -> AccessPolicyDocument.parse(name, spec);
      case EDGE_PROXY -> EdgeProxyDocument.parse(name, spec);
    };
  }

  /** Renders the spec of an object: parse(toDocument(o)) equals o. */
  public static ObjectNode toSpec(Named o) {
    ObjectNode s = F.objectNode();
    switch (o) {
      case TrustProviderSpec t -> TrustProviderDocument.render(s, t);
      case Workload w -> WorkloadDocument.render(s, w);
      case Resource r -> ResourceDocument.render(s, r);
      case AccessPolicy p -> AccessPolicyDocument.render(s, p);
      case ProxyDeclaration d -> EdgeProxyDocument.render(s, d);
      default -> throw new IllegalArgumentException("not a document type: " + o.getClass());
    }
    return s;
  }

  /**
   * Parses a resource's {@code spec.oauth}. It names the target secret holding the client secret or
   * private key; the secret itself is refused, so it can never reach a document, its history or a
   * diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  public static OAuthClient oauthClient(JsonNode o) {
    return OAuthClientDocument.parse(o);
  }

  /** Renders an OAuth client: {@code oauthClient(oauthSpec(c))} equals c. */
  public static ObjectNode oauthSpec(OAuthClient c) {
    return OAuthClientDocument.render(c);
  }

  /**
   * Parses a resource's {@code spec.database}. It names the admin password's secret; a password
   * itself is refused, so it can never reach a document, its history or a diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  public static DatabaseTarget databaseTarget(JsonNode d) {
    return DatabaseTargetDocument.parse(d);
  }

  /** Renders a database target: {@code databaseTarget(databaseSpec(t))} equals t. */
  public static ObjectNode databaseSpec(DatabaseTarget t) {
    return DatabaseTargetDocument.render(t);
  }
}
