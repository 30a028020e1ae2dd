package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code aws iam get-account-authorization-details --output json}: every IAM user becomes an {@code
 * aws-iam-user} (its attached, inline and group policies; owner from its tags), every role an
 * {@code aws-iam-role} with whom its trust policy lets assume it. A role whose trust policy allows
 * {@code sts:AssumeRoleWithWebIdentity} to a federated OIDC provider is already federated
 * (attribute {@code federated}, credential type {@code federated}); the providers and whether every
 * such statement constrains the token's {@code sub} or {@code aud} are kept. Groups and managed
 * policies are only read to resolve names and to see which policies grant everything ({@code
 * admin}). Service-linked roles (path {@code /aws-service-role/}) belong to AWS and are skipped.
 *
 * <p>Policy documents are read, never kept; only known fields are read, so a stray {@code
 * SecretAccessKey} anywhere in the export is never looked at. The user's access keys themselves are
 * in the credential report ({@link AwsCredentialReportImporter}).
 */
final class AwsAuthorizationDetailsImporter implements Importer {
  static final String USER = "aws-iam-user";
  static final String ROLE = "aws-iam-role";
  private static final Set<String> LISTS =
      Set.of("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies");
  private static final String SEND =
      "send the JSON of `aws iam get-account-authorization-details --output json`";

  @Override
  public void read(Input in, ImportRows out) {
    JsonNode root = JsonImports.tree(in.text());
    if (root == null || !root.isObject() || LISTS.stream().noneMatch(root::has)) {
      throw new ValidationException(
          "content",
          "not an account authorization details export: it has none of "
              + new TreeSet<>(LISTS)
              + "; "
              + SEND);
    }
    Map<String, Boolean> adminByArn = new HashMap<>();
    for (JsonNode p : root.path("Policies")) {
      String arn = CloudImports.text(p, "Arn");
      if (arn != null) {
        boolean admin = false;
        for (JsonNode v : p.path("PolicyVersionList")) {
          if (v.path("IsDefaultVersion").asBoolean(false)) {
            admin = grantsEverything(v.get("Document"));
          }
        }
        adminByArn.put(arn, admin);
      }
    }
    Map<String, Principal> groups = new HashMap<>();
    for (JsonNode g : root.path("GroupDetailList")) {
      String name = CloudImports.text(g, "GroupName");
      if (name != null) {
        groups.put(name, Principal.of(g, "GroupPolicyList", adminByArn));
      }
    }
    Importers.Defaults d = in.defaults();
    int i = 0;
    for (JsonNode u : root.path("UserDetailList")) {
      i++;
      try {
        user(u, groups, adminByArn, d, out);
      } catch (ValidationException e) {
        out.error(i, "UserDetailList item " + i + ": " + e.getMessage());
      }
    }
    int r = 0;
    for (JsonNode role : root.path("RoleDetailList")) {
      r++;
      try {
        role(role, adminByArn, d, out);
      } catch (ValidationException e) {
        out.error(r, "RoleDetailList item " + r + ": " + e.getMessage());
      }
    }
  }

  /** A user's or group's policies by name, and whether any grants everything. */
  private record Principal(List<String> policies, boolean admin) {
    static Principal of(JsonNode o, String inlineList, Map<String, Boolean> adminByArn) {
      List<String> names = new ArrayList<>();
      boolean admin = false;
      for (JsonNode p : o.path("AttachedManagedPolicies")) {
        String n = CloudImports.text(p, "PolicyName");
        if (n != null) {
          names.add(n);
        }
        String arn = CloudImports.text(p, "PolicyArn");
        admin |=
            "AdministratorAccess".equals(n) || arn != null && adminByArn.getOrDefault(arn, false);
      }
      for (JsonNode p : o.path(inlineList)) {
        String n = CloudImports.text(p, "PolicyName");
        if (n != null) {
          names.add(n);
        }
        admin |= grantsEverything(p.get("PolicyDocument"));
      }
      return new Principal(names, admin);
    }
  }

