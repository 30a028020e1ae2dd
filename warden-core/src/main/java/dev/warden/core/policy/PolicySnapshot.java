package dev.warden.core.policy;

import dev.cel.runtime.CelRuntime;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Workload;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, indexed view of workloads, resources and policies: the policy engine. Built once
 * per configuration change and swapped whole; evaluation only reads.
 *
 * <p>Design note: cost must not grow with the number of policies. Policies are indexed by resource,
 * then by exact SPIFFE ID, by SPIFFE ID path prefix (looked up by walking the workload's own path,
 * so cost grows with path depth), and by one of their selectors (looked up with each of the
 * workload's selectors). Workloads are indexed by their rarest selector, so identifying a caller
 * touches only workloads that share its least common fact.
 *
 * <p>This class builds and holds the index; {@link PolicyEvaluator} decides against it and {@link
 * CelActivation} makes what conditions see.
 */
public final class PolicySnapshot {
  private static final PolicySnapshot EMPTY =
      new PolicySnapshot(
          Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  private final Map<String, Resource> resourcesByName;
  private final Map<String, Resource> resourcesByAudience;
  private final Map<Selector, List<Workload>> workloadsByRarestSelector;
  private final Map<String, Workload> workloadsById;
  private final Map<String, Map<String, Object>> workloadVars;
  private final Map<String, CelRuntime.Program> programs;
  private final Map<String, String> disabledPolicies;
  private final PolicyEvaluator evaluator;

  private PolicySnapshot(
      Map<String, Resource> resourcesByName,
      Map<String, Resource> resourcesByAudience,
      Map<String, ResourceIndex> policiesByResource,
      Map<Selector, List<Workload>> workloadsByRarestSelector,
      Map<String, Workload> workloadsById,
      Map<String, Map<String, Object>> workloadVars,
      Map<String, String[]> workloadPrefixes,
      Map<String, CelRuntime.Program> programs,
      Map<String, String> disabledPolicies) {
    this.resourcesByName = resourcesByName;
    this.resourcesByAudience = resourcesByAudience;
    this.workloadsByRarestSelector = workloadsByRarestSelector;
    this.workloadsById = workloadsById;
    this.workloadVars = workloadVars;
    this.programs = programs;
    this.disabledPolicies = disabledPolicies;
    this.evaluator = new PolicyEvaluator(policiesByResource, workloadPrefixes, workloadVars);
  }

  public static PolicySnapshot empty() {
    return EMPTY;
  }

  /**
   * Builds a snapshot. Conditions already compiled in {@code previous} are reused by text, so a
   * change to one policy does not recompile ten thousand. Never fails for one bad policy: a policy
   * whose condition does not compile (say, stored before a stricter checker) is disabled — it
   * grants nothing, a deny still denies — and listed by {@link #disabledPolicies()}.
   */
  public static PolicySnapshot build(
      Collection<Workload> workloads,
      Collection<Resource> resources,
      Collection<AccessPolicy> policies,
      PolicySnapshot previous) {
    Map<String, Resource> byName = new HashMap<>();
    Map<String, Resource> byAudience = new HashMap<>();
    for (Resource r : resources) {
      byName.put(r.name(), r);
      byAudience.putIfAbsent(r.audience(), r);
    }
    Map<String, CelRuntime.Program> programs = new HashMap<>();
    Map<String, ResourceIndex.Builder> builders = new HashMap<>();
    List<AccessPolicy> sorted = new ArrayList<>(policies);
    // deny first, then by name: the evaluation order, fixed once as an int rank
    sorted.sort(
        Comparator.comparing((AccessPolicy p) -> p.effect() == Effect.DENY ? 0 : 1)
            .thenComparing(AccessPolicy::name));
    Map<String, String> disabled = new java.util.TreeMap<>();
    int rank = 0;
    for (AccessPolicy p : sorted) {
      CelRuntime.Program program = null;
      String broken = null;
      if (p.condition() != null) {
        program = previous == null ? null : previous.programs.get(p.condition());
        if (program == null) {
          program = programs.get(p.condition());
        }
        if (program == null) {
          try {
            program = Conditions.compile(p.condition());
          } catch (dev.warden.core.error.ValidationException e) {
            broken = e.getMessage();
          }
        }
        if (program != null) {
          programs.put(p.condition(), program);
        }
      }
      if (broken != null) {
        disabled.put(p.name(), broken);
      }
      CompiledPolicy cp = new CompiledPolicy(p, program, rank++, broken);
      for (String r : p.resources()) {
        builders.computeIfAbsent(r, k -> new ResourceIndex.Builder()).add(cp);
      }
    }
    Map<String, ResourceIndex> index = new HashMap<>();
    builders.forEach((k, b) -> index.put(k, b.build()));

    Map<Selector, Integer> frequency = new HashMap<>();
    for (Workload w : workloads) {
      for (Selector s : w.selectors()) {
        frequency.merge(s, 1, Integer::sum);
      }
    }
    Map<Selector, List<Workload>> byRarest = new HashMap<>();
    Map<String, Workload> byId = new HashMap<>();
    Map<String, Map<String, Object>> vars = new HashMap<>();
    Map<String, String[]> prefixes = new HashMap<>();
    for (Workload w : workloads) {
      Selector rarest = null;
      for (Selector s : w.selectors()) {
        if (rarest == null
            || frequency.get(s) < frequency.get(rarest)
            || (frequency.get(s).equals(frequency.get(rarest))
                && s.toString().compareTo(rarest.toString()) < 0)) {
          rarest = s;
        }
      }
      byRarest.computeIfAbsent(rarest, k -> new ArrayList<>(1)).add(w);
      byId.put(w.name(), w);
      vars.put(w.name(), CelActivation.workloadVar(w));
      prefixes.put(w.name(), ResourceIndex.prefixesOf(w.name()));
    }
    // HashMaps (see ResourceIndex.freeze): lookups compare hashes before long keys
    return new PolicySnapshot(
        frozen(byName),
        frozen(byAudience),
        frozen(index),
        frozen(byRarest),
        frozen(byId),
        frozen(vars),
        frozen(prefixes),
        frozen(programs),
        java.util.Collections.unmodifiableMap(disabled));
  }

  /**
   * Policies that no longer compile, by name, with the reason: they grant nothing; denies still
   * deny.
   */
  public Map<String, String> disabledPolicies() {
    return disabledPolicies;
  }

  private static <K, V> Map<K, V> frozen(Map<K, V> m) {
    return java.util.Collections.unmodifiableMap(new HashMap<>(m));
  }

  /** The resource with this audience, or null. */
  public Resource resourceByAudience(String audience) {
    return resourcesByAudience.get(audience);
  }

  /** The resource with this name, or null. */
  public Resource resource(String name) {
    return resourcesByName.get(name);
  }

  /** The workload with this SPIFFE ID, or null. */
  public Workload workload(String spiffeId) {
    return workloadsById.get(spiffeId);
  }

  /** Up to {@code limit} workload SPIFFE IDs, sorted: for pick lists, without a store read. */
  public List<String> workloadIds(int limit) {
    return workloadsById.keySet().stream().sorted().limit(limit).toList();
  }

  /** Up to {@code limit} resource names, sorted. */
  public List<String> resourceNames(int limit) {
    return resourcesByName.keySet().stream().sorted().limit(limit).toList();
  }

  public int workloadCount() {
    return workloadsById.size();
  }

  /**
   * Finds the one workload whose selectors are all among {@code attested}.
   *
   * @throws DeniedException {@code unknown_workload} when none matches, {@code ambiguous_workload}
   *     when more than one does
   */
  public Workload identify(Set<Selector> attested) {
    Workload found = null;
    int count = 0;
    for (Selector s : attested) {
      List<Workload> candidates = workloadsByRarestSelector.get(s);
      if (candidates == null) {
        continue;
      }
      for (Workload w : candidates) {
        if (w.matches(attested)) {
          found = w;
          count++;
        }
      }
    }
    if (count == 0) {
      throw new DeniedException(
          Reason.UNKNOWN_WORKLOAD,
          "no registered workload matches the attested identity; register one whose selectors are among: "
              + describe(attested));
    }
    if (count > 1) {
      throw new DeniedException(
          Reason.AMBIGUOUS_WORKLOAD,
          count
              + " registered workloads match the attested identity; make their selectors distinct");
    }
    return found;
  }

  private static String describe(Set<Selector> attested) {
    List<String> s = new ArrayList<>();
    for (Selector sel : attested) {
      s.add(sel.toString());
    }
    s.sort(null);
    return String.join(", ", s.size() > 12 ? s.subList(0, 12) : s) + (s.size() > 12 ? ", ..." : "");
  }

  /**
   * Decides whether {@code workload} may reach {@code resource}. Never throws for a condition
   * error: that is a deny.
   */
  public Decision decide(Workload workload, Resource resource, RequestContext request) {
    return evaluator.evaluate(workload, resource, request, null);
  }

  /**
   * Like {@link #decide} but also says, for every policy naming the resource, why it did or did not
   * apply.
   */
  public Explanation explain(Workload workload, Resource resource, RequestContext request) {
    List<Explanation.Verdict> verdicts = new ArrayList<>();
    Decision d = evaluator.evaluate(workload, resource, request, verdicts);
    return new Explanation(d, List.copyOf(verdicts));
  }

  /**
   * A party of a delegation chain as this snapshot knows it: a registered workload with its
   * selectors, or an unregistered subject (a user, a client, a workload deleted since).
   */
  public Delegation.Party party(String id) {
    Workload w = workloadsById.get(id);
    if (w == null) {
      return new Delegation.Party(id, List.of(), false);
    }
    Map<String, Object> wv = workloadVars.get(w.name());
    @SuppressWarnings("unchecked")
    List<String> selectors =
        (List<String>) (wv == null ? CelActivation.workloadVar(w) : wv).get("selectors");
    return new Delegation.Party(id, selectors, true);
  }
}
