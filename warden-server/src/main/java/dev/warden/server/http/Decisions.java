package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Explanation;
import dev.warden.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.List;

/**
 * What the current policies decide for a workload and a resource, and why, as {@code POST
 * /v1/decisions:explain} answers it; the console's policy simulator shows the same answer.
 */
public final class Decisions {
  private Decisions() {}

  /**
   * Explains one request described by an explain body ({@code workload}, {@code resource}, and the
   * optional attributes of {@link ExplainRequest}).
   *
   * @param callerAddress the address assumed as the request's source when the body names none
   * @throws BadRequestException when the workload or the resource is not named
   * @throws NotFoundException when either is unknown
   * @throws dev.warden.core.error.ValidationException when an attribute is malformed
   */
  public static ObjectNode explain(
      PolicySnapshot snap, JsonNode b, String callerAddress, Instant now) {
    String wid = Params.text(b, "workload");
    String target = Params.text(b, "resource");
    if (wid == null || target == null) {
      throw new BadRequestException(
          "send {\"workload\": \"spiffe://...\", \"resource\": \"<name or audience>\"}");
    }
    Workload w = snap.workload(wid);
    if (w == null) {
      throw new NotFoundException("Workload", wid);
    }
    Resource r = snap.resource(target);
    if (r == null) {
      r = snap.resourceByAudience(target);
    }
    if (r == null) {
      throw new NotFoundException("Resource", target);
    }
    ExplainRequest request = ExplainRequest.parse(b, callerAddress, now, w.name(), snap::party);
    Explanation x = snap.explain(w, r, request.context());
    ObjectNode o = Render.explanation(x);
    ExplainRequest.Refusal refusal = request.refusal(w, x.decision());
    if (refusal != null) {
      // the token endpoint refuses this before or after the policy decision: say what it would say
      ObjectNode d = (ObjectNode) o.get("decision");
      d.put("allowed", false);
      d.put("reason", refusal.reason().code());
      d.put("message", refusal.message());
      d.remove(List.of("maxTtl", "credentialKind"));
    }
    o.set("request", request.render());
    o.put("workload", w.name());
    o.put("resource", r.name());
    return o;
  }
}
