package dev.warden.core.inventory;

import java.util.Locale;

/**
 * How an imported static credential can be replaced by federation, set by the cloud importers as
 * the attribute {@code replaceWith} (its {@link #wire()} form) and turned into the remediation of
 * the {@link Posture#FEDERATION_AVAILABLE} finding. Anything else in that attribute is ignored.
 */
enum FederationPath {
  /** an AWS IAM user's access key */
  AWS_WEB_IDENTITY(
      "AWS access key",
      "replace it with an IAM role the workload assumes with sts:AssumeRoleWithWebIdentity, trusting Warden's"
          + " issuer as an IAM OIDC provider (or the CI platform's own OIDC issuer), then deactivate and delete the key"),
  /** a USER_MANAGED service-account key */
  GCP_WORKLOAD_IDENTITY(
      "GCP user-managed service-account key",
      "replace it with Workload Identity Federation: a workload identity pool trusting Warden's issuer (or the"
          + " platform's OIDC issuer) that may impersonate the service account, then delete the key"),
  /** a service principal's client secret or certificate */
  AZURE_FEDERATED_CREDENTIAL(
      "Azure service-principal credential",
      "replace it with a federated identity credential on the Entra application trusting Warden's issuer (or the"
          + " platform's OIDC issuer), then remove the secret or certificate"),
  /** a static secret in Vault's KV store */
  VAULT_DYNAMIC(
      "Vault KV static secret",
      "replace it with a dynamic credential (a Vault database or cloud secrets engine, or a Warden database"
          + " target), or let Warden broker it so that the workload never holds it");

  private final String label;
  private final String remediation;

  FederationPath(String label, String remediation) {
    this.label = label;
    this.remediation = remediation;
  }

  /** Wire form, e.g. {@code aws-web-identity}. */
  String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  String label() {
    return label;
  }

  String remediation() {
    return remediation;
  }

  /** The path named by {@code s}, or null when there is none. */
  static FederationPath of(String s) {
    if (s != null) {
      for (FederationPath p : values()) {
        if (p.wire().equals(s)) {
          return p;
        }
      }
    }
    return null;
  }
}
