package dev.warden.cli;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Warden control plane: OAuth token endpoint, admin API, discovery, JWKS, metrics.",
      "On first start it creates the signing keys, the master key file and a bootstrap admin token, printed once.",
      ""
    },
    footer = {
      "",
      "Configuration: YAML file (--config), then environment (WARDEN_SERVER_PORT for server.port), then flags.",
      "All keys and defaults: warden server --list-keys",
      "",
      "Examples:",
      "  warden server                                   # embedded H2 in ./warden-data",
      "  warden server --db-url jdbc:postgresql://127.0.0.1:5432/warden --db-user warden",
      "  WARDEN_MASTER_KEY=\"$(warden server --new-master-key)\"   # one key for every node (back it up)"
    })
final class ServerCommand implements java.util.concurrent.Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML configuration file")
  @Nullable Path config;

  @Option(names = "--host", description = "address to listen on [127.0.0.1]")
  @Nullable String host;

  @Option(
      names = {"-p", "--port"},
      description = "TCP port [8080]")
  @Nullable Integer port;

  @Option(
      names = "--issuer",
      paramLabel = "URL",
      description = "public URL of this server (the 'iss' of its tokens)")
  @Nullable String issuer;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "embedded database and master key directory [./warden-data]")
  @Nullable String dataDir;

  @Option(
      names = "--upstream-ca-cert",
      paramLabel = "PEM",
      description =
          "certificate of an upstream CA: Warden's CA becomes its intermediate (with --upstream-ca-key)")
  @Nullable String upstreamCaCert;

  @Option(
      names = "--upstream-ca-key",
      paramLabel = "PEM",
      description = "private key of the upstream CA")
  @Nullable String upstreamCaKey;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC_URL",
      description = "PostgreSQL JDBC URL (or WARDEN_DB_URL)")
  @Nullable String dbUrl;

  @Option(names = "--db-user", description = "database user")
  @Nullable String dbUser;

  @Option(names = "--trust-domain", description = "SPIFFE trust domain [warden.local]")
  @Nullable String trustDomain;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "any configuration key, e.g. --set keys.algorithm=EdDSA")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(
      names = "--list-keys",
      description = "print every configuration key with its default and exit")
  boolean listKeys;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--new-master-key",
      description =
          "print a new master key (Tink AES-256-GCM keyset, JSON, one line) for "
              + "WARDEN_MASTER_KEY and exit; several nodes must share one, so create it once, store it as a secret, back it up")
  boolean newMasterKey;

  @Override
  @SuppressForbidden(
      "a running server's start-up lines (the bootstrap admin token, printed once) go to the process's"
          + " stdout, where an operator or a supervisor reads them")
  public Integer call() throws InterruptedException {
    if (listKeys) {
      spec.commandLine().getOut().print(ConfigLoader.describeKeys());
      return 0;
    }
    if (newMasterKey) {
      // printed, never written to a file: the operator puts it in a secret store (Kubernetes
      // Secret,
      // systemd credential), which a file created here would only duplicate
      spec.commandLine()
          .getOut()
          .println(
              dev.warden.core.crypto.SecretBox.generate()
                  .toJson()
                  .reveal()
                  .replaceAll("\\s*\\n\\s*", ""));
      spec.commandLine().getOut().flush();
      return 0;
    }
    Map<String, String> flags = new LinkedHashMap<>(set);
    put(flags, "server.host", host);
    put(flags, "server.port", port == null ? null : port.toString());
    put(flags, "server.issuer", issuer);
    put(flags, "server.dataDir", dataDir);
    put(flags, "server.trustDomain", trustDomain);
    put(flags, "db.url", dbUrl);
    put(flags, "db.user", dbUser);
    put(flags, "ca.upstreamCert", upstreamCaCert);
    put(flags, "ca.upstreamKey", upstreamCaKey);
    long t0 = System.nanoTime();
    ServerConfig cfg = ConfigLoader.load(config, System.getenv(), flags);
    WardenServer server = WardenServer.start(cfg, Clock.systemUTC(), System.out);
    System.out.printf(
        java.util.Locale.ROOT,
        "Warden %s is ready on port %d (issuer %s) in %d ms%n",
        dev.warden.core.WardenVersion.get(),
        server.port(),
        server.issuer(),
        (System.nanoTime() - t0) / 1_000_000);
    System.out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stop.countDown();
                },
                "warden-shutdown"));
    stop.await();
    return 0;
  }

  private static void put(Map<String, String> m, String k, @Nullable String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
