package dev.warden.core.document;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Named;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.policy.Conditions;
import java.io.IOException;

/**
 * Fuzz targets for the policy-as-code parsers: documents, SPIFFE IDs, selectors, durations and CEL
 * conditions. Each may return a value or throw {@link ValidationException}; anything else is a bug.
 * Runs its seeds with every build; {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=DocumentsFuzzTest} fuzzes for real.
 */
class DocumentsFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "30s")
  void parseEitherReturnsADocumentOrNamesTheBrokenField(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (IOException e) {
      return;
    }
    try {
      Named parsed = Documents.parse(n);
      // a parsed document must survive its own rendering
      if (!Documents.parse(Documents.toDocument(parsed)).equals(parsed)) {
        throw new IllegalStateException("round trip changed the document: " + text);
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  /**
   * An EdgeProxy document whose fields come from the fuzzer (the listen address, the protocol, the
   * options, a route) parses to a declaration that survives its own rendering, or is refused with
   * {@link ValidationException}: never another exception, whatever the proxy rules meet.
   */
  @FuzzTest(maxDuration = "30s")
  void edgeProxiesParseOrNameTheBrokenField(FuzzedDataProvider data) {
    com.fasterxml.jackson.databind.node.ObjectNode doc = JSON.createObjectNode();
    doc.put("kind", "EdgeProxy");
    doc.putObject("metadata").put("name", "p");
    com.fasterxml.jackson.databind.node.ObjectNode spec = doc.putObject("spec");
    spec.putArray("nodeSelectors")
        .add(data.consumeBoolean() ? "node:pool=a" : data.consumeString(40));
    spec.put(
        "protocol",
        data.pickValue(
            new String[] {"postgres", "mysql", "redis", "http", data.consumeString(10)}));
    spec.put("listen", data.consumeString(120));
    if (data.consumeBoolean()) {
      spec.put("resource", data.consumeString(40));
    }
    for (String f :
        new String[] {"upstreamTls", "clientTls", "unlisted", "responseTimeout", "upstreamCa"}) {
      if (data.consumeBoolean()) {
        spec.put(f, data.consumeString(30));
      }
    }
    if (data.consumeBoolean()) {
      com.fasterxml.jackson.databind.node.ObjectNode r = spec.putArray("routes").addObject();
      r.put("host", data.consumeString(60));
      r.put("resource", data.consumeString(20));
      r.put("port", data.consumeInt());
      r.put(data.pickValue(new String[] {"header", "query", "basic"}), data.consumeString(20));
    }
    try {
      Named parsed = Documents.parse(doc);
      if (!Documents.parse(Documents.toDocument(parsed)).equals(parsed)) {
        throw new IllegalStateException("round trip changed the EdgeProxy: " + doc);
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "20s")
  void identifiersParseOrAreRejected(FuzzedDataProvider data) {
    String a = data.consumeString(300);
    String b = data.consumeString(300);
    String c = data.consumeRemainingAsString();
    try {
      SpiffeId id = SpiffeId.parse(a);
      if (!SpiffeId.parse(id.toString()).equals(id)) {
        throw new IllegalStateException("SPIFFE ID round trip: " + a);
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
    try {
      Selector s = Selector.parse(b);
      if (!Selector.parse(s.toString()).equals(s)) {
        throw new IllegalStateException("selector round trip: " + b);
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
    try {
      Durations.parse("d", c);
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void conditionsCompileOrAreRejected(FuzzedDataProvider data) {
    try {
      Conditions.check(data.consumeRemainingAsString());
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  /**
   * A database target (JDBC URL, roles, user-name template) is built or refused with {@link
   * ValidationException}; a template that is accepted always yields names of at most 63 bytes in
   * {@code [a-z0-9_]} that match its own pattern, for any workload.
   */
  @FuzzTest(maxDuration = "20s")
  void databaseTargetsBuildOrAreRejectedAndNamesAlwaysFit(FuzzedDataProvider data) {
    String url = data.consumeString(200);
    String role = data.consumeString(80);
    String template = data.consumeString(80);
    String path = data.consumeRemainingAsString();
    try {
      new dev.warden.core.model.DatabaseTarget(
          url, "warden_admin", "admin-secret", java.util.List.of(role), null, null, 0, null);
    } catch (ValidationException expected) {
      // documented outcome
    }
    dev.warden.core.model.UsernameTemplate t;
    try {
      t = new dev.warden.core.model.UsernameTemplate(template);
    } catch (ValidationException expected) {
      t = dev.warden.core.model.UsernameTemplate.DEFAULT;
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse("spiffe://example.org/" + path);
    } catch (ValidationException expected) {
      return;
    }
    String name = t.expand(id, "abcdefghij23");
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63
        || !name.matches("[a-z0-9_]+")
        || !t.pattern().matcher(name).matches()) {
      throw new IllegalStateException("template " + t + " gave '" + name + "' for " + id);
    }
  }
}
