package dev.warden.core.document;

import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.selectors;
import static dev.warden.core.document.Fields.sortedSelectors;
import static dev.warden.core.document.Fields.stringList;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Effect;
import dev.warden.core.model.WorkloadMatcher;
import java.util.Locale;

/** The spec of an {@code AccessPolicy} document. */
final class AccessPolicyDocument {
  private AccessPolicyDocument() {}

  static AccessPolicy parse(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "description",
        "workloads",
        "resources",
        "effect",
        "condition",
        "credentialKind",
        "maxTtl",
        "scopes",
        "mayAct");
    JsonNode w = s.get("workloads");
    if (w == null || !w.isObject()) {
      throw new ValidationException(
          "spec.workloads", "is required: {spiffeIds: [...]} and/or {selectors: [...]}");
    }
    allowOnly(w, "spec.workloads", "spiffeIds", "selectors");
    WorkloadMatcher m = new WorkloadMatcher(stringList(w, "spiffeIds"), selectors(w, "selectors"));
    String eff = text(s, "effect");
    Effect effect = null;
    if (eff != null) {
      try {
        effect = Effect.valueOf(eff.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.effect", "'" + eff + "' is not allowed; use allow or deny");
      }
    }
    String ck = text(s, "credentialKind");
    CredentialKind kind = null;
    if (ck != null) {
      try {
        kind = CredentialKind.valueOf(ck.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "spec.credentialKind",
            "'"
                + ck
                + "' is not allowed; use access_token, jwt_svid, x509_svid, database_user, brokered_secret or upstream_token");
      }
    }
    return new AccessPolicy(
        name,
        text(s, "description"),
        m,
        stringList(s, "resources"),
        effect,
        text(s, "condition"),
        kind,
        Durations.parse("spec.maxTtl", text(s, "maxTtl")),
        stringList(s, "scopes"),
        text(s, "mayAct"));
  }

  /** Renders the spec: {@code parse(name, render(p))} equals p. */
  static void render(ObjectNode s, AccessPolicy p) {
    putIfSet(s, "description", p.description());
    ObjectNode w = s.putObject("workloads");
    if (!p.workloads().spiffeIds().isEmpty()) {
      strings(w, "spiffeIds", p.workloads().spiffeIds());
    }
    if (!p.workloads().selectors().isEmpty()) {
      strings(w, "selectors", sortedSelectors(p.workloads().selectors()));
    }
    strings(s, "resources", p.resources());
    s.put("effect", p.effect().name().toLowerCase(Locale.ROOT));
    putIfSet(s, "condition", p.condition());
    s.put("credentialKind", p.credentialKind().name().toLowerCase(Locale.ROOT));
    s.put("maxTtl", Durations.format(p.maxTtl()));
    if (!p.scopes().isEmpty()) {
      strings(s, "scopes", p.scopes());
    }
    putIfSet(s, "mayAct", p.mayAct());
  }
}
