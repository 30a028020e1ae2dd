package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.RequestContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request a {@code decisions:explain} call evaluates. What the caller gives is used as it is;
 * every other attribute gets the value a real token request would most likely carry, and is named
 * in {@code assumed} so the answer never silently differs from the token endpoint's. A condition on
 * {@code request.sourceAddress} is the usual surprise: a real request always has one, so the
 * default is the address this explain call came from (a token request from the same machine).
 */
final class ExplainRequest {
  private final RequestContext context;
  private final Map<String, String> assumed;

  private ExplainRequest(RequestContext context, Map<String, String> assumed) {
    this.context = context;
    this.assumed = assumed;
  }

  /**
   * Reads {@code time}, {@code sourceAddress}, {@code scope} and {@code claims} from an explain
   * body.
   *
   * @throws ValidationException when {@code time} is not an RFC 3339 UTC time
   */
  @SuppressWarnings("unchecked")
  static ExplainRequest parse(
      JsonNode b,
      String callerAddress,
      Instant now,
      String workload,
      java.util.function.Function<String, dev.warden.core.policy.Delegation.Party> parties) {
    Map<String, String> assumed = new LinkedHashMap<>();
    Instant time = now;
    if (text(b, "time") == null) {
      assumed.put("time", "now");
    } else {
      try {
        time = Instant.parse(text(b, "time"));
      } catch (DateTimeParseException e) {
        throw new ValidationException(
            "time", "must be an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
      }
    }
    String source = text(b, "sourceAddress");
    if (source == null) {
      source = callerAddress;
      assumed.put("sourceAddress", "the address of the machine asking, as the server sees it");
    }
    List<String> scopes = new ArrayList<>();
    String scope = text(b, "scope");
    if (scope == null) {
      assumed.put("scopes", "a request that names no scope");
    } else {
      scopes.addAll(List.of(scope.trim().split(" +")));
    }
    Map<String, Object> claims = Map.of();
    if (b.path("claims").isObject() && !b.path("claims").isEmpty()) {
      claims = HttpJson.MAPPER.convertValue(b.get("claims"), Map.class);
    } else {
      assumed.put("claims", "a real request carries its platform token's verified claims");
    }
    RequestContext ctx = new RequestContext(time, source, claims, scopes, List.of());
    String subject = text(b, "onBehalfOf");
    String txn = text(b, "txn");
    if (subject != null) {
      // the workload is the current actor; "through" lists the actors before it, most recent first
      List<dev.warden.core.policy.Delegation.Party> chain = new ArrayList<>();
      chain.add(parties.apply(workload));
      for (JsonNode a : b.path("through")) {
        if (!a.isTextual() || a.asText().isEmpty()) {
          throw new ValidationException(
              "through", "must be a list of SPIFFE IDs or subjects, most recent first");
        }
        chain.add(parties.apply(a.asText()));
      }
      ctx =
          ctx.delegated(new dev.warden.core.policy.Delegation(parties.apply(subject), chain, txn));
    } else if (b.has("through")) {
      throw new ValidationException("through", "name the subject acted for with onBehalfOf");
    } else {
      if (txn != null) {
        ctx =
            ctx.delegated(
                new dev.warden.core.policy.Delegation(parties.apply(workload), List.of(), txn));
      }
      assumed.put("delegation", "the workload asks for itself (no subject, no actors)");
    }
    return new ExplainRequest(ctx, assumed);
  }

  RequestContext context() {
    return context;
  }

  /** {@code {"time", "sourceAddress", "scopes", "claims", "assumed": {attribute: why}}}. */
  ObjectNode render() {
    ObjectNode o = HttpJson.object();
    o.put("time", context.time().toString());
    o.put("sourceAddress", context.sourceAddress());
    context.scopes().forEach(o.putArray("scopes")::add);
    o.set("claims", HttpJson.MAPPER.valueToTree(context.claims()));
    dev.warden.core.policy.Delegation d = context.delegation();
    if (d != null) {
      ObjectNode del = o.putObject("delegation");
      del.put("subject", d.subject().id());
      var chain = del.putArray("actorChain");
      d.actors()
          .forEach(p -> chain.addObject().put("id", p.id()).put("registered", p.registered()));
      del.put("depth", d.depth());
      if (d.txn() != null) {
        del.put("txn", d.txn());
      }
    }
    ObjectNode a = o.putObject("assumed");
    assumed.forEach(a::put);
    return o;
  }

  /**
   * What the token endpoint refuses besides the policy decision, with its reason code: a workload
   * that is not active or has expired, or a requested scope the deciding policy does not grant.
   * Null when it would issue what the decision allows.
   */
  @Nullable Refusal refusal(Workload w, Decision d) {
    switch (w.state()) {
      case SUSPENDED -> {
        return new Refusal(
            Reason.WORKLOAD_SUSPENDED,
            "workload " + w.name() + " is suspended; its owner must reactivate it");
      }
      case RETIRED -> {
        return new Refusal(Reason.WORKLOAD_RETIRED, "workload " + w.name() + " is retired");
      }
      default -> {
        if (w.expiresAt() != null && !context.time().isBefore(w.expiresAt())) {
          return new Refusal(
              Reason.WORKLOAD_EXPIRED, "workload " + w.name() + " expired at " + w.expiresAt());
        }
      }
    }
    if (d.allowed()) {
      for (String s : context.scopes()) {
        if (!d.scopes().contains(s)) {
          return new Refusal(
              Reason.INVALID_SCOPE,
              "scope '"
                  + s
                  + "' is not granted for this resource (granted: "
                  + (d.scopes().isEmpty() ? "none" : String.join(" ", d.scopes()))
                  + ")");
        }
      }
    }
    return null;
  }

  /** A refusal by the token endpoint, with the reason code it would audit. */
  record Refusal(Reason reason, String message) {}

  private static @Nullable String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }
}
