package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.grant.Granted;

/**
 * The JSON body of {@code POST /v1/credentials}, per credential kind. Every answer carries {@code
 * credential_type}, {@code lease_id}, {@code expires_at}, {@code expires_in} and {@code resource};
 * the rest says how to use the credential, in the names its users expect.
 */
final class CredentialResponses {
  private CredentialResponses() {}

  static ObjectNode body(Granted g) {
    ObjectNode body = HttpJson.object();
    body.put("credential_type", g.kind().wire());
    body.put("lease_id", g.jti());
    body.put("expires_at", g.expiresAt().toString());
    body.put("expires_in", g.expiresInSeconds());
    body.put("resource", g.resource());
    switch (g.kind()) {
      case DATABASE_USER -> {
        body.put("username", g.connection().getOrDefault("username", g.jti()));
        body.put("password", g.accessToken().reveal());
        g.connection()
            .forEach(
                (k, v) -> {
                  switch (k) {
                    case "jdbcUrl" -> body.put("jdbc_url", v);
                    case "port" -> body.put("port", Integer.parseInt(v));
                    case "username", "roles" -> {}
                    default -> body.put(k, v);
                  }
                });
      }
      case BROKERED_SECRET -> {
        body.put("value", g.accessToken().reveal());
        g.connection()
            .forEach(
                (k, v) -> {
                  if (k.equals("version")) {
                    body.put("version", Long.parseLong(v));
                  } else {
                    body.put(k, v);
                  }
                });
      }
      case UPSTREAM_TOKEN -> {
        body.put("access_token", g.accessToken().reveal());
        body.put("token_type", "Bearer");
        // the rest of the details (cache hit or miss) is for the audit log, not the workload
        if (g.connection().containsKey("scope")) {
          body.put("scope", g.connection().get("scope"));
        }
      }
      case ACCESS_TOKEN, JWT_SVID, X509_SVID ->
          throw new IllegalStateException(g.kind() + " is served at the token endpoint");
    }
    return body;
  }
}
