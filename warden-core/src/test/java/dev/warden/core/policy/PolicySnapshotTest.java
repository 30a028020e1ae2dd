package dev.warden.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicySnapshotTest {
  static final Instant NOON = Instant.parse("2026-03-02T12:00:00Z");
  static final Resource API =
      new Resource("api", "https://api.acme.test", "http", Sensitivity.HIGH, null);

  static Workload workload(String id, String... selectors) {
    Set<Selector> s = new java.util.HashSet<>();
    for (String sel : selectors) {
      s.add(Selector.parse(sel));
    }
    return new Workload(
        SpiffeId.parse(id), s, "owner@acme.test", "payments", "prod", null, null, null);
  }

  static AccessPolicy policy(String name, List<String> ids, Effect effect, String condition) {
    return new AccessPolicy(
        name,
        null,
        new WorkloadMatcher(ids, null),
        List.of("api"),
        effect,
        condition,
        null,
        Duration.ofMinutes(5),
        List.of("read"));
  }

  @Test
  void defaultDenyWhenNoPolicyNamesTheResource() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s = PolicySnapshot.build(List.of(w), List.of(API), List.of(), null);
    Decision d = s.decide(w, API, RequestContext.at(NOON));
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.NO_MATCHING_POLICY);
  }

  @Test
  void denyWinsOverAllowWhateverTheirNames() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(w),
            List.of(API),
            List.of(
                policy("aaa-allow", List.of("spiffe://acme.test/a"), Effect.ALLOW, null),
                policy("zzz-deny", List.of("spiffe://acme.test/*"), Effect.DENY, null)),
            null);
    Decision d = s.decide(w, API, RequestContext.at(NOON));
    assertThat(d.reason()).isEqualTo(Reason.POLICY_DENY);
    assertThat(d.policy()).isEqualTo("zzz-deny");
  }

  @Test
  void prefixPatternMatchesOnlyWholePathSegments() {
    Workload inside = workload("spiffe://acme.test/ns/payments/sa/x", "k8s:ns=payments");
    Workload lookalike = workload("spiffe://acme.test/ns/paymentsevil/sa/x", "k8s:ns=paymentsevil");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(inside, lookalike),
            List.of(API),
            List.of(policy("p", List.of("spiffe://acme.test/ns/payments/*"), Effect.ALLOW, null)),
            null);
    assertThat(s.decide(inside, API, RequestContext.at(NOON)).allowed()).isTrue();
    assertThat(s.decide(lookalike, API, RequestContext.at(NOON)).allowed()).isFalse();
  }

  @Test
  void selectorPolicyNeedsEverySelector() {
    Workload both = workload("spiffe://acme.test/a", "k8s:ns=a", "k8s:sa=web");
    Workload one = workload("spiffe://acme.test/b", "k8s:ns=a");
    AccessPolicy p =
        new AccessPolicy(
            "sel",
            null,
            new WorkloadMatcher(
                null, Set.of(Selector.parse("k8s:ns=a"), Selector.parse("k8s:sa=web"))),
            List.of("api"),
            Effect.ALLOW,
            null,
            null,
            null,
            null);
    PolicySnapshot s = PolicySnapshot.build(List.of(both, one), List.of(API), List.of(p), null);
    assertThat(s.decide(both, API, RequestContext.at(NOON)).allowed()).isTrue();
    assertThat(s.decide(one, API, RequestContext.at(NOON)).allowed()).isFalse();
  }

  @Test
  void conditionSeesRequestTimeAndAddress() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(w),
            List.of(API),
            List.of(
                policy(
                    "office-hours",
                    List.of("spiffe://acme.test/a"),
                    Effect.ALLOW,
                    "request.time.getHours() >= 9 && request.time.getHours() < 17 && request.sourceAddress.startsWith(\"10.\")")),
            null);
    RequestContext ok = new RequestContext(NOON, "10.0.0.7", Map.of(), List.of(), List.of());
    RequestContext night =
        new RequestContext(
            Instant.parse("2026-03-02T23:00:00Z"), "10.0.0.7", Map.of(), List.of(), List.of());
    assertThat(s.decide(w, API, ok).allowed()).isTrue();
    Decision d = s.decide(w, API, night);
    assertThat(d.reason()).isEqualTo(Reason.CONDITION_FALSE);
  }

  @Test
  void conditionRuntimeErrorDeniesAndNeverThrows() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(w),
            List.of(API),
            List.of(
                policy(
                    "missing-key",
                    List.of("spiffe://acme.test/a"),
                    Effect.ALLOW,
                    "request.claims.nope == 'x'")),
            null);
    Decision d = s.decide(w, API, RequestContext.at(NOON));
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.CONDITION_ERROR);
  }

  @Test
  void denyPolicyWhoseConditionFailsStillDenies() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(w),
            List.of(API),
            List.of(
                policy("allow", List.of("spiffe://acme.test/a"), Effect.ALLOW, null),
                policy(
                    "deny-broken",
                    List.of("spiffe://acme.test/a"),
                    Effect.DENY,
                    "request.claims.nope == 'x'")),
            null);
    Decision d = s.decide(w, API, RequestContext.at(NOON));
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.CONDITION_ERROR);
  }

  @Test
  void invalidConditionIsRejectedWhenBuilt() {
    assertThatThrownBy(() -> Conditions.check("request.time >"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("condition");
    assertThatThrownBy(() -> Conditions.check("'not a bool'"))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void identifyNeedsExactlyOneWorkload() {
    Workload a = workload("spiffe://acme.test/a", "github:repository=acme/api");
    Workload b =
        workload(
            "spiffe://acme.test/b", "github:repository=acme/api", "github:ref=refs/heads/main");
    PolicySnapshot s = PolicySnapshot.build(List.of(a, b), List.of(API), List.of(), null);
    assertThat(
            s.identify(
                Set.of(
                    Selector.parse("github:repository=acme/api"),
                    Selector.parse("github:ref=refs/heads/dev"))))
        .isEqualTo(a);
    assertThatThrownBy(
            () ->
                s.identify(
                    Set.of(
                        Selector.parse("github:repository=acme/api"),
                        Selector.parse("github:ref=refs/heads/main"))))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AMBIGUOUS_WORKLOAD));
    assertThatThrownBy(() -> s.identify(Set.of(Selector.parse("github:repository=acme/other"))))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_WORKLOAD));
  }

  @Test
  void explainSaysWhyEachPolicyDidNotApply() {
    Workload w = workload("spiffe://acme.test/a", "k8s:ns=a");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(w),
            List.of(API),
            List.of(
                policy("other-workload", List.of("spiffe://acme.test/b"), Effect.ALLOW, null),
                policy("false-condition", List.of("spiffe://acme.test/a"), Effect.ALLOW, "false"),
                policy("allow", List.of("spiffe://acme.test/a"), Effect.ALLOW, null)),
            null);
    Explanation x = s.explain(w, API, RequestContext.at(NOON));
    assertThat(x.decision().allowed()).isTrue();
    assertThat(x.policies())
        .extracting(Explanation.Verdict::policy, Explanation.Verdict::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("allow", Explanation.Outcome.DECIDED),
            org.assertj.core.groups.Tuple.tuple(
                "false-condition", Explanation.Outcome.CONDITION_FALSE),
            org.assertj.core.groups.Tuple.tuple(
                "other-workload", Explanation.Outcome.WORKLOAD_NOT_MATCHED));
  }

  @Test
  void tenThousandPoliciesStillFindTheOneThatApplies() {
    List<Workload> ws = new ArrayList<>();
    List<AccessPolicy> ps = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ws.add(workload("spiffe://acme.test/w" + i, "k8s:pod-uid=" + i));
      ps.add(policy("p" + i, List.of("spiffe://acme.test/w" + i), Effect.ALLOW, null));
    }
    PolicySnapshot s = PolicySnapshot.build(ws, List.of(API), ps, null);
    Workload w = ws.get(4242);
    assertThat(s.decide(w, API, RequestContext.at(NOON)).policy()).isEqualTo("p4242");
    assertThat(s.identify(Set.of(Selector.parse("k8s:pod-uid=4242")))).isEqualTo(w);
  }
}
