package dev.warden.core.document;

import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.bool;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.stringList;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The spec of a {@code TrustProvider} document. */
final class TrustProviderDocument {
  private TrustProviderDocument() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  static TrustProviderSpec parse(String name, JsonNode s) {
    allowOnly(
        s,
        "spec",
        "type",
        "issuer",
        "jwksUri",
        "jwks",
        "audiences",
        "algorithms",
        "maxTokenAge",
        "clockSkew",
        "claims",
        "requiredClaims",
        "nodeAttestation");
    String jwks = null;
    JsonNode j = s.get("jwks");
    if (j != null && !j.isNull()) {
      if (j.isObject()) {
        jwks = j.toString();
      } else if (j.isTextual()) {
        jwks = j.asText();
      } else {
        throw new ValidationException("spec.jwks", "must be a JWK set object or its JSON text");
      }
    }
    Map<String, String> claims = new LinkedHashMap<>();
    JsonNode c = s.get("claims");
    if (c != null && !c.isNull()) {
      if (!c.isObject()) {
        throw new ValidationException("spec.claims", "must map claim names to selector keys");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new ValidationException(
              "spec.claims." + e.getKey(), "must be a selector key (text)");
        }
        claims.put(e.getKey(), e.getValue().asText());
      }
    }
    String typeText = text(s, "type");
    if (typeText == null) {
      throw new ValidationException(
          "spec.type", "is required (kubernetes, github-actions, gitlab-ci or oidc)");
    }
    return new TrustProviderSpec(
        name,
        ProviderType.fromWire(typeText),
        text(s, "issuer"),
        text(s, "jwksUri"),
        jwks,
        stringList(s, "audiences"),
        stringList(s, "algorithms"),
        Durations.parse("spec.maxTokenAge", text(s, "maxTokenAge")),
        Durations.parse("spec.clockSkew", text(s, "clockSkew")),
        claims,
        stringList(s, "requiredClaims"),
        bool(s, "nodeAttestation"));
  }

  /** Renders the spec: {@code parse(name, render(t))} equals t. */
  static void render(ObjectNode s, TrustProviderSpec t) {
    s.put("type", t.type().wire());
    s.put("issuer", t.issuer());
    putIfSet(s, "jwksUri", t.jwksUri());
    if (t.jwks() != null) {
      try {
        s.set("jwks", JSON.readTree(t.jwks()));
      } catch (java.io.IOException e) {
        s.put("jwks", t.jwks());
      }
    }
    strings(s, "audiences", t.audiences());
    strings(s, "algorithms", t.algorithms());
    s.put("maxTokenAge", Durations.format(t.maxTokenAge()));
    s.put("clockSkew", Durations.format(t.clockSkew()));
    if (!t.claims().isEmpty()) {
      ObjectNode c = s.putObject("claims");
      new java.util.TreeMap<>(t.claims()).forEach(c::put);
    }
    if (!t.requiredClaims().isEmpty()) {
      strings(s, "requiredClaims", t.requiredClaims());
    }
    if (t.nodeAttestation()) {
      s.put("nodeAttestation", true);
    }
  }
}
