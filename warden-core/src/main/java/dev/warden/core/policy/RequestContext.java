package dev.warden.core.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a condition may look at besides the workload and the resource.
 *
 * @param claims the verified claims of the evidence (never unverified input)
 * @param delegationChain SPIFFE IDs of the actors a request was delegated through, outermost first
 */
public record RequestContext(Instant time, String sourceAddress, Map<String, Object> claims, List<String> scopes,
    List<String> delegationChain) {
  public RequestContext {
    sourceAddress = sourceAddress == null ? "" : sourceAddress;
    claims = claims == null ? Map.of() : claims;
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    delegationChain = delegationChain == null ? List.of() : List.copyOf(delegationChain);
  }

  public static RequestContext at(Instant time) {
    return new RequestContext(time, "", Map.of(), List.of(), List.of());
  }
}
