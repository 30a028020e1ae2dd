package dev.warden.core.federation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.FederationCloud;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The cloud-side configuration that trusts one {@link FederationTarget}, generated so that the
 * exact-match strings (issuer, audience, subjects) are never typed by hand: the AWS IAM role trust
 * policy, the GCP provider's attribute mapping and CEL attribute condition, and one Entra federated
 * identity credential per subject. Whatever the cloud would refuse is reported in {@link
 * Generated#problems()}, not silently trimmed.
 */
public final class CloudConfigs {
  /** Entra: at most 20 federated identity credentials per application or managed identity. */
  public static final int ENTRA_MAX_CREDENTIALS = 20;

  /** GCP: the attribute condition is at most 4096 characters. */
  public static final int GCP_MAX_CONDITION = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private CloudConfigs() {}

  /**
   * One cloud's configuration.
   *
   * @param document what to give the cloud (trust policy, provider settings, credentials)
   * @param commands the cloud CLI commands that apply it, with placeholders in angle brackets
   * @param problems why the cloud would refuse it or trust less than intended; empty when none
   */
  public record Generated(
      FederationCloud cloud, JsonNode document, List<String> commands, List<String> problems) {}

  /**
   * @param awsAccountId the AWS account that holds the IAM OIDC provider (used for aws only; a
   *     placeholder when null)
   * @throws ValidationException when no active workload is granted the resource: a trust with no
   *     subject would either trust nobody or, written carelessly, everybody
   */
  public static Generated of(FederationTarget t, @Nullable String awsAccountId) {
    if (t.subjects().isEmpty()) {
      throw new ValidationException(
          "resource",
          "no active workload is allowed '"
              + t.resource()
              + "' by an access_token policy; apply a policy first, so the cloud is told whom to trust");
    }
    List<String> problems = new ArrayList<>();
    for (FederationTarget.Subject s : t.subjects()) {
      String p = t.cloud().subjectProblem(s.spiffeId());
      if (p != null) {
        problems.add(p);
      }
    }
    if (t.issuer().length() > t.cloud().maxIssuer()) {
      problems.add(
          "issuer is "
              + t.issuer().length()
              + " characters; "
              + t.cloud().kind()
              + " stores at most "
              + t.cloud().maxIssuer());
    }
    return switch (t.cloud()) {
      case AWS -> aws(t, awsAccountId == null ? "<ACCOUNT_ID>" : awsAccountId, problems);
      case GCP -> gcp(t, problems);
      case AZURE -> azure(t, problems);
    };
  }

  /**
   * The issuer without its scheme: the IAM OIDC provider's name and the prefix of its condition
   * keys.
   */
  static String issuerHostPath(String issuer) {
    int i = issuer.indexOf("://");
    return i < 0 ? issuer : issuer.substring(i + 3);
  }

  private static Generated aws(FederationTarget t, String account, List<String> problems) {
    if (!account.matches("[0-9]{12}|<ACCOUNT_ID>")) {
      throw new ValidationException(
          "account-id", "'" + account + "' is not a 12-digit AWS account id");
    }
    String host = issuerHostPath(t.issuer());
    ObjectNode policy = JSON.createObjectNode();
    policy.put("Version", "2012-10-17");
    ObjectNode st = policy.putArray("Statement").addObject();
    st.put("Sid", "WardenFederation" + alnum(t.resource()));
    st.put("Effect", "Allow");
    st.putObject("Principal")
        .put("Federated", "arn:aws:iam::" + account + ":oidc-provider/" + host);
    st.put("Action", "sts:AssumeRoleWithWebIdentity");
    ObjectNode eq = st.putObject("Condition").putObject("StringEquals");
    eq.put(host + ":aud", t.audience());
    ArrayNode subs = eq.putArray(host + ":sub");
    t.subjects().forEach(s -> subs.add(s.spiffeId()));
    List<String> commands =
        List.of(
            "aws iam create-open-id-connect-provider --url "
                + t.issuer()
                + " --client-id-list "
                + t.audience(),
            "aws iam update-assume-role-policy --role-name <ROLE> --policy-document file://trust-policy.json",
            "aws sts assume-role-with-web-identity --role-arn arn:aws:iam::"
                + account
                + ":role/<ROLE> --role-session-name warden --web-identity-token <WARDEN_TOKEN>");
    return new Generated(FederationCloud.AWS, policy, commands, List.copyOf(problems));
  }

  private static Generated gcp(FederationTarget t, List<String> problems) {
    FederationCloud.GcpProvider p = FederationCloud.gcpProvider(t.audience());
    StringBuilder cond = new StringBuilder("assertion.sub in [");
    for (int i = 0; i < t.subjects().size(); i++) {
      cond.append(i == 0 ? "" : ", ").append(celString(t.subjects().get(i).spiffeId()));
    }
    cond.append(']');
    if (cond.length() > GCP_MAX_CONDITION) {
      problems.add(
          "the attribute condition is "
              + cond.length()
              + " characters; GCP allows "
              + GCP_MAX_CONDITION
              + "; give these workloads a shared SPIFFE ID prefix and grant a principalSet instead");
    }
    String poolName =
        "projects/" + p.projectNumber() + "/locations/global/workloadIdentityPools/" + p.pool();
    ObjectNode d = JSON.createObjectNode();
    d.put("issuerUri", t.issuer());
    d.putArray("allowedAudiences").add(t.audience());
    d.putObject("attributeMapping").put("google.subject", "assertion.sub");
    d.put("attributeCondition", cond.toString());
    ArrayNode principals = d.putArray("principals");
    t.subjects()
        .forEach(
            s ->
                principals.add(
                    "principal://iam.googleapis.com/" + poolName + "/subject/" + s.spiffeId()));
    List<String> commands = new ArrayList<>();
    commands.add(
        "gcloud iam workload-identity-pools providers create-oidc "
            + p.provider()
            + " --location=global"
            + " --workload-identity-pool="
            + p.pool()
            + " --project="
            + p.projectNumber()
            + " --issuer-uri="
            + t.issuer()
            + " --allowed-audiences="
            + t.audience()
            + " --attribute-mapping=google.subject=assertion.sub"
            + " --attribute-condition="
            + shellQuote(cond.toString()));
    for (FederationTarget.Subject s : t.subjects()) {
      commands.add(
          "gcloud projects add-iam-policy-binding <PROJECT_ID> --role=<ROLE> --member="
              + shellQuote(
                  "principal://iam.googleapis.com/" + poolName + "/subject/" + s.spiffeId()));
    }
    return new Generated(FederationCloud.GCP, d, commands, List.copyOf(problems));
  }

  private static Generated azure(FederationTarget t, List<String> problems) {
    if (t.subjects().size() > ENTRA_MAX_CREDENTIALS) {
      problems.add(
          t.subjects().size()
              + " subjects need "
              + t.subjects().size()
              + " federated identity credentials; Entra allows "
              + ENTRA_MAX_CREDENTIALS
              + " per application: split the workloads over several applications (one resource each)");
    }
    ArrayNode creds = JSON.createArrayNode();
    List<String> commands = new ArrayList<>();
    int n = 1;
    for (FederationTarget.Subject s : t.subjects()) {
      ObjectNode c = creds.addObject();
      // 3 to 120 characters, letters, digits, '-' and '_', unique per application
      String name = ("warden-" + t.resource().replaceAll("[^A-Za-z0-9_-]", "-"));
      name = name.substring(0, Math.min(name.length(), 112)) + "-" + n++;
      c.put("name", name);
      c.put("issuer", t.issuer());
      c.put("subject", s.spiffeId());
      c.putArray("audiences").add(t.audience());
      c.put(
          "description",
          "Generated by warden federation config for "
              + s.spiffeId()
              + " (policy "
              + s.policy()
              + ")");
      commands.add(
          "az ad app federated-credential create --id <APPLICATION_ID> --parameters "
              + shellQuote(write(c)));
    }
    return new Generated(FederationCloud.AZURE, creds, commands, List.copyOf(problems));
  }

  /** A CEL string literal (single quotes; backslash and quote escaped). */
  static String celString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static String alnum(String s) {
    StringBuilder b = new StringBuilder();
    for (String part : s.split("[^A-Za-z0-9]+")) {
      if (!part.isEmpty()) {
        b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
      }
    }
    return b.toString();
  }

  private static String write(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
