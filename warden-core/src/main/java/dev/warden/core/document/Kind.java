package dev.warden.core.document;

import dev.warden.core.error.ValidationException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of document that {@code warden apply} and the admin API accept. */
public enum Kind {
  TRUST_PROVIDER("TrustProvider", "trustproviders"),
  WORKLOAD("Workload", "workloads"),
  RESOURCE("Resource", "resources"),
  ACCESS_POLICY("AccessPolicy", "policies"),
  /**
   * A credential-injecting proxy declared for agents ({@link
   * dev.warden.core.edge.ProxyDeclaration}).
   */
  EDGE_PROXY("EdgeProxy", "edgeproxies");

  private final String wire;
  private final String plural;

  Kind(String wire, String plural) {
    this.wire = wire;
    this.plural = plural;
  }

  public String wire() {
    return wire;
  }

  /** The collection name in the REST API, e.g. {@code /v1/policies}. */
  public String plural() {
    return plural;
  }

  /** Accepts the wire name, the plural, or common short forms, case-insensitively. */
  public static Kind parse(String s) {
    if (s != null) {
      String l = s.toLowerCase(java.util.Locale.ROOT);
      for (Kind k : values()) {
        if (k.wire.toLowerCase(java.util.Locale.ROOT).equals(l)
            || k.plural.equals(l)
            || (k.plural.endsWith("s") && k.plural.substring(0, k.plural.length() - 1).equals(l))
            || (k == ACCESS_POLICY && (l.equals("accesspolicies") || l.equals("policy")))
            || (k == TRUST_PROVIDER && (l.equals("tp") || l.equals("trustprovider")))) {
          return k;
        }
      }
    }
    throw new ValidationException(
        "kind",
        "'"
            + s
            + "' is not a kind; allowed: "
            + Arrays.stream(values()).map(Kind::wire).collect(Collectors.joining(", ")));
  }
}
