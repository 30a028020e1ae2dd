package dev.warden.core.inventory;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A non-human identity or static credential that Warden did not issue but was told about: a
 * Kubernetes service account or secret, a CI secret, an environment variable, a key from a CSV.
 * Holds names and metadata only; a credential value is kept, if at all, as its HMAC {@code
 * fingerprint} (see {@link dev.warden.core.crypto.Fingerprinter}).
 *
 * <p>Identity is (source, kind, name): importing the same triple again merges into one item.
 *
 * @param source where it was found, e.g. {@code k8s:prod-cluster}, {@code github:acme/api}
 * @param kind e.g. {@code k8s-service-account}, {@code k8s-secret}, {@code ci-secret}, {@code
 *     env-var}
 * @param location a finer place inside the source: namespace, workflow file, .env path
 * @param attributes extra facts as text (never a secret value): {@code permissions}, {@code
 *     workload}
 * @throws ValidationException when source, kind or name is blank
 */
public record ImportedNhi(
    String source,
    String kind,
    String name,
    String owner,
    String team,
    String environment,
    String location,
    String fingerprint,
    Instant createdAt,
    Instant expiresAt,
    Instant lastRotatedAt,
    Instant lastUsedAt,
    Map<String, String> attributes) {

  public ImportedNhi {
    for (String[] f : new String[][] {{"source", source}, {"kind", kind}, {"name", name}}) {
      if (f[1] == null || f[1].isBlank()) {
        throw new ValidationException(f[0], "is required");
      }
      if (f[1].length() > 1024) {
        throw new ValidationException(f[0], "must be at most 1024 characters");
      }
    }
    owner = blankToNull(owner);
    team = blankToNull(team);
    environment = blankToNull(environment);
    location = blankToNull(location);
    fingerprint = blankToNull(fingerprint);
    if (fingerprint != null && !isFingerprint(fingerprint)) {
      throw new ValidationException(
          "fingerprint", "must be 64 lowercase hex characters (HMAC-SHA256), never a value");
    }
    attributes =
        attributes == null || attributes.isEmpty()
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
  }

  /** 64 lowercase hex characters; by hand, since a regex per item shows at a million items. */
  private static boolean isFingerprint(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** A stable id derived from (source, kind, name), safe in URLs and as a primary key. */
  public String id() {
    return "imp-"
        + HexFormat.of().formatHex(Hashes.sha256(source + "\0" + kind + "\0" + name), 0, 12);
  }

  public ImportedNhi withOwner(String newOwner) {
    return new ImportedNhi(
        source,
        kind,
        name,
        newOwner,
        team,
        environment,
        location,
        fingerprint,
        createdAt,
        expiresAt,
        lastRotatedAt,
        lastUsedAt,
        attributes);
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
