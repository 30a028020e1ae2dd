package dev.warden.core.inventory;

import static dev.warden.core.inventory.FactsBuilder.FP;
import static dev.warden.core.inventory.FactsBuilder.NOW;
import static dev.warden.core.inventory.FactsBuilder.daysAgo;
import static dev.warden.core.inventory.FactsBuilder.rule;
import static dev.warden.core.inventory.FactsBuilder.staticSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.WorkloadState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One positive and one negative case per posture rule, at a fixed time. */
class PostureRulesTest {
  static final String API = "spiffe://acme.test/api";

  @Test
  void expiredActiveWorkloadIsFlaggedNhi1() {
    var f =
        new FactsBuilder()
            .workload("api", "o", "prod", WorkloadState.ACTIVE, daysAgo(1), daysAgo(10))
            .workload("fresh", "o", "prod", WorkloadState.ACTIVE, NOW.plusSeconds(60), daysAgo(10))
            .findings();

    assertThat(rule(f, Posture.RETIRED_IDENTITY_ACTIVE))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.itemId()).isEqualTo("workload:" + API);
              assertThat(x.owasp()).isEqualTo("NHI1");
            });
  }

  @Test
  void liveCredentialOfRetiredWorkloadIsFlaggedButExpiredOnesAreNot() {
    var b =
        new FactsBuilder().workload("api", "o", "prod", WorkloadState.RETIRED, null, daysAgo(10));
    b.leases.add(
        new LeaseSummary(
            API, "db", 3, 1, daysAgo(2), NOW, Duration.ofMinutes(5), NOW.plusSeconds(300)));
    b.leases.add(
        new LeaseSummary(
            API, "old", 3, 0, daysAgo(2), daysAgo(1), Duration.ofMinutes(5), daysAgo(1)));

    assertThat(rule(b.findings(), Posture.CREDENTIAL_OUTLIVES_WORKLOAD))
        .singleElement()
        .satisfies(x -> assertThat(x.itemId()).isEqualTo("credential:" + API + "|db"));
  }

  @Test
  void credentialExpiringAfterItsWorkloadIsFlagged() {
    var b =
        new FactsBuilder()
            .workload("api", "o", "prod", WorkloadState.ACTIVE, NOW.plusSeconds(60), daysAgo(10));
    b.leases.add(
        new LeaseSummary(API, "db", 1, 1, NOW, NOW, Duration.ofMinutes(5), NOW.plusSeconds(300)));
    assertThat(rule(b.findings(), Posture.CREDENTIAL_OUTLIVES_WORKLOAD)).hasSize(1);

    var ok =
        new FactsBuilder()
            .workload("api", "o", "prod", WorkloadState.ACTIVE, NOW.plusSeconds(600), daysAgo(10));
    ok.leases.add(
        new LeaseSummary(API, "db", 1, 1, NOW, NOW, Duration.ofMinutes(5), NOW.plusSeconds(300)));
    assertThat(rule(ok.findings(), Posture.CREDENTIAL_OUTLIVES_WORKLOAD)).isEmpty();
  }

  @Test
  void whatADepartedOwnerStillHoldsIsFlagged() {
    var b =
        new FactsBuilder()
            .workload("api", "leaver@acme.test", "prod", WorkloadState.ACTIVE, null, daysAgo(10))
            .workload("web", "stays@acme.test", "prod", WorkloadState.ACTIVE, null, daysAgo(10));
    b.departed.put("leaver@acme.test", daysAgo(1));

    assertThat(rule(b.findings(), Posture.OWNER_DEPARTED))
        .extracting(Finding::itemId)
        .containsExactly("workload:" + API);
    var retired =
        new FactsBuilder()
            .workload("api", "leaver@acme.test", "prod", WorkloadState.RETIRED, null, daysAgo(10));
    retired.departed.put("leaver@acme.test", daysAgo(1));
    assertThat(rule(retired.findings(), Posture.OWNER_DEPARTED)).isEmpty();
  }

  @Test
  void leakedCredentialIsCriticalNhi2() {
    var b = new FactsBuilder().workload("api");
    b.leaks.add(
        new LeakRecord("jti-1", API, "db", FP, daysAgo(1), "git@github.com:acme/app.git", ".env"));
    List<Finding> f = b.findings();
    assertThat(rule(f, Posture.LEAKED))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.severity()).isEqualTo(Finding.Severity.CRITICAL);
              assertThat(x.owasp()).isEqualTo("NHI2");
              assertThat(x.evidence()).doesNotContain(FP); // only a prefix of the fingerprint
            });
    assertThat(rule(new FactsBuilder().workload("api").findings(), Posture.LEAKED)).isEmpty();
  }

  @Test
  void grantNotUsedWithinTheWindowIsOverPrivilegeNhi5() {
    var b =
        new FactsBuilder()
            .workload("api")
            .resource("db", Sensitivity.CRITICAL)
            .resource("cache", Sensitivity.LOW)
            .allow("api-all", "api", "db", "cache")
            .used("api", "cache", daysAgo(2));

    List<Finding> f = rule(b.findings(), Posture.UNUSED_GRANT);
    assertThat(f)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.evidence()).contains("db").contains("api-all").contains("never used");
              assertThat(x.severity()).isEqualTo(Finding.Severity.HIGH);
              assertThat(x.owasp()).isEqualTo("NHI5");
            });
  }

  @Test
  void newWorkloadIsNotOverPrivilegedYetAndDeniedResourcesDoNotCount() {
    var fresh =
        new FactsBuilder()
            .workload("api", "o", "prod", WorkloadState.ACTIVE, null, daysAgo(3))
            .resource("db", Sensitivity.HIGH)
            .allow("p", "api", "db");
    assertThat(rule(fresh.findings(), Posture.UNUSED_GRANT)).isEmpty();

    var denied =
        new FactsBuilder()
            .workload("api")
            .resource("db", Sensitivity.HIGH)
            .allow("p", "api", "db")
            .deny("no-db", "api", "db");
    assertThat(rule(denied.findings(), Posture.UNUSED_GRANT)).isEmpty();
  }

  @Test
  void staticSecretWithoutExpiryOldAndNotRotatedIsNhi7() {
    var b =
        new FactsBuilder()
            .imported(
                staticSecret("OLD", "alice@acme.test", "prod", null, daysAgo(400), null, null))
            .imported(
                staticSecret(
                    "NEW",
                    "alice@acme.test",
                    "prod",
                    null,
                    daysAgo(5),
                    NOW.plusSeconds(3600),
                    daysAgo(5)));
    List<Finding> f = b.findings();

    assertThat(rule(f, Posture.MISSING_EXPIRY)).extracting(Finding::subject).containsExactly("OLD");
    assertThat(rule(f, Posture.LONG_LIVED)).extracting(Finding::subject).containsExactly("OLD");
    assertThat(rule(f, Posture.ROTATION_OVERDUE))
        .extracting(Finding::subject)
        .containsExactly("OLD");
  }

  @Test
  void rotationRecentlyDoneIsNotOverdueButAgeStillCounts() {
    var b =
        new FactsBuilder()
            .imported(
                staticSecret(
                    "K", "o", "prod", null, daysAgo(400), NOW.plusSeconds(60), daysAgo(10)));
    assertThat(rule(b.findings(), Posture.ROTATION_OVERDUE)).isEmpty();
    assertThat(rule(b.findings(), Posture.LONG_LIVED)).hasSize(1);
    var lenient =
        new PostureThresholds(
            Duration.ofDays(30),
            Duration.ofDays(500),
            Duration.ofDays(90),
            Duration.ofDays(90),
            List.of());
    assertThat(rule(b.findings(lenient), Posture.LONG_LIVED)).isEmpty();
  }

  @Test
  void aCredentialsOwnRotationScheduleOverridesTheEstateDefault() {
    var monthly =
        new ImportedNhi(
            "csv",
            "static",
            "DB_PASSWORD",
            "o",
            null,
            "prod",
            null,
            null,
            daysAgo(100),
            NOW.plusSeconds(60),
            daysAgo(40),
            null,
            Map.of("rotationInterval", "30d"));
    var yearly =
        new ImportedNhi(
            "csv",
            "static",
            "SIGNING_KEY",
            "o",
            null,
            "prod",
            null,
            null,
            daysAgo(100),
            NOW.plusSeconds(60),
            daysAgo(40),
            null,
            Map.of("rotationInterval", "365d"));
    var broken =
        new ImportedNhi(
            "csv",
            "static",
            "API_KEY",
            "o",
            null,
            "prod",
            null,
            null,
            daysAgo(100),
            NOW.plusSeconds(60),
            daysAgo(100),
            null,
            Map.of("rotationInterval", "monthly"));
    var f = new FactsBuilder().imported(monthly).imported(yearly).imported(broken).findings();
    List<Finding> overdue = rule(f, Posture.ROTATION_OVERDUE);
    assertThat(overdue)
        .extracting(Finding::subject)
        .containsExactlyInAnyOrder("DB_PASSWORD", "API_KEY");
    assertThat(
            overdue.stream()
                .filter(x -> x.subject().equals("DB_PASSWORD"))
                .findFirst()
                .orElseThrow()
                .evidence())
        .contains("its rotation schedule")
        .contains("due ");
    assertThat(
            overdue.stream()
                .filter(x -> x.subject().equals("API_KEY"))
                .findFirst()
                .orElseThrow()
                .evidence())
        .contains("is not a duration");
  }

  @Test
  void adminTokenWithoutExpiryIsFlaggedUnlessRevoked() {
    var b = new FactsBuilder();
    b.adminTokens.add(
        new AdminToken(
            "t1", "ci", new byte[32], Set.of("admin"), daysAgo(10), null, null, "bootstrap"));
    b.adminTokens.add(
        new AdminToken(
            "t2", "old", new byte[32], Set.of("read"), daysAgo(10), null, daysAgo(1), "x"));
    b.adminTokens.add(
        new AdminToken(
            "t3",
            "ttl",
            new byte[32],
            Set.of("read"),
            daysAgo(10),
            NOW.plusSeconds(60),
            null,
            "x"));

    assertThat(rule(b.findings(), Posture.MISSING_EXPIRY))
        .extracting(Finding::itemId)
        .containsExactly("admin-token:t1");
  }

  @Test
  void sameFingerprintInTwoPlacesIsReuseNhi9AndAcrossEnvironmentsNhi8() {
    var b =
        new FactsBuilder()
            .imported(staticSecret("A", "o", "prod", FP, daysAgo(1), NOW.plusSeconds(60), null))
            .imported(staticSecret("B", "o", "dev", FP, daysAgo(1), NOW.plusSeconds(60), null))
            .imported(
                staticSecret(
                    "C", "o", "dev", "ef".repeat(32), daysAgo(1), NOW.plusSeconds(60), null));
    List<Finding> f = b.findings();

    assertThat(rule(f, Posture.SHARED_SECRET))
        .extracting(Finding::subject)
        .containsExactlyInAnyOrder("A", "B");
    assertThat(rule(f, Posture.CROSS_ENVIRONMENT))
        .extracting(Finding::owasp)
        .containsOnly("NHI8")
        .hasSize(2);
  }

  @Test
  void reuseInOneEnvironmentIsNotCrossEnvironment() {
    var b =
        new FactsBuilder()
            .imported(staticSecret("A", "o", "prod", FP, daysAgo(1), NOW.plusSeconds(60), null))
            .imported(staticSecret("B", "o", "prod", FP, daysAgo(1), NOW.plusSeconds(60), null));
    assertThat(rule(b.findings(), Posture.SHARED_SECRET)).hasSize(2);
    assertThat(rule(b.findings(), Posture.CROSS_ENVIRONMENT)).isEmpty();
  }

  @Test
  void useFromAWorkstationRangeIsHumanUseNhi10() {
    var b =
        new FactsBuilder()
            .workload("api")
            .workload("web")
            .used("api", "db", daysAgo(1), "10.20.3.4", "10.0.0.9")
            .used("web", "db", daysAgo(1), "10.0.0.10", "2001:db8::1");
    var t = PostureThresholds.DEFAULTS.withWorkstationCidrs(List.of("10.20.0.0/16"));

    assertThat(rule(b.findings(t), Posture.HUMAN_USE))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.itemId()).isEqualTo("workload:" + API);
              assertThat(x.evidence()).contains("10.20.3.4").doesNotContain("10.0.0.9");
            });
    assertThat(rule(b.findings(), Posture.HUMAN_USE)).isEmpty();
  }

  @Test
  void workstationRangesMustBeAddressLiterals() {
    assertThatThrownBy(
            () -> PostureThresholds.DEFAULTS.withWorkstationCidrs(List.of("corp.example.com/16")))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(
            () -> PostureThresholds.DEFAULTS.withWorkstationCidrs(List.of("10.0.0.0/33")))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void importedItemWithoutOwnerOrWithUnknownOwnerIsFlagged() {
    var b =
        new FactsBuilder()
            .workload("api")
            .imported(
                staticSecret("NOBODY", null, "prod", null, daysAgo(1), NOW.plusSeconds(60), null))
            .imported(
                staticSecret(
                    "STRANGER",
                    "ghost@acme.test",
                    "prod",
                    null,
                    daysAgo(1),
                    NOW.plusSeconds(60),
                    null))
            .imported(
                staticSecret(
                    "KNOWN",
                    "alice@acme.test",
                    "prod",
                    null,
                    daysAgo(1),
                    NOW.plusSeconds(60),
                    null));
    List<Finding> f = b.findings();

    assertThat(rule(f, Posture.NO_OWNER)).extracting(Finding::subject).containsExactly("NOBODY");
    assertThat(rule(f, Posture.UNKNOWN_OWNER))
        .extracting(Finding::subject)
        .containsExactly("STRANGER");
  }

  @Test
  void workloadUnusedForTheStaleWindowIsStale() {
    var b =
        new FactsBuilder()
            .workload("api")
            .workload("web")
            .used("web", "db", daysAgo(1))
            .workload("new", "o", "prod", WorkloadState.ACTIVE, null, daysAgo(1));
    assertThat(rule(b.findings(), Posture.STALE)).extracting(Finding::subject).containsExactly(API);
  }

  @Test
  void workflowWithOidcStillUsingSecretsIsFlagged() {
    var b =
        new FactsBuilder()
            .imported(
                new ImportedNhi(
                    "github:acme/api",
                    "github-workflow",
                    "deploy.yml",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("oidc", "true", "secrets", "AWS_KEY")))
            .imported(
                new ImportedNhi(
                    "github:acme/api",
                    "github-workflow",
                    "ok.yml",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("oidc", "true")));
    assertThat(rule(b.findings(), Posture.OIDC_AVAILABLE))
        .extracting(Finding::subject)
        .containsExactly("deploy.yml");
    // a workflow is a consumer of secrets, not a credential: no lifetime findings on it
    assertThat(rule(b.findings(), Posture.MISSING_EXPIRY)).isEmpty();
  }

  @Test
  void findingsAreOrderedMostSevereFirst() {
    var b = new FactsBuilder().workload("api");
    b.leaks.add(new LeakRecord("jti-1", API, "db", FP, daysAgo(1), null, null));
    List<Finding> f = b.findings();
    assertThat(f.getFirst().severity()).isEqualTo(Finding.Severity.CRITICAL);
    assertThat(f)
        .extracting(Finding::severity)
        .hasSizeGreaterThan(1)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }
}
