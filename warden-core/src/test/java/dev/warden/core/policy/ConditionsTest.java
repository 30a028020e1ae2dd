package dev.warden.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Workload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conditions are type-checked against the declared variables when a policy is applied, not at
 * request time.
 */
class ConditionsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "request.sourceAdress == '10.0.0.1'           | request has: time, sourceAddress, claims, scopes, delegationChain",
        "workload.ownr == 'alice'                     | workload has: spiffeId, trustDomain, path, owner",
        "resource.audiance.startsWith('https://')     | resource has: name, audience, kind, sensitivity",
        "request.sourceAddress                        | must evaluate to a bool",
        "workload.selectors                           | must evaluate to a bool",
        "request.time > 5                             | invalid CEL",
        "requests.time.getHours() < 20                | invalid CEL"
      })
  void aConditionWithAnUnknownFieldOrANonBoolResultIsRefusedNamingWhatIsAllowed(
      String condition, String expected) {
    assertThatThrownBy(() -> Conditions.check(condition.strip()))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.field()).isEqualTo("spec.condition"))
        .hasMessageContaining(expected.strip());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "request.sourceAddress.startsWith(\"10.\")",
        "request.time.getHours(\"Europe/Paris\") < 20",
        "request.claims.environment == \"production\"",
        "request.claims.nested.deep == 1",
        "\"github:ref=refs/heads/main\" in workload.selectors",
        "'deploy' in request.scopes && workload.team == 'payments'",
        "size(request.delegationChain) == 0",
        "resource.sensitivity in ['high', 'critical'] && workload.environment != ''",
        "workload.spiffeId.startsWith('spiffe://' + workload.trustDomain + workload.path) || resource.kind == 'http'"
      })
  void everyDocumentedVariableTypeChecks(String condition) {
    Conditions.check(condition);
  }

  @Test
  void aStoredPolicyThatNoLongerCompilesGrantsNothingAndADisabledDenyStillDenies() {
    Workload a = PolicySnapshotTest.workload("spiffe://acme.test/a", "k8s:ns=a");
    Workload b = PolicySnapshotTest.workload("spiffe://acme.test/b", "k8s:ns=b");
    PolicySnapshot s =
        PolicySnapshot.build(
            List.of(a, b),
            List.of(PolicySnapshotTest.API),
            List.of(
                PolicySnapshotTest.policy(
                    "allow-a",
                    List.of("spiffe://acme.test/a"),
                    Effect.ALLOW,
                    "request.sourceAdress == ''"),
                PolicySnapshotTest.policy(
                    "allow-b", List.of("spiffe://acme.test/b"), Effect.ALLOW, null),
                PolicySnapshotTest.policy(
                    "deny-b", List.of("spiffe://acme.test/b"), Effect.DENY, "request.scopes")),
            null);
    assertThat(s.disabledPolicies()).containsOnlyKeys("allow-a", "deny-b");
    assertThat(s.disabledPolicies().get("allow-a")).contains("sourceAdress");

    Decision da = s.decide(a, PolicySnapshotTest.API, RequestContext.at(PolicySnapshotTest.NOON));
    assertThat(da.allowed()).isFalse();
    assertThat(da.reason()).isEqualTo(Reason.POLICY_DISABLED);
    Decision db = s.decide(b, PolicySnapshotTest.API, RequestContext.at(PolicySnapshotTest.NOON));
    assertThat(db.allowed()).isFalse();
    assertThat(db.reason()).isEqualTo(Reason.POLICY_DISABLED);
    assertThat(db.policy()).isEqualTo("deny-b");
    assertThat(
            s.explain(a, PolicySnapshotTest.API, RequestContext.at(PolicySnapshotTest.NOON))
                .policies())
        .anySatisfy(v -> assertThat(v.outcome()).isEqualTo(Explanation.Outcome.DISABLED));
    assertThat(Map.copyOf(s.disabledPolicies())).hasSize(2);
  }
}
