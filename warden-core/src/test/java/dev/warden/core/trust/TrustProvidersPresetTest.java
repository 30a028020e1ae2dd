package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.Selector;
import dev.warden.testkit.FixedClock;
import dev.warden.testkit.KeyType;
import dev.warden.testkit.TestOidcIssuer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each preset turns its platform's token into exactly the documented selectors. */
class TrustProvidersPresetTest {
  static final FixedClock CLOCK = FixedClock.atDefault();
  static TestOidcIssuer k8sA;
  static TestOidcIssuer k8sB;
  static TestOidcIssuer github;
  static TestOidcIssuer gitlab;
  static TestOidcIssuer oidc;
  static TrustProviders providers;

  @BeforeAll
  static void start() {
    k8sA = TestOidcIssuer.builder().clock(CLOCK).start();
    k8sB = TestOidcIssuer.builder().clock(CLOCK).keyType(KeyType.EC_P256).start();
    github = TestOidcIssuer.builder().clock(CLOCK).start();
    gitlab = TestOidcIssuer.builder().clock(CLOCK).keyType(KeyType.ED25519).path("/gitlab").start();
    oidc = TestOidcIssuer.builder().clock(CLOCK).audience("https://warden.example").start();
    providers =
        TrustProviders.build(
            List.of(
                Specs.of("cluster-a", ProviderType.KUBERNETES, k8sA.issuer()).build(),
                Specs.of("cluster-b", ProviderType.KUBERNETES, k8sB.issuer())
                    .algorithms("ES256")
                    .build(),
                Specs.of("github", ProviderType.GITHUB_ACTIONS, github.issuer())
                    .jwksUri(github.jwksUri())
                    .build(),
                Specs.of("gitlab", ProviderType.GITLAB_CI, gitlab.issuer())
                    .algorithms("EdDSA")
                    .build(),
                Specs.of("corp-idp", ProviderType.OIDC, oidc.issuer())
                    .audiences("other", "https://warden.example")
                    .algorithms("RS256", "PS256")
                    .claim("email", "email")
                    .claim("/groups", "group")
                    .claim("/org/id", "org-id")
                    .claim("/org/admin", "admin")
                    .claim("/not/there", "absent")
                    .claim("/org", "org")
                    .required("email")
                    .build()),
            new LoopbackFetcher(),
            CLOCK);
  }

  @AfterAll
  static void stop() {
    for (TestOidcIssuer i : List.of(k8sA, k8sB, github, gitlab, oidc)) {
      i.close();
    }
  }

  static Selector[] sel(String... s) {
    return Arrays.stream(s).map(Selector::parse).toArray(Selector[]::new);
  }

  @Test
  void kubernetesTokenGivesNamespaceServiceAccountPodAndNodeSelectors() {
    AttestedIdentity id =
        providers.verify(k8sA.kubernetesToken("payments", "api", "api-7d9f", "node-3"));

    assertThat(id.provider()).isEqualTo("cluster-a");
    assertThat(id.providerType()).isEqualTo(ProviderType.KUBERNETES);
    assertThat(id.subject()).isEqualTo("system:serviceaccount:payments:api");
    assertThat(id.selectors())
        .containsExactly(
            sel(
                "trust:provider=cluster-a",
                "k8s:iss=" + k8sA.issuer(),
                "k8s:sub=system:serviceaccount:payments:api",
                "k8s:ns=payments",
                "k8s:sa=api",
                "k8s:sa-uid=" + TestOidcIssuer.kubernetesUid("serviceaccount", "payments", "api"),
                "k8s:pod-name=api-7d9f",
                "k8s:pod-uid=" + TestOidcIssuer.kubernetesUid("pod", "payments", "api-7d9f"),
                "k8s:node-name=node-3",
                "k8s:node-uid=" + TestOidcIssuer.kubernetesUid("node", "", "node-3")));
    assertThat(id.expiresAt()).isEqualTo(CLOCK.instant().plusSeconds(3600));
    assertThat(id.issuedAt()).isEqualTo(CLOCK.instant());
  }

  @Test
  void twoClustersWithTheSameNamespaceAreToldApartByTheProviderSelector() {
    AttestedIdentity a = providers.verify(k8sA.kubernetesToken("payments", "api", "p"));
    AttestedIdentity b = providers.verify(k8sB.kubernetesToken("payments", "api", "p"));

    assertThat(a.selectors())
        .contains(Selector.parse("k8s:ns=payments"), Selector.parse("trust:provider=cluster-a"))
        .doesNotContain(Selector.parse("trust:provider=cluster-b"));
    assertThat(b.selectors())
        .contains(Selector.parse("k8s:ns=payments"), Selector.parse("trust:provider=cluster-b"))
        .doesNotContain(Selector.parse("trust:provider=cluster-a"));
  }

