package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.document.Kind;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {"List or show configuration objects.", ""},
    footer = {
      "",
      "KIND is one of: trustproviders, workloads, resources, policies, edgeproxies (singular forms work"
          + " too).",
      "",
      "Examples:",
      "  warden get policies",
      "  warden get workload spiffe://acme.com/ci/deploy -o yaml",
      "  warden get policy deploy-to-payments --history",
      "  warden get edgeproxies -o yaml > proxies.yaml   (documents 'warden apply -f' takes back)",
      "",
      "Which agents run each EdgeProxy, and how it fares there: warden agent list"
    })
final class GetCommand extends ApiCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
  @Nullable String name;

  @Option(names = "--history", description = "show every version of NAME")
  boolean history;

  @Override
  public Integer call() {
    Kind k = Kind.parse(kind);
    ApiClient api = connection.client();
    PrintWriter out = spec.commandLine().getOut();
    if (name == null) {
      JsonNode r = api.get("/v1/" + k.plural());
      if (output.structured()) {
        output.print(out, r);
        return 0;
      }
      out.printf(java.util.Locale.ROOT, "%-48s %-8s %s%n", "NAME", "VERSION", "SUMMARY");
      for (JsonNode d : r.path("items")) {
        out.printf(
            java.util.Locale.ROOT,
            "%-48s %-8d %s%n",
            d.path("metadata").path("name").asText(),
            d.path("metadata").path("version").asLong(),
            summary(k, d.path("spec")));
      }
      return 0;
    }
    JsonNode r =
        api.get("/v1/" + k.plural() + "/" + ApiClient.enc(name) + (history ? "?history=true" : ""));
    if (output.format == Output.Format.text) {
      output.format = Output.Format.yaml;
    }
    output.print(out, r);
    return 0;
  }

  private static String summary(Kind k, JsonNode s) {
    return switch (k) {
      case TRUST_PROVIDER -> s.path("type").asText() + " " + s.path("issuer").asText();
      case WORKLOAD ->
          s.path("state").asText()
              + " owner="
              + s.path("owner").asText()
              + " "
              + s.path("selectors");
      case RESOURCE ->
          s.path("kind").asText()
              + " "
              + s.path("audience").asText()
              + " "
              + s.path("sensitivity").asText();
      case ACCESS_POLICY ->
          s.path("effect").asText()
              + " "
              + s.path("resources")
              + " ttl="
              + s.path("maxTtl").asText();
      case EDGE_PROXY ->
          s.path("protocol").asText()
              + " "
              + (s.hasNonNull("resource")
                  ? s.path("resource").asText()
                  : s.path("routes").size() + " route(s)")
              + " on "
              + s.path("listen").asText()
              + " for "
              + s.path("nodeSelectors");
    };
  }
}
