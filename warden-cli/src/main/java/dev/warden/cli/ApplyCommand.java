package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.core.document.Documents;
import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Create or update TrustProviders, Workloads, Resources, AccessPolicies and EdgeProxies (proxies the"
          + " agents run, docs/edge.md) from YAML (policy as code).",
      "Idempotent: unchanged documents are left alone. Every change is versioned and audited.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  warden apply -f examples/quickstart/",
      "  warden apply -f policy.yaml --dry-run"
    })
final class ApplyCommand extends ApiCommand implements Callable<Integer> {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE_OR_DIR",
      description = "a YAML/JSON file (several documents separated by ---) or a directory of them")
  List<Path> files;

  @Option(names = "--dry-run", description = "print what would change, change nothing")
  boolean dryRun;

  @Override
  public Integer call() {
    ArrayNode docs = YAML.createArrayNode();
    for (Path p : files) {
      for (Path f : expand(p)) {
        read(f, docs);
      }
    }
    if (docs.isEmpty()) {
      throw new CliException(2, "no documents found in " + files);
    }
    ObjectNode body = YAML.createObjectNode();
    body.set("documents", docs);
    JsonNode result = connection.client().post("/v1/apply" + (dryRun ? "?dryRun=true" : ""), body);
    if (printedStructured(result)) {
      return 0;
    }
    PrintWriter out = out();
    for (JsonNode c : result.path("changes")) {
      String action = c.path("action").asText();
      out.printf(
          java.util.Locale.ROOT,
          "%s %s %s%s%n",
          c.path("kind").asText(),
          c.path("name").asText(),
          dryRun && !action.equals("unchanged") ? "would be " + action : action,
          action.equals("unchanged") ? "" : " (version " + c.path("toVersion").asLong() + ")");
      if (dryRun) {
        for (JsonNode d : c.path("diff")) {
          out.println("    " + d.asText());
        }
      }
      for (JsonNode w : c.path("warnings")) {
        spec.commandLine()
            .getErr()
            .printf(
                java.util.Locale.ROOT,
                "warning: %s %s: %s%n",
                c.path("kind").asText(),
                c.path("name").asText(),
                w.asText());
      }
    }
    spec.commandLine().getErr().flush();
    return 0;
  }

  private static List<Path> expand(Path p) {
    if (!Files.exists(p)) {
      throw new CliException(2, p + " does not exist");
    }
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(
              f -> {
                String n = f.getFileName().toString();
                return Files.isRegularFile(f)
                    && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new CliException(2, "cannot list " + p + ": " + e.getMessage());
    }
  }

  /**
   * {@code spec.jwksFile} (a TrustProvider's keys exported from an air-gapped cluster, e.g. {@code
   * kubectl get --raw /openid/v1/jwks > cluster-jwks.json}) is read here, relative to the YAML
   * file, and sent inline: the server never reads files named by API callers.
   */
  private static void inlineJwksFile(Path yaml, JsonNode doc) {
    JsonNode spec = doc.path("spec");
    if (!spec.isObject() || !spec.has("jwksFile")) {
      return;
    }
    // the YAML was read from this file, so its absolute path is not the root: it has a parent
    Path dir = Objects.requireNonNull(yaml.toAbsolutePath().getParent(), "parent");
    Path jwks = dir.resolve(spec.get("jwksFile").asText());
    try {
      JsonNode keys = YAML.readTree(Files.readAllBytes(jwks));
      if (!keys.path("keys").isArray()) {
        throw new CliException(
            2, yaml + ": spec.jwksFile " + jwks + " is not a JWK set ({\"keys\": [...]})");
      }
      ((ObjectNode) spec).remove("jwksFile");
      ((ObjectNode) spec).set("jwks", keys);
    } catch (IOException e) {
      throw CliException.io(yaml + ": cannot read spec.jwksFile", jwks, e);
    }
  }

  private static void read(Path f, ArrayNode into) {
    int index = 0;
    for (YamlDocuments.Doc d : YamlDocuments.read(f)) {
      index++;
      inlineJwksFile(f, d.node());
      try {
        Documents.parse(d.node());
      } catch (ValidationException e) {
        throw new CliException(
            2, f + ":" + d.line() + ": document " + index + ": " + e.getMessage());
      }
      into.add(d.node());
    }
  }
}
