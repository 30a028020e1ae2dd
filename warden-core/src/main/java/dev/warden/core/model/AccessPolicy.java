package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Allows or denies a set of workloads access to a set of resources, optionally under a CEL
 * condition over {@code workload}, {@code resource} and {@code request}. Deny wins; no matching
 * allow means deny.
 */
public record AccessPolicy(
    String name,
    @Nullable String description,
    WorkloadMatcher workloads,
    List<String> resources,
    Effect effect,
    @Nullable String condition,
    CredentialKind credentialKind,
    Duration maxTtl,
    List<String> scopes,
    @Nullable String mayAct)
    implements Named {

  /** Upper bound on any policy TTL: credentials are meant to live minutes, not days. */
  public static final Duration MAX_TTL_LIMIT = Duration.ofHours(24);

  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  public AccessPolicy {
    Names.check("name", name);
    if (workloads == null) {
      throw new ValidationException("workloads", "is required");
    }
    if (resources == null || resources.isEmpty()) {
      throw new ValidationException("resources", "name at least one resource");
    }
    resources = List.copyOf(resources);
    for (String r : resources) {
      Names.check("resources", r);
    }
    effect = effect == null ? Effect.ALLOW : effect;
    condition = condition == null || condition.isBlank() ? null : condition;
    credentialKind = credentialKind == null ? CredentialKind.ACCESS_TOKEN : credentialKind;
    maxTtl = maxTtl == null ? DEFAULT_TTL : maxTtl;
    if (maxTtl.isNegative() || maxTtl.isZero() || maxTtl.compareTo(MAX_TTL_LIMIT) > 0) {
      throw new ValidationException("maxTtl", "must be between 1s and 24h, got " + maxTtl);
    }
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    if (mayAct != null) {
      if (effect == Effect.DENY || credentialKind != CredentialKind.ACCESS_TOKEN) {
        throw new ValidationException(
            "mayAct", "applies only to an allow policy granting access tokens");
      }
      try {
        SpiffeId.parse(mayAct);
      } catch (ValidationException e) {
        throw new ValidationException(
            "mayAct",
            "must be the SPIFFE ID of the one workload that may act for the"
                + " token's subject (RFC 8693 may_act), got '"
                + mayAct
                + "'");
      }
    }
  }

  public AccessPolicy(
      String name,
      @Nullable String description,
      WorkloadMatcher workloads,
      List<String> resources,
      Effect effect,
      @Nullable String condition,
      CredentialKind credentialKind,
      Duration maxTtl,
      List<String> scopes) {
    this(
        name,
        description,
        workloads,
        resources,
        effect,
        condition,
        credentialKind,
        maxTtl,
        scopes,
        null);
  }
}
