package dev.warden.cli;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Try the secretless flow locally with a demo OIDC issuer (not for production).",
      "The demo issuer's tokens look like a platform's, so no Kubernetes cluster or CI system is needed.",
      ""
    },
    subcommands = {DevCommand.IssuerInit.class, DevCommand.Mint.class, DevMcpServer.class})
final class DevCommand extends GroupCommand {
  static Path keyFile(Path dir) {
    return dir.resolve("issuer-key.json");
  }

  @Command(
      name = "issuer-init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a demo issuer key in DIR and print a TrustProvider document for it.",
        "The key file has mode 0600; the document carries the public key inline, so nothing is fetched.",
        ""
      },
      footer = {
        "",
        "Example:",
        "  warden dev issuer-init --dir /tmp/demo --issuer https://demo-k8s.warden.local > tp.yaml"
      })
  static final class IssuerInit implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Option(names = "--issuer", description = "issuer URL [https://demo-k8s.warden.local]")
    String issuer = "https://demo-k8s.warden.local";

    @Option(names = "--audience", description = "audience its tokens carry [warden]")
    String audience = "warden";

    @Option(
        names = "--type",
        description = "kubernetes, github-actions, gitlab-ci or oidc [kubernetes]")
    String type = "kubernetes";

    @Option(names = "--name", description = "trust provider name [demo-k8s]")
    String name = "demo-k8s";

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(dir);
      RSAKey key =
          new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("issuer", issuer);
      state.put("audience", audience);
      state.put("key", key.toJSONObject());
      Path f = keyFile(dir);
      Files.deleteIfExists(f);
      Files.createFile(
          f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(f, ApiClient.JSON.writeValueAsString(state), StandardCharsets.UTF_8);
      String jwks = new JWKSet(key.toPublicJWK()).toString(true);
      spec.commandLine()
          .getOut()
          .printf(
              java.util.Locale.ROOT,
              """
          apiVersion: warden.dev/v1
          kind: TrustProvider
          metadata:
            name: %s
          spec:
            type: %s
            issuer: %s
            audiences: [%s]
            algorithms: [RS256]
            jwks: '%s'
          """,
              name,
              type,
              issuer,
              audience,
              jwks);
      return 0;
    }
  }

  @Command(
      name = "mint",
      mixinStandardHelpOptions = true,
      description = {"Print a platform token signed by the demo issuer in DIR.", ""},
      footer = {
        "",
        "Examples:",
        "  warden dev mint --dir /tmp/demo --kubernetes payments/api",
        "  warden dev mint --dir /tmp/demo --github acme/api@refs/heads/main"
      })
  static final class Mint implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Option(
        names = "--kubernetes",
        paramLabel = "NAMESPACE/SERVICE_ACCOUNT",
        description = "a projected service-account token")
    @Nullable String kubernetes;

    @Option(
        names = "--github",
        paramLabel = "OWNER/REPO@REF",
        description = "a GitHub Actions OIDC token")
    @Nullable String github;

    @Option(names = "--ttl", description = "lifetime [10m]")
    String ttl = "10m";

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path f = keyFile(dir);
      if (!Files.exists(f)) {
        throw new CliException(
            2, f + " does not exist; run 'warden dev issuer-init --dir " + dir + "' first");
      }
      var state = ApiClient.JSON.readTree(Files.readAllBytes(f));
      RSAKey key = RSAKey.parse(state.get("key").toString());
      Instant now =
          java.time.Clock.systemUTC().instant(); // the CLI is the edge: it reads the clock here
      Duration life = dev.warden.core.model.Durations.parse("--ttl", ttl);
      JWTClaimsSet.Builder c =
          new JWTClaimsSet.Builder()
              .issuer(state.get("issuer").asText())
              .audience(state.get("audience").asText())
              .issueTime(Date.from(now))
              .notBeforeTime(Date.from(now))
              .expirationTime(Date.from(now.plus(life)))
              .jwtID(UUID.randomUUID().toString());
      if (kubernetes != null) {
        String[] p = kubernetes.split("/", 2);
        if (p.length != 2) {
          throw new CliException(2, "--kubernetes takes NAMESPACE/SERVICE_ACCOUNT");
        }
        String pod = p[1] + "-" + UUID.randomUUID().toString().substring(0, 5);
        c.subject("system:serviceaccount:" + p[0] + ":" + p[1])
            .claim(
                "kubernetes.io",
                Map.of(
                    "namespace", p[0],
                    "serviceaccount",
                        Map.of(
                            "name",
                            p[1],
                            "uid",
                            UUID.nameUUIDFromBytes(
                                    (p[0] + "/" + p[1]).getBytes(StandardCharsets.UTF_8))
                                .toString()),
                    "pod", Map.of("name", pod, "uid", UUID.randomUUID().toString()),
                    "node", Map.of("name", "node-1", "uid", UUID.randomUUID().toString())));
      } else if (github != null) {
        int at = github.indexOf('@');
        String repo = at < 0 ? github : github.substring(0, at);
        String ref = at < 0 ? "refs/heads/main" : github.substring(at + 1);
        c.subject("repo:" + repo + ":ref:" + ref)
            .claim("repository", repo)
            .claim("repository_owner", repo.substring(0, Math.max(0, repo.indexOf('/'))))
            .claim("ref", ref)
            .claim("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch")
            .claim("event_name", "push")
            .claim("workflow", "deploy")
            .claim("runner_environment", "github-hosted");
      } else {
        throw new CliException(
            2, "say what to mint: --kubernetes NAMESPACE/SA or --github OWNER/REPO@REF");
      }
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256)
                  .keyID(key.getKeyID())
                  .type(JOSEObjectType.JWT)
                  .build(),
              c.build());
      jwt.sign(new RSASSASigner(key));
      spec.commandLine().getOut().println(jwt.serialize());
      return 0;
    }
  }
}
