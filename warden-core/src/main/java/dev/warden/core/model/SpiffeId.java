package dev.warden.core.model;

import dev.warden.core.error.ValidationException;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain>/<path>}, validated by the rules of the SPIFFE-ID
 * specification: lower-case trust domain of {@code [a-z0-9._-]}, path segments of {@code
 * [a-zA-Z0-9._-]}, no empty, "." or ".." segment, no trailing slash, no query, fragment, port or
 * user info, at most 2048 bytes.
 */
public final class SpiffeId {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;

  private final String trustDomain;
  private final String path;
  // kept, not recomputed: the string form is the key of every index lookup on the hot path
  private final String text;

  /**
   * @throws ValidationException when either part breaks the SPIFFE-ID rules
   */
  public SpiffeId(String trustDomain, String path) {
    checkTrustDomain(trustDomain);
    checkPath(path);
    this.trustDomain = trustDomain;
    this.path = path;
    this.text = SCHEME + trustDomain + path;
  }

  public String trustDomain() {
    return trustDomain;
  }

  public String path() {
    return path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId s && text.equals(s.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /**
   * Parses and validates a SPIFFE ID.
   *
   * @throws ValidationException naming the rule the input breaks
   */
  public static SpiffeId parse(String id) {
    if (id == null || id.isEmpty()) {
      throw new ValidationException("spiffeId", "must not be empty");
    }
    if (id.length() > MAX_LENGTH) {
      throw new ValidationException("spiffeId", "must be at most " + MAX_LENGTH + " characters");
    }
    if (!id.startsWith(SCHEME)) {
      throw new ValidationException(
          "spiffeId", "must start with 'spiffe://' (lower case), got '" + abbreviate(id) + "'");
    }
    String rest = id.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    return new SpiffeId(td, path);
  }

  private static void checkTrustDomain(String td) {
    if (td == null || td.isEmpty()) {
      throw new ValidationException("spiffeId", "trust domain is missing");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      if (!ok) {
        throw new ValidationException(
            "spiffeId",
            "trust domain may contain only lower-case letters, digits, '.', '-' and '_' (found '"
                + c
                + "')");
      }
    }
  }

  private static void checkPath(String path) {
    if (path == null) {
      throw new ValidationException("spiffeId", "path must not be null");
    }
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new ValidationException("spiffeId", "path must start with '/'");
    }
    if (path.endsWith("/")) {
      throw new ValidationException("spiffeId", "path must not end with '/'");
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String seg = path.substring(start, end);
      if (seg.isEmpty()) {
        throw new ValidationException("spiffeId", "path must not contain empty segments ('//')");
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw new ValidationException("spiffeId", "path must not contain '.' or '..' segments");
      }
      for (int i = 0; i < seg.length(); i++) {
        char c = seg.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '-'
                || c == '_';
        if (!ok) {
          throw new ValidationException(
              "spiffeId",
              "path segments may contain only letters, digits, '.', '-' and '_' (found '"
                  + c
                  + "')");
        }
      }
      start = end + 1;
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  @Override
  public String toString() {
    return text;
  }
}
