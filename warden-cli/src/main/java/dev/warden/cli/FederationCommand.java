package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.federation.CloudConfigs;
import dev.warden.core.federation.FederationRules;
import dev.warden.core.federation.FederationTarget;
import dev.warden.core.model.FederationCloud;
import dev.warden.server.federation.IssuerProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "federation",
    mixinStandardHelpOptions = true,
    description = {
      "Check and configure cloud federation so AWS, GCP and Azure accept Warden-signed tokens.",
      "See docs/federation.md."
    },
    subcommands = {FederationCommand.Check.class, FederationCommand.Config.class})
final class FederationCommand extends GroupCommand {
  static FederationCloud cloud(String name) {
    FederationCloud c = FederationCloud.ofKind(name.toLowerCase(Locale.ROOT));
    if (c == null) {
      throw new CliException(2, "'" + name + "' is not a cloud; use aws, gcp or azure");
    }
    return c;
  }

  static String path(String resource) {
    return "/v1/federation/"
        + URLEncoder.encode(resource, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check Warden's issuer against one cloud's documented federation rules and explain each broken one.",
        "Fetches discovery and the JWKS over https the way the cloud does; with --resource it also has the server",
        "sign an already-expired sample token for that resource and inspects kid, alg, signature, iss, aud, sub",
        "and lifetime. Exit code 1 when any rule is broken.",
        ""
      })
  static final class Check extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CLOUD", description = "aws, gcp or azure")
    String cloudName;

    @Option(
        names = "--issuer",
        paramLabel = "URL",
        description =
            "the issuer the cloud is configured with (default: the resource's issuer, else --server)")
    @Nullable String issuer;

    @Option(
        names = "--resource",
        paramLabel = "NAME",
        description = "inspect a sample token for this resource")
    @Nullable String resource;

    @Option(
        names = "--token-file",
        paramLabel = "FILE",
        description = "inspect this token (a real one) instead")
    @Nullable Path tokenFile;

    @Option(
        names = "--audience",
        paramLabel = "AUD",
        description =
            "the audience the cloud expects (default: the resource's, else the cloud's usual one)")
    @Nullable String audience;

    @Override
    public Integer call() {
      FederationCloud cloud = cloud(cloudName);
      FederationRules.SampleToken sample = null;
      String iss = issuer;
      if (resource != null) {
        JsonNode t = connection.client().get(path(resource) + "?sample=true");
        if (!cloud.kind().equals(t.path("cloud").asText())) {
          throw new CliException(
              2,
              "resource '"
                  + resource
                  + "' federates with "
                  + t.path("cloud").asText()
                  + ", not "
                  + cloud.kind());
        }
        iss = iss != null ? iss : t.path("issuer").asText();
        sample =
            new FederationRules.SampleToken(
                t.path("sample").asText(),
                audience != null ? audience : t.path("audience").asText(),
                t.path("sampleLifetimeSeconds").asLong());
      } else if (tokenFile != null) {
        try {
          sample =
              new FederationRules.SampleToken(
                  Files.readString(tokenFile, StandardCharsets.UTF_8).strip(),
                  audience != null ? audience : cloud.defaultAudience(),
                  null);
        } catch (IOException e) {
          throw new CliException(2, "cannot read " + tokenFile + ": " + e.getMessage());
        }
      }
      if (iss == null) {
        iss =
            connection.server != null
                ? ServerUrl.parse(connection.server)
                : connection.client().server();
      }
      List<FederationRules.Finding> findings =
          FederationRules.check(cloud, new IssuerProbe().probe(iss, sample));
      boolean broken = findings.stream().anyMatch(f -> !f.ok());
      PrintWriter out = out();
      if (output.structured()) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("cloud", cloud.kind());
        o.put("issuer", iss);
        o.put("ok", !broken);
        ArrayNode a = o.putArray("rules");
        for (FederationRules.Finding f : findings) {
          a.addObject().put("rule", f.rule().id()).put("ok", f.ok()).put("message", f.message());
        }
        output.print(out, o);
      } else {
        out.printf(Locale.ROOT, "%s federation check of %s%n", cloud.kind(), iss);
        for (FederationRules.Finding f : findings) {
          out.printf(
              Locale.ROOT,
              "  %-6s %-20s %s%n",
              f.ok() ? "ok" : "BROKEN",
              f.rule().id(),
              f.message());
        }
        long n = findings.stream().filter(f -> !f.ok()).count();
        out.println(
            n == 0
                ? "every rule holds"
                : n + " rule(s) broken: " + cloud.kind() + " would refuse these tokens");
      }
      return broken ? 1 : 0;
    }
  }

  @Command(
      name = "config",
      mixinStandardHelpOptions = true,
      description = {
        "Print the cloud-side configuration that trusts a federation resource, generated from policy.",
        "For AWS the IAM role trust policy, for GCP the provider's attribute mapping and CEL condition, for Azure one",
        "Entra federated identity credential per allowed workload. Commands to apply it follow on stderr (text).",
        "Exit code 1 when the cloud would refuse the result (see the printed problems).",
        ""
      })
  static final class Config extends ApiCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CLOUD", description = "aws, gcp or azure")
    String cloudName;

    @Option(
        names = "--resource",
        paramLabel = "NAME",
        required = true,
        description = "the federation resource")
    String resource;

    @Option(
        names = "--account-id",
        paramLabel = "ID",
        description = "AWS account of the IAM OIDC provider (aws)")
    @Nullable String accountId;

    @Override
    public Integer call() {
      FederationCloud cloud = cloud(cloudName);
      FederationTarget t = FederationTarget.fromJson(connection.client().get(path(resource)));
      if (t.cloud() != cloud) {
        throw new CliException(
            2,
            "resource '"
                + resource
                + "' federates with "
                + t.cloud().kind()
                + ", not "
                + cloud.kind());
      }
      CloudConfigs.Generated g;
      try {
        g = CloudConfigs.of(t, accountId);
      } catch (ValidationException e) {
        throw new CliException(2, e.getMessage());
      }
      PrintWriter out = out();
      if (output.structured()) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("cloud", cloud.kind());
        o.put("resource", resource);
        o.set("config", g.document());
        g.commands().forEach(o.putArray("commands")::add);
        g.problems().forEach(o.putArray("problems")::add);
        output.print(out, o);
      } else {
        output.print(out, g.document());
        PrintWriter err = spec.commandLine().getErr();
        err.println("# apply with:");
        g.commands().forEach(c -> err.println("#   " + c));
        g.problems().forEach(p -> err.println("problem: " + p));
      }
      return g.problems().isEmpty() ? 0 : 1;
    }
  }
}