  private static void user(
      JsonNode u,
      Map<String, Principal> groups,
      Map<String, Boolean> adminByArn,
      Importers.Defaults d,
      ImportRows out) {
    String name = CloudImports.text(u, "UserName");
    if (name == null) {
      throw new ValidationException("UserName", "has no UserName");
    }
    Principal own = Principal.of(u, "UserPolicyList", adminByArn);
    Set<String> policies = new TreeSet<>(own.policies());
    boolean admin = own.admin();
    List<String> groupNames = new ArrayList<>();
    for (JsonNode g : u.path("GroupList")) {
      if (g.isTextual()) {
        groupNames.add(g.asText());
        Principal p = groups.get(g.asText());
        if (p != null) {
          policies.addAll(p.policies());
          admin |= p.admin();
        }
      }
    }
    Map<String, String> attrs = identity(u, policies, admin);
    if (!groupNames.isEmpty()) {
      attrs.put("groups", CloudImports.names(groupNames));
    }
    add(u, USER, name, attrs, null, d, out);
  }

  private static void role(
      JsonNode role, Map<String, Boolean> adminByArn, Importers.Defaults d, ImportRows out) {
    String name = CloudImports.text(role, "RoleName");
    if (name == null) {
      throw new ValidationException("RoleName", "has no RoleName");
    }
    String path = CloudImports.text(role, "Path");
    if (path != null && path.startsWith("/aws-service-role/")) {
      out.skip(); // service-linked: created, trusted and rotated by AWS itself
      return;
    }
    Principal own = Principal.of(role, "RolePolicyList", adminByArn);
    Map<String, String> attrs = identity(role, new TreeSet<>(own.policies()), own.admin());
    Trust t = Trust.of(role.get("AssumeRolePolicyDocument"));
    if (!t.providers().isEmpty()) {
      attrs.put("federated", "true");
      attrs.put("oidcProviders", CloudImports.names(t.providers()));
      attrs.put("tokenConstrained", Boolean.toString(t.constrained()));
    }
    if (!t.trusted().isEmpty()) {
      attrs.put("trustedBy", CloudImports.names(t.trusted()));
    }
    JsonNode used = role.path("RoleLastUsed");
    String region = CloudImports.text(used, "Region");
    if (region != null) {
      attrs.put("lastUsedRegion", region);
    }
    add(
        role,
        ROLE,
        name,
        attrs,
        CloudImports.time("RoleLastUsed.LastUsedDate", CloudImports.text(used, "LastUsedDate")),
        d,
        out);
  }

  /**
   * Attributes every user and role has: ARN, path, policies, and whether one of them grants
   * everything.
   */
  private static Map<String, String> identity(JsonNode o, Set<String> policies, boolean admin) {
    Map<String, String> attrs = new TreeMap<>();
    String arn = CloudImports.text(o, "Arn");
    if (arn != null) {
      attrs.put("arn", arn);
    }
    String path = CloudImports.text(o, "Path");
    if (path != null && !path.equals("/")) {
      attrs.put("path", path);
    }
    if (!policies.isEmpty()) {
      // as permissions, the policy names are the item's privileges in the inventory
      attrs.put("permissions", CloudImports.names(policies));
    }
    if (admin) {
      attrs.put("admin", "true");
    }
    String boundary = CloudImports.text(o.path("PermissionsBoundary"), "PermissionsBoundaryArn");
    if (boundary != null) {
      attrs.put("permissionsBoundary", boundary);
    }
    return attrs;
  }

  private static void add(
      JsonNode o,
      String kind,
      String name,
      Map<String, String> attrs,
      java.time.Instant lastUsed,
      Importers.Defaults d,
      ImportRows out) {
    Map<String, String> tags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (JsonNode t : o.path("Tags")) {
      String k = CloudImports.text(t, "Key");
      String v = CloudImports.text(t, "Value");
      if (k != null && v != null) {
        tags.put(k, v);
      }
    }
    String account = CloudImports.awsAccount(attrs.get("arn"));
    out.add(
        new ImportedNhi(
            ImportFields.source(d, account == null ? "aws" : "aws:" + account),
            kind,
            name,
            ImportFields.or(CloudImports.tag(tags, CloudImports.OWNER_TAGS), d.owner()),
            ImportFields.or(CloudImports.tag(tags, CloudImports.TEAM_TAGS), d.team()),
            ImportFields.or(CloudImports.tag(tags, CloudImports.ENVIRONMENT_TAGS), d.environment()),
            attrs.get("arn"),
            null,
            CloudImports.time("CreateDate", CloudImports.text(o, "CreateDate")),
            null,
            null,
            lastUsed,
            attrs));
  }

