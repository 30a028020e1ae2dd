package dev.warden.core.trust;

import dev.warden.core.model.ProviderType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each kind of provider maps from its platform's tokens into selectors, and which claims it
 * requires. Selector keys are those of the Warden documentation; claims come from each platform's
 * own reference, cited per constant. A spec's {@code claims} and {@code requiredClaims} add to
 * these; they cannot redefine a preset key.
 */
enum Preset {
  /**
   * Kubernetes projected (bound) service-account tokens. The private claim {@code kubernetes.io}
   * carries namespace, service account, pod and (since 1.30) node, each with name and uid; see
   * https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens
   * and
   * https://kubernetes.io/docs/concepts/security/service-accounts/#authenticating-service-account-credentials.
   */
  KUBERNETES(
      ordered(
          "/kubernetes.io/namespace", "ns",
          "/kubernetes.io/serviceaccount/name", "sa",
          "/kubernetes.io/serviceaccount/uid", "sa-uid",
          "/kubernetes.io/pod/name", "pod-name",
          "/kubernetes.io/pod/uid", "pod-uid",
          "/kubernetes.io/node/name", "node-name",
          "/kubernetes.io/node/uid", "node-uid"),
      List.of("/kubernetes.io/namespace", "/kubernetes.io/serviceaccount/name")),

  /**
   * GitHub Actions OIDC tokens; claims as listed under "Custom claims provided by GitHub" in
   * https://docs.github.com/en/actions/reference/security/oidc (see also {@code claims_supported}
   * of https://token.actions.githubusercontent.com/.well-known/openid-configuration). Selector keys
   * are the claim names.
   */
  GITHUB_ACTIONS(
      sameNames(
          "repository",
          "repository_owner",
          "repository_id",
          "repository_owner_id",
          "repository_visibility",
          "ref",
          "ref_type",
          "workflow",
          "workflow_ref",
          "job_workflow_ref",
          "environment",
          "sha",
          "event_name",
          "runner_environment",
          "actor",
          "actor_id",
          "run_id",
          "base_ref",
          "head_ref"),
      List.of("repository", "ref")),

  /**
   * GitLab CI/CD ID tokens ({@code id_tokens:}); claims as in "Token payload" of
   * https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload. Selector keys are
   * the claim names.
   */
  GITLAB_CI(
      sameNames(
          "project_path",
          "project_id",
          "namespace_path",
          "namespace_id",
          "ref",
          "ref_type",
          "ref_protected",
          "environment",
          "environment_protected",
          "deployment_tier",
          "pipeline_source",
          "pipeline_id",
          "job_id",
          "user_login",
          "ci_config_ref_uri",
          "runner_id",
          "runner_environment"),
      List.of("project_path", "ref")),

  /** Any OIDC issuer: only {@code sub} and {@code iss}, plus what the spec maps. */
  OIDC(Map.of(), List.of());

  /** Claim (name or JSON pointer) → selector key, in a stable order. */
  final Map<String, String> mappings;

  /** Claims a token must carry. */
  final List<String> required;

  Preset(Map<String, String> mappings, List<String> required) {
    this.mappings = mappings;
    this.required = required;
  }

  static Preset of(ProviderType type) {
    return switch (type) {
      case KUBERNETES -> KUBERNETES;
      case GITHUB_ACTIONS -> GITHUB_ACTIONS;
      case GITLAB_CI -> GITLAB_CI;
      case OIDC -> OIDC;
    };
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private static Map<String, String> sameNames(String... names) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, n);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
