package dev.warden.server.admin;

import dev.warden.core.error.ValidationException;
import java.util.Set;

/** What an admin token may do. {@code admin} implies every other scope. */
public final class Scopes {
  public static final String ADMIN = "admin";

  /** read configuration objects, decisions explained, keys */
  public static final String READ = "read";

  /** create, change and delete trust providers, workloads, resources, policies */
  public static final String POLICY_WRITE = "policy:write";

  public static final String AUDIT_READ = "audit:read";
  public static final String KEYS_MANAGE = "keys:manage";
  public static final String TOKENS_MANAGE = "tokens:manage";

  /** report leaked credentials found by the scanner */
  public static final String SCAN_REPORT = "scan:report";

  /** resource servers: check whether a Warden token is still active (RFC 7662) */
  public static final String INTROSPECT = "introspect";

  /** create agent join tokens and list agents */
  public static final String AGENTS_MANAGE = "agents:manage";

  public static final Set<String> ALL =
      Set.of(
          ADMIN,
          READ,
          POLICY_WRITE,
          AUDIT_READ,
          KEYS_MANAGE,
          TOKENS_MANAGE,
          SCAN_REPORT,
          INTROSPECT,
          AGENTS_MANAGE);

  private Scopes() {}

  /**
   * @throws ValidationException naming the unknown scope and listing the known ones
   */
  public static Set<String> check(Set<String> scopes) {
    if (scopes == null || scopes.isEmpty()) {
      throw new ValidationException("scopes", "at least one scope is required; known: " + ALL);
    }
    for (String s : scopes) {
      if (!ALL.contains(s)) {
        throw new ValidationException("scopes", "'" + s + "' is not a scope; known: " + ALL);
      }
    }
    return Set.copyOf(scopes);
  }
}
