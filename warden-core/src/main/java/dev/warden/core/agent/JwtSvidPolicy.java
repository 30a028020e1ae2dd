package dev.warden.core.agent;

import dev.warden.core.error.Reason;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Decides a JWT-SVID request like any other grant: each audience names a resource (by its audience,
 * else by its name), and the policy engine must allow the workload to reach every one of them. A
 * JWT-SVID is a bearer token for its audience, so minting one for a resource that policy denies
 * would hand out access that policy refuses.
 */
final class JwtSvidPolicy {

  /**
   * The outcome of one request.
   *
   * @param resources names of the resources allowed, in audience order; on a refusal only the
   *     resource refused (none when the audience names no resource)
   * @param policies the policies that allowed, one per resource (empty on a refusal)
   * @param ttl for an allow: the longest lifetime every deciding policy grants, capped by {@code
   *     svid.jwtTtl}
   */
  record Verdict(
      boolean allowed,
      Reason reason,
      String message,
      List<String> resources,
      List<String> policies,
      Duration ttl) {}

  private JwtSvidPolicy() {}

  static Verdict decide(
      PolicySnapshot snap, Workload workload, List<String> audience, Duration maxTtl, Instant now) {
    List<String> resources = new ArrayList<>();
    List<String> policies = new ArrayList<>();
    Workload w = snap.workload(workload.name());
    if (w == null) {
      return deny(
          Reason.UNKNOWN_WORKLOAD,
          "workload " + workload.name() + " is not in the policy snapshot yet; retry",
          null);
    }
    Duration ttl = maxTtl;
    RequestContext ctx = RequestContext.at(now);
    for (String a : new LinkedHashSet<>(audience)) {
      Resource r = snap.resourceByAudience(a);
      if (r == null) {
        r = snap.resource(a);
      }
      if (r == null) {
        return deny(
            Reason.UNKNOWN_RESOURCE,
            "no resource is registered for audience '"
                + shorten(a)
                + "'; a JWT-SVID is issued only for the audience of a Resource that a policy lets the workload reach",
            null);
      }
      resources.add(r.name());
      Decision d = snap.decide(w, r, ctx);
      if (!d.allowed()) {
        return deny(d.reason(), d.message(), r.name());
      }
      if (d.credentialKind() == CredentialKind.X509_SVID) {
        return deny(
            Reason.CREDENTIAL_KIND_UNSUPPORTED,
            "policy '"
                + d.policy()
                + "' grants an X.509-SVID for resource '"
                + r.name()
                + "', not a token; grant credentialKind: jwt_svid for a JWT-SVID",
            r.name());
      }
      policies.add(d.policy());
      if (d.maxTtl().compareTo(ttl) < 0) {
        ttl = d.maxTtl();
      }
    }
    return new Verdict(
        true, Reason.ALLOWED, "allowed", List.copyOf(resources), List.copyOf(policies), ttl);
  }

  private static Verdict deny(Reason reason, String message, String resource) {
    return new Verdict(
        false, reason, message, resource == null ? List.of() : List.of(resource), List.of(), null);
  }

  private static String shorten(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