  @Test
  void kubernetesTokenFromBeforeNodeInfoHasNoNodeSelectors() {
    var b = k8sA.kubernetes("payments", "api", "p");
    @SuppressWarnings("unchecked")
    Map<String, Object> k =
        new java.util.LinkedHashMap<>((Map<String, Object>) b.claims().get("kubernetes.io"));
    k.remove("node");
    AttestedIdentity id = providers.verify(b.claim("kubernetes.io", k).mint());
    assertThat(id.selectors())
        .extracting(Selector::key)
        .doesNotContain("node-name", "node-uid")
        .contains("pod-name");
  }

  @Test
  void githubActionsTokenGivesTheDocumentedClaimsAsSelectors() {
    String sha = TestOidcIssuer.fakeSha("acme/api@refs/heads/main");
    AttestedIdentity id =
        providers.verify(
            github
                .githubActions("acme/api", "refs/heads/main")
                .claim("environment", "prod")
                .mint());

    assertThat(id.provider()).isEqualTo("github");
    assertThat(id.selectors())
        .containsExactly(
            sel(
                "trust:provider=github",
                "github:iss=" + github.issuer(),
                "github:sub=repo:acme/api:ref:refs/heads/main",
                "github:repository=acme/api",
                "github:repository_owner=acme",
                "github:repository_id=2000002",
                "github:repository_owner_id=1000001",
                "github:repository_visibility=private",
                "github:ref=refs/heads/main",
                "github:ref_type=branch",
                "github:workflow=ci",
                "github:workflow_ref=acme/api/.github/workflows/ci.yml@refs/heads/main",
                "github:job_workflow_ref=acme/api/.github/workflows/ci.yml@refs/heads/main",
                "github:environment=prod",
                "github:sha=" + sha,
                "github:event_name=push",
                "github:runner_environment=github-hosted",
                "github:actor=octocat",
                "github:actor_id=3000003",
                "github:run_id=4000004"));
    // head_ref and base_ref are empty strings outside pull requests: no selector
  }

  @Test
  void githubPullRequestTokenCarriesHeadAndBaseRef() {
    AttestedIdentity id =
        providers.verify(
            github
                .githubActions("acme/api", "refs/pull/7/merge")
                .claim("event_name", "pull_request")
                .claim("head_ref", "feature")
                .claim("base_ref", "main")
                .mint());
    assertThat(id.selectors())
        .contains(
            sel(
                "github:head_ref=feature",
                "github:base_ref=main",
                "github:event_name=pull_request"));
  }

