package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A cloud that accepts Warden-signed tokens directly through OIDC federation, named by a resource's
 * {@code kind}: {@code aws} (STS {@code AssumeRoleWithWebIdentity}), {@code gcp} (Workload Identity
 * Federation) or {@code azure} (Microsoft Entra federated identity credentials). Each constant
 * holds the limits that cloud documents, so issuance, {@code warden federation check} and the
 * generated cloud configuration apply the same numbers (decision 115, docs/federation.md lists the
 * sources).
 */
public enum FederationCloud {
  /** Audience is a client ID of the IAM OIDC provider: any string up to 255 characters. */
  AWS("aws", Set.of("RS256", "ES256"), 255, Integer.MAX_VALUE, 255, 100, "sts.amazonaws.com"),
  /**
   * Audience is the provider's full resource name (its default allowed audience); the subject maps
   * to {@code google.subject}, which may not exceed 127 bytes.
   */
  GCP("gcp", Set.of("RS256", "ES256"), 2048, 127, Integer.MAX_VALUE, 0, null),
  /** Entra accepts RS256 only; issuer, subject and audience are each at most 600 characters. */
  AZURE("azure", Set.of("RS256"), 600, 600, 600, 0, "api://AzureADTokenExchange");

  /** The longest lifetime Warden gives a federation token, whatever the policy allows. */
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  /**
   * {@code
   * //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}.
   */
  public static final Pattern GCP_AUDIENCE =
      Pattern.compile(
          "(?:https:)?//iam\\.googleapis\\.com/projects/([0-9]{1,20})/locations/global/workloadIdentityPools/"
              + "([a-z0-9-]{4,32})/providers/([a-z0-9-]{4,32})");

  private final String kind;
  private final Set<String> algorithms;
  private final int maxAudience;
  private final int maxSubjectBytes;
  private final int maxIssuer;
  private final int maxJwksKeys;
  private final @Nullable String defaultAudience;

  FederationCloud(
      String kind,
      Set<String> algorithms,
      int maxAudience,
      int maxSubjectBytes,
      int maxIssuer,
      int maxJwksKeys,
      @Nullable String defaultAudience) {
    this.kind = kind;
    this.algorithms = algorithms;
    this.maxAudience = maxAudience;
    this.maxSubjectBytes = maxSubjectBytes;
    this.maxIssuer = maxIssuer;
    this.maxJwksKeys = maxJwksKeys;
    this.defaultAudience = defaultAudience;
  }

  /** The resource kind: {@code aws}, {@code gcp} or {@code azure}. */
  public String kind() {
    return kind;
  }

  /** Signing algorithms this cloud verifies (of those Warden signs with). */
  public Set<String> algorithms() {
    return algorithms;
  }

  /**
   * The longest issuer URL this cloud stores (AWS: the OIDC provider URL; Entra: the credential's
   * issuer).
   */
  public int maxIssuer() {
    return maxIssuer;
  }

  /** How many keys the cloud reads from a JWKS; 0 when it documents no limit. */
  public int maxJwksKeys() {
    return maxJwksKeys;
  }

  /**
   * The audience the cloud's documentation recommends, or null (GCP: the provider's resource name).
   */
  public @Nullable String defaultAudience() {
    return defaultAudience;
  }

  /** The cloud for a resource kind, or null for a kind that is not a federation target. */
  public static @Nullable FederationCloud ofKind(@Nullable String kind) {
    for (FederationCloud c : values()) {
      if (c.kind.equals(kind)) {
        return c;
      }
    }
    return null;
  }

  /**
   * @throws ValidationException naming {@code field} when the cloud would never accept this
   *     audience
   */
  public void checkAudience(String field, String audience) {
    if (audience == null || audience.isBlank() || !audience.strip().equals(audience)) {
      throw new ValidationException(
          field, "is required and may not have leading or trailing spaces");
    }
    if (audience.length() > maxAudience) {
      throw new ValidationException(
          field, "must be at most " + maxAudience + " characters for " + kind);
    }
    if (this == GCP && !GCP_AUDIENCE.matcher(audience).matches()) {
      throw new ValidationException(
          field,
          "'"
              + audience
              + "' is not a workload identity provider; use "
              + "//iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/"
              + "PROVIDER (the provider's default allowed audience)");
    }
  }

  /** What is wrong with {@code subject} as this cloud's {@code sub}, or null when it fits. */
  public @Nullable String subjectProblem(String subject) {
    int bytes = subject.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxSubjectBytes) {
      return "subject '"
          + subject
          + "' is "
          + bytes
          + " bytes; "
          + switch (this) {
            case GCP -> "GCP maps sub to google.subject, which may not exceed 127 bytes";
            case AZURE ->
                "an Entra federated identity credential's subject is at most 600 characters";
            case AWS -> "AWS accepts at most " + maxSubjectBytes;
          }
          + "; shorten the workload's SPIFFE ID path";
    }
    return null;
  }

  /** Project number, pool and provider of a GCP audience. */
  public record GcpProvider(String projectNumber, String pool, String provider) {}

  /**
   * @throws ValidationException when {@code audience} is not a provider resource name
   */
  public static GcpProvider gcpProvider(String audience) {
    Matcher m = GCP_AUDIENCE.matcher(audience);
    if (!m.matches()) {
      throw new ValidationException(
          "audience", "'" + audience + "' is not a workload identity provider name");
    }
    return new GcpProvider(m.group(1), m.group(2), m.group(3));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
