package dev.warden.core.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a condition may look at besides the workload and the resource.
 *
 * @param claims the verified claims of the evidence (never unverified input)
 * @param delegationChain SPIFFE IDs of the actors a request was delegated through, outermost first
 * @param delegation the subject and actors of a delegated request (RFC 8693 token exchange with an
 *     actor), or null when the workload asks for itself
 * @param mcp the MCP message of a request through the MCP gateway; {@link McpRequest#NONE}
 *     elsewhere
 */
public record RequestContext(
    Instant time,
    String sourceAddress,
    Map<String, Object> claims,
    List<String> scopes,
    List<String> delegationChain,
    Delegation delegation,
    McpRequest mcp) {
  public RequestContext {
    mcp = mcp == null ? McpRequest.NONE : mcp;
    sourceAddress = sourceAddress == null ? "" : sourceAddress;
    claims = claims == null ? Map.of() : claims;
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    if (delegation != null) {
      delegationChain = delegation.actors().stream().map(Delegation.Party::id).toList();
    }
    delegationChain = delegationChain == null ? List.of() : List.copyOf(delegationChain);
  }

  public RequestContext(
      Instant time,
      String sourceAddress,
      Map<String, Object> claims,
      List<String> scopes,
      List<String> delegationChain) {
    this(time, sourceAddress, claims, scopes, delegationChain, null, null);
  }

  public RequestContext(
      Instant time,
      String sourceAddress,
      Map<String, Object> claims,
      List<String> scopes,
      List<String> delegationChain,
      Delegation delegation) {
    this(time, sourceAddress, claims, scopes, delegationChain, delegation, null);
  }

  /** The same request, delegated. */
  public RequestContext delegated(Delegation d) {
    return new RequestContext(time, sourceAddress, claims, scopes, null, d, mcp);
  }

  /** The same request, as an MCP message through the gateway. */
  public RequestContext withMcp(McpRequest m) {
    return new RequestContext(
        time,
        sourceAddress,
        claims,
        scopes,
        delegation == null ? delegationChain : null,
        delegation,
        m);
  }

  public static RequestContext at(Instant time) {
    return new RequestContext(time, "", Map.of(), List.of(), List.of());
  }
}