  @Test
  void githubTokenWithoutRepositoryIsDenied() {
    assertThatThrownBy(
            () ->
                providers.verify(
                    github
                        .githubActions("acme/api", "refs/heads/main")
                        .without("repository")
                        .mint()))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.MISSING_CLAIM);
              assertThat(e.getMessage()).contains("'repository'");
            });
  }

  @Test
  void gitlabTokenGivesTheDocumentedClaimsAsSelectors() {
    AttestedIdentity id =
        providers.verify(
            gitlab
                .gitlab("acme/platform/api", "main")
                .claim("environment", "production")
                .claim("environment_protected", "true")
                .claim("deployment_tier", "production")
                .mint());

    assertThat(id.selectors())
        .containsExactly(
            sel(
                "trust:provider=gitlab",
                "gitlab:iss=" + gitlab.issuer(),
                "gitlab:sub=project_path:acme/platform/api:ref_type:branch:ref:main",
                "gitlab:project_path=acme/platform/api",
                "gitlab:project_id=2000002",
                "gitlab:namespace_path=acme/platform",
                "gitlab:namespace_id=1000001",
                "gitlab:ref=main",
                "gitlab:ref_type=branch",
                "gitlab:ref_protected=true",
                "gitlab:environment=production",
                "gitlab:environment_protected=true",
                "gitlab:deployment_tier=production",
                "gitlab:pipeline_source=push",
                "gitlab:pipeline_id=4000004",
                "gitlab:job_id=5000005",
                "gitlab:user_login=gitlab-user",
                "gitlab:ci_config_ref_uri=gitlab.example.com/acme/platform/api//.gitlab-ci.yml@refs/heads/main",
                "gitlab:runner_id=6000006",
                "gitlab:runner_environment=gitlab-hosted"));
    assertThat(id.claims()).containsEntry("runner_id", 6000006L);
  }

  @Test
  void genericOidcMapsOnlyWhatTheSpecSays() {
    AttestedIdentity id =
        providers.verify(
            oidc.token()
                .subject("svc-42")
                .claim("email", "svc@example.com")
                .claim("groups", List.of("ops", "dev", List.of("nested"), Map.of("o", 1), ""))
                .claim("org", Map.of("id", 17, "admin", false))
                .mint());

    assertThat(id.selectors())
        .containsExactly(
            sel(
                "trust:provider=corp-idp",
                "oidc:iss=" + oidc.issuer(),
                "oidc:sub=svc-42",
                "oidc:admin=false",
                "oidc:email=svc@example.com",
                "oidc:group=ops",
                "oidc:group=dev",
                "oidc:org-id=17"));
  }

  @Test
  void genericOidcRequiredClaimFromTheSpecIsEnforced() {
    assertThatThrownBy(() -> providers.verify(oidc.token().mint()))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.MISSING_CLAIM);
              assertThat(e.getMessage()).contains("'email'");
            });
    assertThatThrownBy(() -> providers.verify(oidc.token().claim("email", "").mint()))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_CLAIM));
  }

  @Test
  void anyConfiguredAudienceIsAccepted() {
    AttestedIdentity id =
        providers.verify(oidc.token().audience("x", "other").claim("email", "e").mint());
    assertThat(id.provider()).isEqualTo("corp-idp");
  }

  @Test
  void keyPublishedForRs256CannotVerifyPs256EvenWhenTheProviderAllowsIt() {
    assertThatThrownBy(() -> providers.verify(oidc.token().alg("PS256").claim("email", "e").mint()))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.ALG_NOT_ALLOWED);
              assertThat(e.getMessage()).contains("an RSA key").contains("PS256");
            });
  }

  @Test
  void ps256VerifiesWithAnRsaKeyThatNamesNoAlgorithm() {
    Map<String, Object> jwk = oidc.signingKey().publicJwkMap();
    jwk.remove("alg");
    String jwks = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Map.of("keys", List.of(jwk)));
    TrustProviders p =
        TrustProviders.build(
            List.of(
                Specs.of("inline", ProviderType.OIDC, oidc.issuer())
                    .audiences("https://warden.example")
                    .algorithms("PS256", "PS512")
                    .jwks(jwks)
                    .build()),
            uri -> {
              throw new java.io.IOException("must not fetch");
            },
            CLOCK);
    assertThat(p.verify(oidc.token().alg("PS256").mint()).provider()).isEqualTo("inline");
    assertThat(p.verify(oidc.token().alg("PS512").mint()).provider()).isEqualTo("inline");
    assertThatThrownBy(() -> p.verify(oidc.token().mint()))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ALG_NOT_ALLOWED));
  }

  @Test
  void claimsAreImmutableAndComplete() {
    AttestedIdentity id = providers.verify(k8sA.kubernetesToken("payments", "api", "p"));
    assertThat(id.claims())
        .containsKeys("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "kubernetes.io");
    assertThat(id.claims().get("exp")).isInstanceOf(Long.class);
    assertThatThrownBy(() -> id.claims().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> k = (Map<String, Object>) id.claims().get("kubernetes.io");
    assertThatThrownBy(() -> k.put("namespace", "kube-system"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> id.selectors().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(id.toString()).contains("cluster-a").doesNotContain("eyJ");
  }

  // ---- configuration that cannot work is refused when built ----

  @Test
  void specMappingAPresetSelectorKeyIsRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("c", ProviderType.KUBERNETES, "https://k8s.example")
                            .claim("/kubernetes.io/foo", "ns")
                            .build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'ns'")
        .hasMessageContaining("preset");
  }

  @Test
  void specMappingSubOrIssIsRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("c", ProviderType.OIDC, "https://idp.example")
                            .claim("email", "sub")
                            .build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'sub'");
  }

  @Test
  void twoClaimsOnOneSelectorKeyAreRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("c", ProviderType.OIDC, "https://idp.example")
                            .claim("a", "k")
                            .claim("b", "k")
                            .build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'k'");
  }

  @Test
  void selectorKeyWithSeparatorIsRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("c", ProviderType.OIDC, "https://idp.example")
                            .claim("a", "x=y")
                            .build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("trustProviders.c.claims");
  }

  @Test
  void brokenJsonPointerIsRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("c", ProviderType.OIDC, "https://idp.example")
                            .required("/a/~2")
                            .build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("requiredClaims");
  }

  @Test
  void twoProvidersWithTheSameIssuerAreRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("a", ProviderType.OIDC, "https://idp.example").build(),
                        Specs.of("b", ProviderType.OIDC, "https://idp.example/").build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("same issuer");
  }

  @Test
  void twoProvidersWithTheSameNameAreRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("a", ProviderType.OIDC, "https://idp.example").build(),
                        Specs.of("a", ProviderType.OIDC, "https://other.example").build()),
                    new LoopbackFetcher(),
                    CLOCK))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("name");
  }

  @Test
  void jsonPointerEscapesAreUnderstood() {
    ClaimPath p = ClaimPath.parse("f", "/a~1b/c~0d/1");
    assertThat(p.resolve(Map.of("a/b", Map.of("c~d", List.of("x", "y"))))).isEqualTo("y");
    assertThat(p.resolve(Map.of("a/b", Map.of("c~d", List.of("x"))))).isNull();
    assertThat(ClaimPath.parse("f", "kubernetes.io").resolve(Map.of("kubernetes.io", "v")))
        .isEqualTo("v");
  }
}
