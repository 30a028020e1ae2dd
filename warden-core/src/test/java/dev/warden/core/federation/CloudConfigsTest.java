package dev.warden.core.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Effect;
import dev.warden.core.model.FederationCloud;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadMatcher;
import dev.warden.core.model.WorkloadState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CloudConfigsTest {
  static final String ISSUER = "https://id.acme.example";
  static final String GCP_AUD =
      "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/warden-pool/providers/warden";

  static Workload workload(String path, WorkloadState state) {
    return new Workload(
        SpiffeId.parse("spiffe://acme.test/" + path),
        Set.of(Selector.parse("k8s:sa=" + path.replace('/', '-'))),
        "o@acme.test",
        null,
        null,
        state,
        null,
        null);
  }

  static AccessPolicy allow(String name, List<String> ids, String resource, Duration ttl) {
    return new AccessPolicy(
        name,
        null,
        new WorkloadMatcher(ids, Set.of()),
        List.of(resource),
        Effect.ALLOW,
        null,
        CredentialKind.ACCESS_TOKEN,
        ttl,
        List.of());
  }

  static FederationTarget target(String kind, String audience, int workloads) {
    Resource r = new Resource("prod", audience, kind, null, null);
    List<Workload> ws = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    IntStream.range(0, workloads)
        .forEach(
            i -> {
              ws.add(workload("app-" + i, WorkloadState.ACTIVE));
              ids.add("spiffe://acme.test/app-" + i);
            });
    ws.add(workload("retired", WorkloadState.RETIRED));
    ids.add("spiffe://acme.test/retired");
    return FederationTarget.of(
        r, ws, List.of(allow("p", ids, "prod", Duration.ofHours(2))), ISSUER, "RS256");
  }

  @Test
  void awsTrustPolicyPinsTheProviderArnAudAndEveryActiveSubject() {
    CloudConfigs.Generated g =
        CloudConfigs.of(target("aws", "sts.amazonaws.com", 2), "123456789012");

    JsonNode st = g.document().path("Statement").get(0);
    assertThat(st.path("Principal").path("Federated").asText())
        .isEqualTo("arn:aws:iam::123456789012:oidc-provider/id.acme.example");
    assertThat(st.path("Action").asText()).isEqualTo("sts:AssumeRoleWithWebIdentity");
    JsonNode eq = st.path("Condition").path("StringEquals");
    assertThat(eq.path("id.acme.example:aud").asText()).isEqualTo("sts.amazonaws.com");
    assertThat(eq.path("id.acme.example:sub").toString())
        .isEqualTo("[\"spiffe://acme.test/app-0\",\"spiffe://acme.test/app-1\"]");
    assertThat(g.problems()).isEmpty();
    assertThat(g.commands().get(0))
        .contains("--url " + ISSUER, "--client-id-list sts.amazonaws.com");
  }

  @Test
  void awsAccountIdMustBeTwelveDigits() {
    assertThatThrownBy(() -> CloudConfigs.of(target("aws", "sts.amazonaws.com", 1), "12"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("12-digit");
  }

  @Test
  void gcpMapsSubToGoogleSubjectAndAllowsExactlyTheSubjectsInCel() {
    CloudConfigs.Generated g = CloudConfigs.of(target("gcp", GCP_AUD, 2), null);

    assertThat(g.document().path("attributeMapping").path("google.subject").asText())
        .isEqualTo("assertion.sub");
    assertThat(g.document().path("attributeCondition").asText())
        .isEqualTo("assertion.sub in ['spiffe://acme.test/app-0', 'spiffe://acme.test/app-1']");
    assertThat(g.document().path("principals").get(0).asText())
        .isEqualTo(
            "principal://iam.googleapis.com/projects/"
                + "123456789012/locations/global/workloadIdentityPools/warden-pool/subject/spiffe://acme.test/app-0");
    assertThat(g.commands().get(0))
        .contains(
            "create-oidc warden", "--workload-identity-pool=warden-pool", "--issuer-uri=" + ISSUER);
  }

  @Test
  void gcpConditionOverItsLimitIsReported() {
    CloudConfigs.Generated g = CloudConfigs.of(target("gcp", GCP_AUD, 150), null);

    assertThat(g.problems()).anyMatch(p -> p.contains("4096"));
  }

  @Test
  void celStringsEscapeQuotesAndBackslashes() {
    assertThat(CloudConfigs.celString("a'b\\c")).isEqualTo("'a\\'b\\\\c'");
  }

  @Test
  void azureGetsOneCredentialPerSubjectWithExactIssuerSubjectAndAudience() {
    CloudConfigs.Generated g =
        CloudConfigs.of(target("azure", "api://AzureADTokenExchange", 2), null);

    assertThat(g.document()).hasSize(2);
    JsonNode c = g.document().get(1);
    assertThat(c.path("issuer").asText()).isEqualTo(ISSUER);
    assertThat(c.path("subject").asText()).isEqualTo("spiffe://acme.test/app-1");
    assertThat(c.path("audiences").toString()).isEqualTo("[\"api://AzureADTokenExchange\"]");
    assertThat(c.path("name").asText())
        .isEqualTo("warden-prod-2")
        .matches("[A-Za-z0-9][A-Za-z0-9_-]{2,119}");
    assertThat(g.problems()).isEmpty();
  }

  @Test
  void azureOverTwentySubjectsIsReportedAsTheEntraLimit() {
    CloudConfigs.Generated g =
        CloudConfigs.of(target("azure", "api://AzureADTokenExchange", 21), null);

    assertThat(g.problems()).singleElement().asString().contains("21 subjects", "Entra allows 20");
  }

  @Test
  void noSubjectIsRefusedRatherThanATrustForNobody() {
    assertThatThrownBy(() -> CloudConfigs.of(target("aws", "sts.amazonaws.com", 0), null))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("apply a policy first");
  }

  @Test
  void targetCapsLifetimeAtOneHourAndSkipsRetiredWorkloads() {
    FederationTarget t = target("aws", "sts.amazonaws.com", 1);

    assertThat(t.subjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.spiffeId()).isEqualTo("spiffe://acme.test/app-0");
              assertThat(s.lifetimeSeconds()).isEqualTo(3600);
            });
    assertThat(
            FederationTarget.fromJson(t.toJson(new com.fasterxml.jackson.databind.ObjectMapper())))
        .isEqualTo(t);
  }

  @Test
  void audiencesFollowEachCloudsRules() {
    assertThatThrownBy(() -> new Resource("g", "https://example.com", "gcp", null, null))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("workloadIdentityPools");
    assertThatThrownBy(() -> new Resource("a", "x".repeat(256), "aws", null, null))
        .hasMessageContaining("at most 255");
    assertThatThrownBy(() -> new Resource("h", "sts.amazonaws.com", "http", null, null))
        .hasMessageContaining("absolute URI");
    assertThat(new Resource("a", "sts.amazonaws.com", "aws", null, null).cloud())
        .isEqualTo(FederationCloud.AWS);
    assertThat(FederationCloud.gcpProvider("https:" + GCP_AUD).pool()).isEqualTo("warden-pool");
  }

  @Test
  void subjectLimitsAreTheDocumentedOnes() {
    String at127 = "spiffe://t/" + "p".repeat(127 - "spiffe://t/".length());
    assertThat(FederationCloud.GCP.subjectProblem(at127)).isNull();
    assertThat(FederationCloud.GCP.subjectProblem(at127 + "p")).contains("128 bytes", "127");
    assertThat(FederationCloud.AZURE.subjectProblem("spiffe://t/" + "p".repeat(600)))
        .contains("600");
  }
}
