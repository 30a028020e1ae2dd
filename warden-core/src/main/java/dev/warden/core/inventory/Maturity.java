package dev.warden.core.inventory;

import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maturity stage 1–7 (DESIGN.md) of each subject, from facts only. A subject is a Warden workload,
 * or an imported identity or credential not linked to one. A workload starts at 7 (attested
 * identity, request-time policy, short-lived credentials, audited) and drops to the stage of the
 * weakest static credential linked to it (attribute {@code workload}); imported items get the stage
 * their kind and attributes imply. The rules, in order, are in docs/inventory.md.
 */
public final class Maturity {
  /** One subject's stage and the fact that decided it. */
  public record Assessment(String itemId, String subject, int stage, String reason) {}

  /** Stages per subject, and how many subjects are at each stage (keys 1..7, all present). */
  public record Report(List<Assessment> subjects, Map<Integer, Integer> distribution) {}

  private Maturity() {}

  public static Report assess(InventoryFacts f) {
    Map<String, List<ImportedNhi>> linked = new HashMap<>();
    List<Assessment> out = new ArrayList<>();
    Map<String, Workload> workloads = new HashMap<>();
    f.workloads().forEach(w -> workloads.put(w.name(), w));
    for (ImportedNhi n : f.imported()) {
      String w = n.attributes().get("workload");
      if (w != null && workloads.containsKey(w)) {
        linked.computeIfAbsent(w, k -> new ArrayList<>()).add(n);
      } else {
        Assessment a = ofImported(n);
        if (a != null) {
          out.add(a);
        }
      }
    }
    for (Workload w : f.workloads()) {
      if (w.state() == WorkloadState.RETIRED) {
        continue;
      }
      Assessment best =
          new Assessment(
              Inventory.workloadId(w.name()),
              w.name(),
              7,
              "attested workload identity with short-lived, policy-checked, audited credentials");
      for (ImportedNhi n : linked.getOrDefault(w.name(), List.of())) {
        Assessment a = ofImported(n);
        if (a != null && a.stage() < best.stage()) {
          best =
              new Assessment(
                  best.itemId(),
                  best.subject(),
                  a.stage(),
                  "still uses " + n.kind() + " '" + n.name() + "': " + a.reason());
        }
      }
      out.add(best);
    }
    Map<Integer, Integer> dist = new TreeMap<>();
    for (int i = 1; i <= 7; i++) {
      dist.put(i, 0);
    }
    out.forEach(a -> dist.merge(a.stage(), 1, Integer::sum));
    out.sort(
        java.util.Comparator.comparingInt(Assessment::stage).thenComparing(Assessment::subject));
    return new Report(List.copyOf(out), dist);
  }

  /**
   * The stage an imported item implies, or null for items that are not an authentication method.
   */
  static Assessment ofImported(ImportedNhi n) {
    Map<String, String> a = n.attributes();
    String id = n.id();
    if ("none".equals(a.get("authentication"))) {
      return new Assessment(id, n.name(), 1, "no authentication (network trust)");
    }
    if ("code".equals(a.get("storage")) || n.source().startsWith("scan")) {
      return new Assessment(id, n.name(), 2, "secret hard-coded in code");
    }
    if ("secrets-manager".equals(a.get("storage"))) {
      return new Assessment(
          id, n.name(), 5, "static secret in a secrets manager (a secret zero remains)");
    }
    return switch (n.kind()) {
      case "k8s-service-account" ->
          new Assessment(
              id, n.name(), 6, "platform identity (projected token) not yet federated to Warden");
      case "github-workflow" ->
          a.containsKey("secrets")
              ? new Assessment(id, n.name(), 3, "CI pipeline authenticating with stored CI secrets")
              : "true".equals(a.get("oidc"))
                  ? new Assessment(
                      id,
                      n.name(),
                      6,
                      "CI pipeline with an OIDC identity token, not yet exchanged via Warden")
                  : null;
      case "k8s-secret" ->
          "kubernetes.io/service-account-token".equals(a.get("type"))
              ? new Assessment(
                  id, n.name(), 4, "long-lived service-account token stored as a cluster secret")
              : new Assessment(
                  id, n.name(), 4, "static secret in a cluster secret store, rotated by hand");
      case "env-var", "ci-secret" ->
          new Assessment(id, n.name(), 3, "secret in configuration, environment or CI variables");
      // a role is reached with its callers' credentials; only a federated one says how they
      // authenticate
      case AwsAuthorizationDetailsImporter.ROLE ->
          "true".equals(a.get("federated"))
              ? new Assessment(
                  id,
                  n.name(),
                  6,
                  "cloud role assumed with an OIDC token, not yet exchanged via Warden")
              : null;
      // users and the root account are judged by their keys, which are subjects of their own
      case AwsAuthorizationDetailsImporter.USER, AwsCredentialReportImporter.ROOT_ACCOUNT -> null;
      default ->
          n.lastRotatedAt() != null
              ? new Assessment(id, n.name(), 4, "protected static secret, rotated by hand")
              : new Assessment(id, n.name(), 3, "static secret in configuration");
    };
  }
}
