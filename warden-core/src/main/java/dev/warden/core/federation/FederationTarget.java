package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Grants;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.FederationCloud;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a cloud must be told to trust one federation resource: Warden's issuer, the exact audience,
 * the algorithm of the federation keys, and one subject per active workload that a policy allows
 * the resource to (the subjects the cloud must match exactly). Computed from the policy set, so
 * nobody copies exact-match strings by hand; {@link CloudConfigs} turns it into each cloud's form.
 *
 * @param subjects sorted by SPIFFE ID
 */
public record FederationTarget(
    String resource,
    FederationCloud cloud,
    String issuer,
    String audience,
    String algorithm,
    List<Subject> subjects) {

  /**
   * One workload the resource is granted to.
   *
   * @param conditional the granting policy has a condition, so not every request is allowed
   * @param lifetimeSeconds the longest token it gets: the policy's maxTtl, at most one hour
   */
  public record Subject(
      String spiffeId, String policy, boolean conditional, long lifetimeSeconds) {}

  public FederationTarget {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(cloud, "cloud");
    subjects = List.copyOf(subjects);
  }

  /**
   * The target for {@code resource} under {@code policies}. Only active workloads count: suspended
   * and retired ones get no token, so the cloud need not trust them.
   *
   * @throws ValidationException when the resource is not of kind aws, gcp or azure
   */
  public static FederationTarget of(
      Resource resource,
      Collection<Workload> workloads,
      Collection<AccessPolicy> policies,
      String issuer,
      String algorithm) {
    FederationCloud cloud = resource.cloud();
    if (cloud == null) {
      throw new ValidationException(
          "resource",
          "'"
              + resource.name()
              + "' is of kind "
              + resource.kind()
              + ", not a federation target; use kind aws, gcp or azure");
    }
    Map<String, Resource> only = Map.of(resource.name(), resource);
    List<Subject> subjects = new ArrayList<>();
    for (Workload w : workloads) {
      if (w.state() != WorkloadState.ACTIVE) {
        continue;
      }
      for (Grants.Grant g : Grants.of(w, policies, only)) {
        if (!g.resource().equals(resource.name())) {
          continue;
        }
        AccessPolicy p =
            policies.stream().filter(x -> x.name().equals(g.policy())).findFirst().orElseThrow();
        if (p.credentialKind() != CredentialKind.ACCESS_TOKEN) {
          continue;
        }
        Duration ttl =
            p.maxTtl().compareTo(FederationCloud.MAX_LIFETIME) > 0
                ? FederationCloud.MAX_LIFETIME
                : p.maxTtl();
        subjects.add(new Subject(w.name(), p.name(), g.conditional(), ttl.toSeconds()));
      }
    }
    subjects.sort((a, b) -> a.spiffeId().compareTo(b.spiffeId()));
    return new FederationTarget(
        resource.name(), cloud, issuer, resource.audience(), algorithm, subjects);
  }

  /** This target as JSON, as {@code GET /v1/federation/resources/{name}} answers. */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    o.put("resource", resource);
    o.put("cloud", cloud.kind());
    o.put("issuer", issuer);
    o.put("audience", audience);
    o.put("algorithm", algorithm);
    ArrayNode a = o.putArray("subjects");
    for (Subject s : subjects) {
      a.addObject()
          .put("spiffeId", s.spiffeId())
          .put("policy", s.policy())
          .put("conditional", s.conditional())
          .put("lifetimeSeconds", s.lifetimeSeconds());
    }
    return o;
  }

  /**
   * @throws ValidationException when {@code json} is not what {@link #toJson} writes
   */
  public static FederationTarget fromJson(JsonNode json) {
    FederationCloud cloud = FederationCloud.ofKind(json.path("cloud").asText());
    if (cloud == null || !json.path("subjects").isArray()) {
      throw new ValidationException(
          "cloud", "the server's answer names no federation cloud; is it a Warden server?");
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : json.get("subjects")) {
      subjects.add(
          new Subject(
              s.path("spiffeId").asText(),
              s.path("policy").asText(),
              s.path("conditional").asBoolean(),
              s.path("lifetimeSeconds").asLong()));
    }
    return new FederationTarget(
        json.path("resource").asText(),
        cloud,
        json.path("issuer").asText(),
        json.path("audience").asText(),
        json.path("algorithm").asText(),
        subjects);
  }
}
