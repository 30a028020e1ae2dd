package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;

/**
 * Something a workload reaches: an HTTP API, a database, a cache. Requests name it by its
 * {@code audience} (RFC 8707 {@code resource} or the {@code audience} parameter) or by name.
 *
 * @param database for kind {@code postgres}: where and how its users are created; null when Warden
 *     issues no database users for it (a resource of any other kind never has one)
 * @param secret for kind {@code secret}: the name of the brokered secret a workload reads through
 *     it ({@code spec.secret.name}); null for every other kind
 */
public record Resource(String name, String audience, String kind, Sensitivity sensitivity, String description,
    DatabaseTarget database, String secret) implements Named {

  /** The resource kind whose credentials are dynamic PostgreSQL users. */
  public static final String POSTGRES = "postgres";

  /** The resource kind whose credential is a brokered static secret (an API key, a password). */
  public static final String SECRET = "secret";

  public Resource {
    Names.check("name", name);
    Names.required("audience", audience);
    if (audience.length() > 2048) {
      throw new ValidationException("audience", "must be at most 2048 characters");
    }
    try {
      URI u = new URI(audience);
      if (u.getScheme() == null) {
        throw new ValidationException("audience", "'" + audience + "' must be an absolute URI (e.g. https://api.example.com)");
      }
      if (u.getFragment() != null) {
        throw new ValidationException("audience", "must not contain a fragment (RFC 8707)");
      }
    } catch (java.net.URISyntaxException e) {
      throw new ValidationException("audience", "'" + audience + "' is not a valid URI: " + e.getReason());
    }
    kind = kind == null || kind.isBlank() ? "http" : kind;
    sensitivity = sensitivity == null ? Sensitivity.MEDIUM : sensitivity;
    if (!POSTGRES.equals(kind) && database != null) {
      throw new ValidationException("spec.database", "is only allowed for a resource of kind postgres");
    }
    if (SECRET.equals(kind) && secret == null) {
      throw new ValidationException("spec.secret", "is required for a resource of kind secret: {name: <brokered"
          + " secret>}");
    }
    if (secret != null) {
      if (!SECRET.equals(kind)) {
        throw new ValidationException("spec.secret", "is only allowed for a resource of kind secret");
      }
      Names.check("spec.secret.name", secret);
    }
  }

  /** A resource without a brokered secret. */
  public Resource(String name, String audience, String kind, Sensitivity sensitivity, String description,
      DatabaseTarget database) {
    this(name, audience, kind, sensitivity, description, database, null);
  }

  /** A resource without a database target. */
  public Resource(String name, String audience, String kind, Sensitivity sensitivity, String description) {
    this(name, audience, kind, sensitivity, description, null, null);
  }
}
