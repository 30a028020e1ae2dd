package dev.warden.core.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation of one request against a snapshot's index: the candidate policies of the resource
 * (only those that can match the workload, unless explaining), deny policies first, conditions
 * evaluated lazily, and a condition that cannot be evaluated failing closed for a deny.
 */
final class PolicyEvaluator {
  private final Map<String, ResourceIndex> policiesByResource;
  private final Map<String, String[]> workloadPrefixes;
  private final Map<String, Map<String, Object>> workloadVars;

  PolicyEvaluator(
      Map<String, ResourceIndex> policiesByResource,
      Map<String, String[]> workloadPrefixes,
      Map<String, Map<String, Object>> workloadVars) {
    this.policiesByResource = policiesByResource;
    this.workloadPrefixes = workloadPrefixes;
    this.workloadVars = workloadVars;
  }

  /**
   * The decision on {@code workload} reaching {@code resource}; with {@code explain}, also the
   * verdict of every policy naming the resource. Never throws for a condition error: that is a
   * deny.
   */
  Decision evaluate(
      Workload workload,
      Resource resource,
      RequestContext request,
      List<Explanation.Verdict> explain) {
    ResourceIndex idx = policiesByResource.get(resource.name());
    if (idx == null) {
      return Decision.deny(
          Reason.NO_MATCHING_POLICY,
          null,
          "no policy grants access to resource '" + resource.name() + "' (default deny)");
    }
    List<CompiledPolicy> candidates;
    if (explain != null) {
      candidates = idx.all();
    } else {
      String[] prefixes = workloadPrefixes.get(workload.name());
      candidates =
          idx.candidates(
              workload, prefixes != null ? prefixes : ResourceIndex.prefixesOf(workload.name()));
    }
    Map<String, Object> activation = null;
    Decision allow = null;
    Decision deny = null;
    boolean conditionFalse = false;
    boolean conditionError = false;
    String disabledHit = null;
    // deny policies are ordered first, so a matching deny is seen before any allow
    for (CompiledPolicy cp : candidates) {
      AccessPolicy p = cp.policy();
      String effect = explain == null ? null : p.effect().name().toLowerCase(Locale.ROOT);
      if (!p.workloads().matches(workload)) {
        if (explain != null) {
          explain.add(
              new Explanation.Verdict(
                  p.name(),
                  effect,
                  Explanation.Outcome.WORKLOAD_NOT_MATCHED,
                  "workload " + workload.name() + " is not among this policy's workloads"));
        }
        continue;
      }
      if (cp.disabled() != null) {
        String why =
            "policy '" + p.name() + "' is disabled (it no longer compiles: " + cp.disabled() + ")";
        if (p.effect() == Effect.DENY && deny == null && allow == null) {
          deny =
              Decision.deny(
                  Reason.POLICY_DISABLED,
                  p.name(),
                  "deny " + why + "; a disabled deny still denies");
          addVerdict(explain, p, effect, Explanation.Outcome.DECIDED, why + " (deny fails closed)");
        } else {
          disabledHit = disabledHit == null ? why : disabledHit;
          addVerdict(explain, p, effect, Explanation.Outcome.DISABLED, why);
        }
        if (explain == null && deny != null) {
          return deny;
        }
        continue;
      }
      if (cp.program() != null) {
        if (activation == null) {
          activation = activation(workload, resource, request);
        }
        Boolean result;
        String error = null;
        try {
          Object r = cp.program().eval(activation);
          result = r instanceof Boolean b ? b : null;
          if (result == null) {
            error = "condition did not return a bool";
          }
        } catch (CelEvaluationException | RuntimeException e) {
          result = null;
          error = "condition failed: " + firstLine(e.getMessage());
        }
        if (result == null) {
          conditionError = true;
          if (p.effect() == Effect.DENY && deny == null && allow == null) {
            // a deny whose condition cannot be evaluated fails closed: it denies
            deny =
                Decision.deny(
                    Reason.CONDITION_ERROR, p.name(), "deny policy '" + p.name() + "': " + error);
            addVerdict(
                explain, p, effect, Explanation.Outcome.DECIDED, error + " (deny fails closed)");
          } else {
            addVerdict(explain, p, effect, Explanation.Outcome.CONDITION_ERROR, error);
          }
          continue;
        }
        if (!result) {
          conditionFalse = true;
          addVerdict(
              explain,
              p,
              effect,
              Explanation.Outcome.CONDITION_FALSE,
              "condition is false: " + p.condition());
          continue;
        }
      }
      if (p.effect() == Effect.DENY) {
        if (deny == null && allow == null) {
          deny = Decision.deny(Reason.POLICY_DENY, p.name(), "denied by policy '" + p.name() + "'");
          addVerdict(explain, p, effect, Explanation.Outcome.DECIDED, "deny matched; deny wins");
        } else {
          addVerdict(
              explain,
              p,
              effect,
              Explanation.Outcome.MATCHED_NOT_DECIDING,
              "another deny decided first");
        }
        if (explain == null) {
          return deny;
        }
      } else if (deny == null && allow == null) {
        allow =
            new Decision(
                true,
                Reason.ALLOWED,
                p.name(),
                "allowed by policy '" + p.name() + "'",
                p.maxTtl(),
                p.credentialKind(),
                p.scopes(),
                p.mayAct());
        addVerdict(explain, p, effect, Explanation.Outcome.DECIDED, "allow matched");
      } else {
        addVerdict(
            explain,
            p,
            effect,
            Explanation.Outcome.MATCHED_NOT_DECIDING,
            deny != null
                ? "a deny policy wins over this allow"
                : "an earlier allow (by name) decided");
      }
    }
    if (deny != null) {
      return deny;
    }
    if (allow != null) {
      return allow;
    }
    if (disabledHit != null) {
      return Decision.deny(
          Reason.POLICY_DISABLED, null, disabledHit + "; fix it and apply it again");
    }
    if (conditionError) {
      return Decision.deny(
          Reason.CONDITION_ERROR, null, "a policy condition failed at evaluation; denied");
    }
    if (conditionFalse) {
      return Decision.deny(
          Reason.CONDITION_FALSE, null, "the conditions of the matching policies are not met");
    }
    return Decision.deny(
        Reason.NO_MATCHING_POLICY,
        null,
        "no policy grants "
            + workload.name()
            + " access to resource '"
            + resource.name()
            + "' (default deny)");
  }

  private static void addVerdict(
      List<Explanation.Verdict> explain,
      AccessPolicy p,
      String effect,
      Explanation.Outcome o,
      String detail) {
    if (explain != null) {
      explain.add(new Explanation.Verdict(p.name(), effect, o, detail));
    }
  }

  private Map<String, Object> activation(Workload w, Resource r, RequestContext req) {
    Map<String, Object> wv = workloadVars.get(w.name());
    if (wv == null) {
      wv = CelActivation.workloadVar(w);
    }
    return CelActivation.of(wv, w, r, req);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
