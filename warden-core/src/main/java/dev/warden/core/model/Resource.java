package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;

/**
 * Something a workload reaches: an HTTP API, a database, a cache. Requests name it by its
 * {@code audience} (RFC 8707 {@code resource} or the {@code audience} parameter) or by name.
 *
 * <p>A resource of kind {@code aws}, {@code gcp} or {@code azure} is a cloud federation target: its
 * audience follows that cloud's rules ({@link FederationCloud}) and its tokens are signed with the
 * federation keys (decision 115).
 *
 * @param database for kind {@code postgres}: where and how its users are created; null when Warden
 *     issues no database users for it (a resource of any other kind never has one)
 */
public record Resource(String name, String audience, String kind, Sensitivity sensitivity, String description,
    DatabaseTarget database) implements Named {

  /** The resource kind whose credentials are dynamic PostgreSQL users. */
  public static final String POSTGRES = "postgres";

  public Resource {
    Names.check("name", name);
    Names.required("audience", audience);
    FederationCloud cloud = FederationCloud.ofKind(kind);
    if (cloud != null) {
      // a cloud matches its audience exactly, and it is often not a URI (sts.amazonaws.com)
      cloud.checkAudience("audience", audience);
    } else {
      checkUri(audience);
    }
    kind = kind == null || kind.isBlank() ? "http" : kind;
    sensitivity = sensitivity == null ? Sensitivity.MEDIUM : sensitivity;
    if (!POSTGRES.equals(kind) && database != null) {
      throw new ValidationException("spec.database", "is only allowed for a resource of kind postgres");
    }
  }

  private static void checkUri(String audience) {
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
  }

  /** The cloud this resource federates with (kind aws, gcp or azure), or null. */
  public FederationCloud cloud() {
    return FederationCloud.ofKind(kind);
  }

  /** A resource without a database target. */
  public Resource(String name, String audience, String kind, Sensitivity sensitivity, String description) {
    this(name, audience, kind, sensitivity, description, null);
  }
}