  /**
   * Who a trust policy lets assume the role: OIDC providers through {@code
   * sts:AssumeRoleWithWebIdentity} (and whether every such statement has a condition on the token),
   * and the services and AWS principals of other allow statements.
   */
  private record Trust(Set<String> providers, boolean constrained, Set<String> trusted) {
    static Trust of(JsonNode doc) {
      Set<String> providers = new TreeSet<>();
      Set<String> trusted = new TreeSet<>();
      boolean constrained = true;
      for (JsonNode s : statements(policy(doc))) {
        if (!"Allow".equalsIgnoreCase(s.path("Effect").asText(""))) {
          continue;
        }
        JsonNode principal = s.path("Principal");
        List<String> federated = strings(principal.path("Federated"));
        boolean webIdentity =
            strings(s.path("Action")).stream()
                .map(a -> a.toLowerCase(Locale.ROOT))
                .anyMatch(
                    a ->
                        a.equals("sts:assumerolewithwebidentity")
                            || a.equals("sts:*")
                            || a.equals("*"));
        if (webIdentity && !federated.isEmpty()) {
          federated.forEach(
              f ->
                  providers.add(
                      f.contains(":oidc-provider/")
                          ? f.substring(f.indexOf(":oidc-provider/") + ":oidc-provider/".length())
                          : f));
          constrained &= hasTokenCondition(s.path("Condition"));
        }
        strings(principal.path("Service")).forEach(trusted::add);
        strings(principal.path("AWS")).forEach(trusted::add);
        if (principal.isTextual()) {
          trusted.add(principal.asText());
        }
      }
      return new Trust(providers, !providers.isEmpty() && constrained, trusted);
    }

    /**
     * A condition on the token's sub or aud claim (StringEquals, StringLike, ...; any provider).
     */
    private static boolean hasTokenCondition(JsonNode condition) {
      for (JsonNode operator : condition) {
        for (java.util.Iterator<String> it = operator.fieldNames(); it.hasNext(); ) {
          String key = it.next().toLowerCase(Locale.ROOT);
          if (key.endsWith(":sub") || key.endsWith(":aud") || key.endsWith(":amr")) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** Whether an allow statement grants every action on every resource. */
  static boolean grantsEverything(JsonNode doc) {
    for (JsonNode s : statements(policy(doc))) {
      if ("Allow".equalsIgnoreCase(s.path("Effect").asText(""))
          && strings(s.path("Action")).contains("*")
          && strings(s.path("Resource")).contains("*")) {
        return true;
      }
    }
    return false;
  }

  /** A policy document: the object the CLI prints, or the URL-encoded JSON the raw API returns. */
  private static JsonNode policy(JsonNode doc) {
    if (doc == null || !doc.isTextual()) {
      return doc == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : doc;
    }
    try {
      return JsonImports.JSON.readTree(URLDecoder.decode(doc.asText(), StandardCharsets.UTF_8));
    } catch (java.io.IOException | IllegalArgumentException e) {
      return com.fasterxml.jackson.databind.node.MissingNode
          .getInstance(); // unreadable: trusts nobody we can name
    }
  }

  private static List<JsonNode> statements(JsonNode policy) {
    JsonNode s = policy.path("Statement");
    List<JsonNode> out = new ArrayList<>();
    if (s.isArray()) {
      s.forEach(
          x -> {
            if (x.isObject()) {
              out.add(x);
            }
          });
    } else if (s.isObject()) {
      out.add(s);
    }
    return out;
  }

  /** A policy element that is one string or an array of them. */
  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      n.forEach(
          x -> {
            if (x.isTextual()) {
              out.add(x.asText());
            }
          });
    }
    return out;
  }
}
