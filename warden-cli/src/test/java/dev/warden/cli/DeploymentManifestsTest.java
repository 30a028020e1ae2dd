package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.server.config.ConfigKey;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.config.ServerKeys;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The deployment files under {@code deploy/} checked without a cluster or a systemd: every
 * Kubernetes manifest against the API schema of the official client's generated models (an unknown
 * or misspelled field, a missing required field or a wrong type is refused), and against Warden
 * itself — the ConfigMap's configuration loads with the server's own loader, the environment
 * variables are keys the server reads, the containers' arguments parse as the {@code warden}
 * commands they run, and the names that tie the objects together (selectors, the Service the agent
 * calls, the projected token's audience, the socket in its hostPath) agree. The systemd units pass
 * {@code systemd-analyze verify} and their command lines parse too.
 */
class DeploymentManifestsTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  static Path root;
  static Path kubernetes;

  /** Each manifest file's objects, parsed by the model class of its kind. */
  static final Map<String, Object> objects = new HashMap<>();

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    kubernetes = root.resolve("deploy/kubernetes");
    for (Path f : manifests()) {
      objects.put(f.getFileName().toString(), parse(Files.readString(f, StandardCharsets.UTF_8)));
    }
  }

  static List<Path> manifests() throws IOException {
    try (Stream<Path> s = Files.list(kubernetes)) {
      return s.filter(
              p ->
                  p.toString().endsWith(".yaml")
                      && !p.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    }
  }

  /**
   * One Kubernetes object from YAML, through the generated model of its kind; the models refuse
   * fields their schema does not have and lack of required ones.
   *
   * @throws IllegalArgumentException for a schema violation, or a kind this test does not know
   */
  static Object parse(String yaml) throws IOException {
    JsonNode n = YAML.readTree(yaml);
    String json = JSON.writeValueAsString(n);
    String type = n.path("apiVersion").asText() + " " + n.path("kind").asText();
    try {
      return switch (type) {
        case "v1 Namespace" -> V1Namespace.fromJson(json);
        case "v1 ConfigMap" -> V1ConfigMap.fromJson(json);
        case "v1 ServiceAccount" -> V1ServiceAccount.fromJson(json);
        case "v1 Service" -> V1Service.fromJson(json);
        case "apps/v1 Deployment" -> V1Deployment.fromJson(json);
        case "apps/v1 DaemonSet" -> V1DaemonSet.fromJson(json);
        case "policy/v1 PodDisruptionBudget" -> V1PodDisruptionBudget.fromJson(json);
        default ->
            throw new IllegalArgumentException(
                "no schema known for " + type + ": add its model here");
      };
    } catch (com.google.gson.JsonParseException e) {
      // a value of the wrong type (a string for an integer, ...)
      throw new IllegalArgumentException(type + ": " + e.getMessage(), e);
    }
  }

  static <T> T object(String file, Class<T> type) {
    return type.cast(objects.get(file));
  }

  static V1Container container(String file) {
    Object o = objects.get(file);
    var spec =
        o instanceof V1Deployment d
            ? d.getSpec().getTemplate().getSpec()
            : ((V1DaemonSet) o).getSpec().getTemplate().getSpec();
    assertThat(spec.getContainers()).hasSize(1);
    return spec.getContainers().getFirst();
  }

  @Test
  void everyManifestIsValidAgainstTheKubernetesSchemaOfItsKind() {
    assertThat(objects.keySet())
        .containsExactlyInAnyOrder(
            "namespace.yaml",
            "server-config.yaml",
            "server-serviceaccount.yaml",
            "server-deployment.yaml",
            "server-service.yaml",
            "server-pdb.yaml",
            "agent-serviceaccount.yaml",
            "agent-daemonset.yaml");
  }

  @Test
  void aMisspelledFieldAWrongTypeOrAMissingRequiredFieldIsRefused() throws IOException {
    String deployment =
        Files.readString(kubernetes.resolve("server-deployment.yaml"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parse(deployment.replace("readinessProbe:", "readynessProbe:")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readynessProbe");
    assertThatThrownBy(
            () -> parse(deployment.replace("containerPort: 8080", "containerPort: eighty")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                parse(
                    deployment.replace(
                        "        - name: server\n          image: warden",
                        "        - image: warden")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("`name`");
    assertThatThrownBy(() -> parse("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"))
        .hasMessageContaining("no schema known for v1 Secret");
  }

  @Test
  void kustomizationListsEveryManifestAndNothingElse() throws IOException {
    JsonNode k = YAML.readTree(kubernetes.resolve("kustomization.yaml").toFile());
    Set<String> listed = new TreeSet<>();
    k.path("resources").forEach(r -> listed.add(r.asText()));
    assertThat(listed).isEqualTo(new TreeSet<>(objects.keySet()));
    assertThat(k.path("namespace").asText())
        .isEqualTo(object("namespace.yaml", V1Namespace.class).getMetadata().getName());
  }

  @Test
  void serverConfigurationLoadsWithTheServersOwnLoaderAndItsEnvironmentNamesKeysTheServerReads()
      throws IOException {
    Path config = tmp.resolve("warden.yaml");
    Files.writeString(
        config, object("server-config.yaml", V1ConfigMap.class).getData().get("warden.yaml"));
    V1Container server = container("server-deployment.yaml");
    Set<String> known =
        ServerKeys.ALL.stream()
            .map(ConfigKey::envName)
            .collect(Collectors.toCollection(TreeSet::new));
    known.add("WARDEN_MASTER_KEY");
    Map<String, String> env = new HashMap<>();
    for (V1EnvVar e : server.getEnv()) {
      assertThat(known).as("environment variable %s", e.getName()).contains(e.getName());
      assertThat(e.getValueFrom().getSecretKeyRef())
          .as("%s comes from a Secret", e.getName())
          .isNotNull();
      env.put(e.getName(), "x");
    }
    ServerConfig cfg = ConfigLoader.load(config, env, Map.of());
    assertThat(cfg.embeddedStore()).as("several nodes need PostgreSQL").isFalse();
    assertThat(cfg.get(ServerKeys.SERVER_HOST)).isEqualTo("0.0.0.0");
    assertThat(cfg.issuer()).startsWith("https://");

    // the container's arguments are a `warden server` command line, reading that file where it is
    // mounted
    List<String> args = server.getArgs();
    CommandLine.ParseResult parsed =
        Main.commandLine(new CliEnvironment(Map.of(), tmp)).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("server");
    String mounted = mountPath(server, "config");
    assertThat(args).contains(mounted + "/warden.yaml");
    // what the probes and the Service reach is the port the configuration listens on
    assertThat(server.getPorts().getFirst().getContainerPort())
        .isEqualTo(cfg.get(ServerKeys.SERVER_PORT));
    assertThat(mountPath(server, "data")).isEqualTo(cfg.get(ServerKeys.SERVER_DATA_DIR).toString());
  }

  @Test
  void selectorsOfTheServiceAndTheBudgetPickTheServerPodsAndTheAgentCallsThatService() {
    V1Deployment d = object("server-deployment.yaml", V1Deployment.class);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    V1Service svc = object("server-service.yaml", V1Service.class);
    assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    V1PodDisruptionBudget pdb = object("server-pdb.yaml", V1PodDisruptionBudget.class);
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getMinAvailable().getIntValue()).isLessThan(d.getSpec().getReplicas());
    V1DaemonSet ds = object("agent-daemonset.yaml", V1DaemonSet.class);
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());

    URI server = URI.create(flag(container("agent-daemonset.yaml").getArgs(), "--server"));
    String namespace = object("namespace.yaml", V1Namespace.class).getMetadata().getName();
    assertThat(server.getHost()).isEqualTo(svc.getMetadata().getName() + "." + namespace + ".svc");
    assertThat(server.getPort()).isEqualTo(svc.getSpec().getPorts().getFirst().getPort());
  }

  @Test
  void agentRunsWardenWithArgumentsTheAgentAcceptsAndAttestsWithATokenForTheServersIssuer()
      throws IOException {
    V1DaemonSet ds = object("agent-daemonset.yaml", V1DaemonSet.class);
    V1Container agent = container("agent-daemonset.yaml");
    List<String> command = agent.getCommand();
    assertThat(command.getLast()).isEqualTo(Main.class.getName());
    assertThat(command).containsSubsequence("-cp", "@/app/jib-classpath-file");
    CommandLine.ParseResult parsed =
        Main.commandLine(new CliEnvironment(Map.of(), tmp))
            .parseArgs(agent.getArgs().toArray(String[]::new));
    assertThat(parsed.subcommand().subcommand().commandSpec().qualifiedName())
        .isEqualTo("warden agent run");
    // attestation needs the callers' /proc entries
    assertThat(ds.getSpec().getTemplate().getSpec().getHostPID()).isTrue();

    // the socket is in the hostPath the workloads share
    String socket = flag(agent.getArgs(), "--socket");
    String socketDir = mountPath(agent, "workload-api");
    assertThat(Path.of(socket).getParent()).isEqualTo(Path.of(socketDir));
    assertThat(volume(ds, "workload-api").getHostPath().getPath()).isEqualTo(socketDir);

    // node evidence: the projected token file, for the audience the server's issuer names
    String tokenFile = flag(agent.getArgs(), "--platform-token-file");
    var projected =
        volume(ds, "platform-token")
            .getProjected()
            .getSources()
            .getFirst()
            .getServiceAccountToken();
    assertThat(Path.of(tokenFile))
        .isEqualTo(Path.of(mountPath(agent, "platform-token"), projected.getPath()));
    Path config = tmp.resolve("warden.yaml");
    Files.writeString(
        config, object("server-config.yaml", V1ConfigMap.class).getData().get("warden.yaml"));
    assertThat(projected.getAudience())
        .isEqualTo(ConfigLoader.load(config, Map.of(), Map.of()).issuer());
    assertThat(projected.getExpirationSeconds()).isBetween(600L, 86_400L);
    assertThat(ds.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(flag(agent.getArgs(), "--data-dir")).isEqualTo(mountPath(agent, "data"));
  }

  @Test
  void systemdUnitsVerifyAndTheirCommandLinesAreWardenCommands() throws Exception {
    Path unitDir = root.resolve("deploy/systemd");
    List<Path> units;
    try (Stream<Path> s = Files.list(unitDir)) {
      units = s.filter(p -> p.toString().endsWith(".service")).sorted().toList();
    }
    assertThat(units)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("warden-agent.service", "warden-server.service");
    Map<String, List<String>> commands = new HashMap<>();
    for (Path u : units) {
      String text = Files.readString(u, StandardCharsets.UTF_8).replace("\\\n", " ");
      String exec =
          text.lines()
              .filter(l -> l.startsWith("ExecStart="))
              .findFirst()
              .orElseThrow()
              .substring(10);
      List<String> words = new ArrayList<>(List.of(exec.strip().split("\\s+")));
      int jar = words.indexOf("-jar");
      assertThat(words.get(jar + 1)).isEqualTo("/opt/warden/warden.jar");
      List<String> args =
          words.subList(jar + 2, words.size()).stream()
              .map(w -> w.equals("${WARDEN_SERVER}") ? "https://warden.example.com" : w)
              .toList();
      Main.commandLine(new CliEnvironment(Map.of(), tmp)).parseArgs(args.toArray(String[]::new));
      commands.put(u.getFileName().toString(), args);
    }
    assertThat(commands.get("warden-server.service")).startsWith("server");
    assertThat(commands.get("warden-agent.service")).startsWith("agent", "run");

    Path analyze = Path.of("/usr/bin/systemd-analyze");
    if (!Files.isExecutable(analyze)) {
      // the machine image has it; elsewhere say what was not checked
      Assumptions.assumeTrue(System.getenv("CI") == null, "systemd-analyze is required under CI");
      Assumptions.abort(
          "systemd-analyze is not installed: the units' directives were not verified");
    }
    List<String> cmd = new ArrayList<>(List.of(analyze.toString(), "verify", "--man=no"));
    units.forEach(u -> cmd.add(u.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // an unknown directive is only a warning (exit 0): any output fails
    assertThat(out).as("systemd-analyze verify").isEmpty();
    assertThat(p.exitValue()).isZero();
  }

  static String flag(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as("%s in %s", name, args).isNotNegative();
    return args.get(i + 1);
  }

  static String mountPath(V1Container c, String volume) {
    return c.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(volume))
        .map(V1VolumeMount::getMountPath)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no mount of volume " + volume));
  }

  static V1Volume volume(V1DaemonSet ds, String name) {
    return ds.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
