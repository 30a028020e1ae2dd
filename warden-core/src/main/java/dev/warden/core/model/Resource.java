package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;

/**
 * Something a workload reaches: an HTTP API, a database, a cache. Requests name it by its
 * {@code audience} (RFC 8707 {@code resource} or the {@code audience} parameter) or by name.
 */
public record Resource(String name, String audience, String kind, Sensitivity sensitivity, String description)
    implements Named {

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
  }
}
