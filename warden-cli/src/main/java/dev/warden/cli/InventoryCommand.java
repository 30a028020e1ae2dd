package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "inventory",
    mixinStandardHelpOptions = true,
    description =
        "List every non-human identity and credential, and import ones Warden does not manage yet.",
    subcommands = {
      InventoryCommand.ListItems.class,
      InventoryCommand.Import.class,
      InventoryCommand.Blast.class
    })
final class InventoryCommand extends GroupCommand {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List inventory items (all pages).",
      footer = {
        "",
        "Examples:",
        "  warden inventory list --kind workload --owner alice@acme.com",
        "  warden inventory list --credential-type static -o json"
      })
  static final class ListItems extends ApiCommand implements Callable<Integer> {
    @Option(
        names = "--kind",
        description =
            "workload, issued-credential, admin-token, leaked-credential, or an imported kind")
    @Nullable String kind;

    @Option(names = "--owner")
    @Nullable String owner;

    @Option(names = "--team")
    @Nullable String team;

    @Option(names = "--environment")
    @Nullable String environment;

    @Option(
        names = "--credential-type",
        description = "static, short-lived, attested-identity or federated")
    @Nullable String credentialType;

    @Override
    public Integer call() {
      ApiClient api = connection.client();
      StringBuilder q = new StringBuilder("/v1/inventory?limit=1000");
      param(q, "kind", kind);
      param(q, "owner", owner);
      param(q, "team", team);
      param(q, "environment", environment);
      param(q, "credentialType", credentialType);
      var all = ApiClient.JSON.createArrayNode();
      String cursor = null;
      do {
        JsonNode page = api.get(q + (cursor == null ? "" : "&cursor=" + ApiClient.enc(cursor)));
        page.path("items").forEach(all::add);
        cursor = page.hasNonNull("next") ? page.path("next").asText() : null;
      } while (cursor != null);
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.set("items", all);
        output.print(out, o);
        return 0;
      }
      out.printf(
          java.util.Locale.ROOT,
          "%-20s %-18s %-48s %-22s %-12s %-22s %s%n",
          "KIND",
          "TYPE",
          "NAME",
          "OWNER",
          "ENV",
          "LAST USED",
          "EXPIRY");
      for (JsonNode i : all) {
        out.printf(
            java.util.Locale.ROOT,
            "%-20s %-18s %-48s %-22s %-12s %-22s %s%n",
            i.path("kind").asText(),
            i.path("credentialType").asText(),
            i.path("name").asText(),
            i.path("owner").asText("-"),
            i.path("environment").asText("-"),
            i.path("lastUsed").asText("-"),
            i.path("expiry").asText("never"));
      }
      out.println(all.size() + " item(s)");
      return 0;
    }
  }

  static void param(StringBuilder q, String name, @Nullable String value) {
    if (value != null && !value.isBlank()) {
      q.append('&').append(name).append('=').append(ApiClient.enc(value));
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {"Import NHIs from a file: names and metadata only, never secret values.", ""},
      footer = {
        "",
        "Formats:",
        "  k8s              kubectl get serviceaccounts,secrets -A -o json (secret data is never read)",
        "  github-workflow  a .github/workflows/*.yml file: secrets used, permissions, id-token: write",
        "  env              a .env file or a list of CI variable names (values are reduced to HMAC fingerprints)",
        "  csv              header row with name and optional kind,source,owner,team,environment,location,",
        "                   fingerprint,createdAt,expiresAt,lastRotatedAt,lastUsedAt; other columns become attributes",
        "  json             [{\"name\": ..., \"kind\": ..., \"attributes\": {...}}, ...]",
        "  ci-variables     gh secret list --json name,updatedAt,visibility; gh variable list --json name,value,updatedAt;",
        "                   GitLab GET /projects/:id/variables (values reduced to HMAC fingerprints; plain",
        "                   configuration variables skipped)",
        "  aws-credential-report      aws iam get-credential-report (its JSON, or the CSV of its base64 Content):",
        "                             each active access key and signing certificate, and the root account",
        "  aws-authorization-details  aws iam get-account-authorization-details: users with their policies, roles",
        "                             with their trust (OIDC-federated roles have credential type federated)",
        "  gcp-service-account-keys   gcloud iam service-accounts keys list --iam-account=SA --format=json (one or",
        "                             more): enabled USER_MANAGED keys",
        "  azure-credentials          az ad sp|app credential list [--cert], az ad sp|app list: client secrets and",
        "                             certificates (secretText and hint are never read)",
        "  vault-kv-metadata          vault kv metadata get -format=json, with \"path\" added (one object or a list)",
        "",
        "A bad row fails the whole import unless --partial. Items are merged by (source, kind, name).",
        "",
        "Examples:",
        "  kubectl get sa,secrets -A -o json > k8s.json && warden inventory import k8s.json --format k8s --source k8s:prod",
        "  warden inventory import .github/workflows/deploy.yml --format github-workflow --source github:acme/api",
        "  gh secret list --json name,updatedAt | warden inventory import - --format ci-variables --source github:acme/api",
        "  aws iam get-credential-report > report.json && warden inventory import report.json --format aws-credential-report"
      })
  static final class Import extends ApiCommand implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "the file to import, or - for standard input")
    String file;

    @Option(
        names = "--format",
        required = true,
        description =
            "k8s, github-workflow, env, csv, json, ci-variables,"
                + " aws-credential-report, aws-authorization-details, gcp-service-account-keys, azure-credentials or"
                + " vault-kv-metadata")
    String format;

    @Option(names = "--partial", description = "import the good rows even if some are bad")
    boolean partial;

    @Option(
        names = "--source",
        description = "where the items come from (default: the format, e.g. k8s)")
    @Nullable String source;

    @Option(names = "--owner", description = "owner for items that do not name one")
    @Nullable String owner;

    @Option(names = "--team")
    @Nullable String team;

    @Option(names = "--environment")
    @Nullable String environment;

    @Override
    public Integer call() {
      String content;
      try {
        content =
            file.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw CliException.io("cannot read", file, e);
      }
      ObjectNode b = ApiClient.JSON.createObjectNode();
      b.put("format", format);
      b.put("content", content);
      b.put("partial", partial);
      putOpt(b, "source", source);
      putOpt(b, "owner", owner);
      putOpt(b, "team", team);
      putOpt(b, "environment", environment);
      if (!file.equals("-")) {
        b.put("location", file);
      }
      JsonNode r = connection.client().post("/v1/inventory:import", b);
      PrintWriter out = spec.commandLine().getOut();
      if (output.structured()) {
        output.print(out, r);
        return r.path("errors").isEmpty() ? 0 : 1;
      }
      out.printf(
          java.util.Locale.ROOT,
          "imported: %d created, %d updated, %d unchanged, %d skipped%n",
          r.path("created").asInt(),
          r.path("updated").asInt(),
          r.path("unchanged").asInt(),
          r.path("skipped").asInt());
      r.path("duplicates").forEach(d -> out.println("merged duplicate: " + d.asText()));
      r.path("errors")
          .forEach(
              e ->
                  out.println(
                      "skipped line "
                          + e.path("line").asInt()
                          + ": "
                          + e.path("message").asText()));
      return r.path("errors").isEmpty() ? 0 : 1;
    }

    private static void putOpt(ObjectNode o, String f, @Nullable String v) {
      if (v != null) {
        o.put(f, v);
      }
    }
  }

  @Command(
      name = "blast-radius",
      mixinStandardHelpOptions = true,
      description =
          "What one identity can reach, weighted by sensitivity; without ID, every workload ranked.")
  static final class Blast extends ApiCommand implements Callable<Integer> {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "ID",
        description =
            "an inventory id, e.g. workload:spiffe://acme.com/api; a bare SPIFFE ID means its workload")
    @Nullable String id;

    @Override
    public Integer call() {
      ApiClient api = connection.client();
      JsonNode r = id == null ? api.get("/v1/report/blast-radius") : one(api, id);
      if (printedStructured(r)) {
        return 0;
      }
      PrintWriter out = out();
      Iterable<JsonNode> list = id == null ? r.path("items") : java.util.List.of(r);
      for (JsonNode b : list) {
        out.printf(
            java.util.Locale.ROOT,
            "%s  score %d%n",
            b.path("subject").asText(),
            b.path("score").asInt());
        for (JsonNode g : b.path("reachable")) {
          out.printf(
              java.util.Locale.ROOT,
              "  %-32s %-9s %3d  via %s%s%n",
              g.path("resource").asText(),
              g.path("sensitivity").asText(),
              g.path("weight").asInt(),
              g.path("path").asText(g.path("policy").asText()),
              g.path("conditional").asBoolean() ? " (conditional)" : "");
        }
      }
      return 0;
    }

    private static JsonNode one(ApiClient api, String id) {
      // inventory ids start with their kind; a SPIFFE ID alone can only mean a workload
      boolean bare = id.startsWith("spiffe://");
      String item = bare ? "workload:" + id : id;
      try {
        return api.get("/v1/inventory/" + ApiClient.enc(item) + "/blast-radius");
      } catch (CliException e) {
        if (e.exitCode() != 3) {
          throw e;
        }
        throw new CliException(
            3,
            bare
                ? "no workload "
                    + id
                    + " in the inventory (see 'warden inventory list --kind workload')"
                : "no inventory item '"
                    + item
                    + "'; ids start with their kind, e.g. workload:spiffe://acme.com/api"
                    + " (see 'warden inventory list')");
      }
    }
  }
}
