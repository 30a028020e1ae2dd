package dev.warden.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.warden.core.document.Documents;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Named;
import dev.warden.core.store.Versioned;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.Decisions;
import dev.warden.server.http.HttpJson;
import dev.warden.server.http.TokenEndpoint;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Policies: the list, one policy as the YAML {@code warden apply} takes, its history and the diff
 * between two versions, and the simulator, which asks {@link Decisions#explain} (the code behind
 * {@code POST /v1/decisions:explain}) and shows the decision, the request attributes the CEL
 * conditions saw (and which were assumed), and why every other policy naming the resource did not
 * decide.
 */
final class PoliciesPage {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  record Row(
      String name,
      String effect,
      String workloads,
      String resources,
      @Nullable String condition,
      long version,
      String updatedBy,
      String disabled) {}

  record Version(long version, String at, String by, boolean deleted) {}

  record PolicyView(
      @Nullable String name,
      String yaml,
      @Nullable String disabled,
      List<Version> history,
      @Nullable Long a,
      @Nullable Long b,
      @Nullable List<LineDiff.Line> diff) {}

  /**
   * @param attested when the request named a platform token instead of a workload: what it proved
   *     (the result is null when the token was refused before any policy was asked)
   */
  record SimView(
      List<String> workloads,
      List<String> resources,
      @Nullable String workload,
      @Nullable String resource,
      @Nullable String scope,
      @Nullable String time,
      @Nullable String sourceAddress,
      @Nullable TokenCheck attested,
      @Nullable JsonNode result) {}

  private final ConsoleServices s;

  PoliciesPage(ConsoleServices s) {
    this.s = s;
  }

  void register(Console c) {
    c.route("/policies", Scopes.READ, this::list, null);
    c.route("/policy", Scopes.READ, this::show, null);
    // the simulator changes nothing; it is a POST so its inputs stay out of URLs and logs
    c.route("/simulate", Scopes.READ, this::simulator, this::simulate);
  }

  private void list(ConsoleCall c) {
    List<Row> rows = new ArrayList<>();
    for (Versioned<Named> v : s.config().list(Kind.ACCESS_POLICY)) {
      AccessPolicy p = (AccessPolicy) v.value();
      List<String> who = new ArrayList<>(p.workloads().spiffeIds());
      p.workloads().selectors().forEach(sel -> who.add(sel.toString()));
      rows.add(
          new Row(
              p.name(),
              Fmt.lower(p.effect()),
              String.join(", ", who),
              String.join(", ", p.resources()),
              p.condition(),
              v.version(),
              v.updatedBy(),
              s.disabledReason().apply(Kind.ACCESS_POLICY, p.name())));
    }
    c.page(o -> JtepoliciesGenerated.render(o, null, c.frame("Policies", "policies"), rows));
  }

  private void show(ConsoleCall c) {
    String name = c.param("name");
    List<Versioned<@Nullable Named>> history =
        s.config().history(Kind.ACCESS_POLICY, name == null ? "" : name);
    Versioned<Named> current =
        s.config().get(Kind.ACCESS_POLICY, name == null ? "" : name).orElse(null);
    if (current == null && history.isEmpty()) {
      throw new NotFoundException("AccessPolicy", String.valueOf(name));
    }
    List<Version> versions = new ArrayList<>();
    for (Versioned<Named> v : history) {
      versions.add(
          new Version(v.version(), Fmt.time(v.updatedAt()), v.updatedBy(), v.value() == null));
    }
    Long a = longOrNull(c.param("a"));
    Long b = longOrNull(c.param("b"));
    List<LineDiff.Line> diff = null;
    if (a != null && b != null) {
      diff = LineDiff.of(yamlOf(history, a), yamlOf(history, b));
    }
    PolicyView v =
        new PolicyView(
            name,
            current == null ? "# deleted" : yaml(current.value()),
            s.disabledReason().apply(Kind.ACCESS_POLICY, name),
            versions,
            a,
            b,
            diff);
    c.page(o -> JtepolicyGenerated.render(o, null, c.frame("Policy " + name, "policies"), v));
  }

  private static String yamlOf(List<Versioned<@Nullable Named>> history, long version) {
    return history.stream()
        .filter(v -> v.version() == version)
        .findFirst()
        .map(v -> v.value() == null ? "# deleted\n" : yaml(v.value()))
        .orElseThrow(() -> new NotFoundException("policy version", Long.toString(version)));
  }

  static String yaml(Named o) {
    try {
      return YAML.writeValueAsString(Documents.toDocument(o));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void simulator(ConsoleCall c) {
    c.page(
        o ->
            JtesimulateGenerated.render(
                o,
                null,
                c.frame("Simulator", "policies"),
                view(c.param("workload"), c.param("resource"), null, null, null, null, null)));
  }

  /**
   * Decides one request: for a workload named, or for a pasted platform token, which is first
   * verified through the trust providers and matched to its workload as a real grant would be, and
   * whose verified claims the conditions then see. Nothing is issued and nothing is recorded.
   */
  private void simulate(ConsoleCall c) {
    String token = c.field("token");
    String workload = c.field("workload");
    if (token != null && workload != null) {
      throw new dev.warden.core.error.ValidationException(
          "token", "give a workload or a platform token, not both");
    }
    if (token == null && workload == null) {
      throw new dev.warden.core.error.ValidationException(
          "workload", "name a workload, or paste a platform token");
    }
    ObjectNode body = HttpJson.object();
    body.put("resource", c.required("resource"));
    putIf(body, "scope", c.field("scope"));
    putIf(body, "time", c.field("time"));
    putIf(body, "sourceAddress", c.field("sourceAddress"));
    var snap = s.policies().get();
    TokenCheck attested = null;
    if (token != null) {
      attested = TokenCheck.of(s.trust().get(), snap, token);
      if (attested.workload() != null) {
        workload = attested.workload().name();
        // TokenCheck names a workload only for a verified identity
        dev.warden.core.trust.AttestedIdentity id =
            Objects.requireNonNull(attested.identity(), "a verified identity");
        body.set("claims", HttpJson.MAPPER.valueToTree(id.claims()));
      }
    }
    JsonNode result = null;
    if (attested == null || attested.workload() != null) {
      body.put("workload", workload);
      result =
          Decisions.explain(
              snap, body, TokenEndpoint.address(c.req.remotePeer().address()), c.now());
    }
    SimView v =
        view(
            token == null ? workload : null,
            c.field("resource"),
            c.field("scope"),
            c.field("time"),
            c.field("sourceAddress"),
            attested,
            result);
    if (c.htmx()) {
      c.page(o -> Jtesimulate_resultGenerated.render(o, null, v));
    } else {
      c.page(o -> JtesimulateGenerated.render(o, null, c.frame("Simulator", "policies"), v));
    }
  }

  private SimView view(
      @Nullable String workload,
      @Nullable String resource,
      @Nullable String scope,
      @Nullable String time,
      @Nullable String source,
      @Nullable TokenCheck attested,
      @Nullable JsonNode result) {
    // the pick lists hold the first 500 of each, from the running configuration; any other is typed
    // in
    var snap = s.policies().get();
    List<String> workloads = snap.workloadIds(500);
    List<String> resources = snap.resourceNames(500);
    return new SimView(
        workloads, resources, workload, resource, scope, time, source, attested, result);
  }

  private static void putIf(ObjectNode o, String field, @Nullable String value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static @Nullable Long longOrNull(@Nullable String v) {
    try {
      return v == null ? null : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new dev.warden.core.error.ValidationException("version", "must be a whole number");
    }
  }
}
