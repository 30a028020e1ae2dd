package dev.warden.server;

import static dev.warden.server.config.ServerKeys.AUDIT_CHECKPOINTS_KEPT;
import static dev.warden.server.config.ServerKeys.AUDIT_MAX_BATCH;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_BATCH;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_FILE;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_FILE_KEEP;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_FILE_MAX_MB;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_INTERVAL;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_LEASE;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_NATS_DUPLICATE_WINDOW;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_NATS_STREAM;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_NATS_SUBJECT;
import static dev.warden.server.config.ServerKeys.AUDIT_STREAM_NATS_URL;
import static dev.warden.server.config.ServerKeys.AUDIT_TIMEOUT;
import static dev.warden.server.config.ServerKeys.CA_UPSTREAM_CERT;
import static dev.warden.server.config.ServerKeys.CA_UPSTREAM_KEY;
import static dev.warden.server.config.ServerKeys.CLIENT_METADATA_ALLOWED_NETWORKS;
import static dev.warden.server.config.ServerKeys.CLIENT_METADATA_TRUSTED_CAS;
import static dev.warden.server.config.ServerKeys.DB_MAX_POOL;
import static dev.warden.server.config.ServerKeys.DB_PASSWORD;
import static dev.warden.server.config.ServerKeys.DB_URL;
import static dev.warden.server.config.ServerKeys.DB_USER;
import static dev.warden.server.config.ServerKeys.JWKS_REFRESH_MIN_INTERVAL;
import static dev.warden.server.config.ServerKeys.KEYS_ALGORITHM;
import static dev.warden.server.config.ServerKeys.LOGIN_CLIENT_ID;
import static dev.warden.server.config.ServerKeys.LOGIN_CLIENT_SECRET;
import static dev.warden.server.config.ServerKeys.LOGIN_CLIENT_SECRET_NAME;
import static dev.warden.server.config.ServerKeys.LOGIN_PROVIDER;
import static dev.warden.server.config.ServerKeys.LOGIN_SCOPES;
import static dev.warden.server.config.ServerKeys.NOTIFICATIONS_FINDINGS;
import static dev.warden.server.config.ServerKeys.NOTIFICATIONS_RETRY_BASE;
import static dev.warden.server.config.ServerKeys.NOTIFICATIONS_WEBHOOK_URL;
import static dev.warden.server.config.ServerKeys.RECERT_REMINDER_INTERVAL;
import static dev.warden.server.config.ServerKeys.SERVER_DATA_DIR;
import static dev.warden.server.config.ServerKeys.SERVER_TRUST_DOMAIN;
import static dev.warden.server.config.ServerKeys.TLS_CERT;
import static dev.warden.server.config.ServerKeys.TLS_CLIENT_CAS;
import static dev.warden.server.config.ServerKeys.TLS_DNS_NAMES;
import static dev.warden.server.config.ServerKeys.TLS_KEY;
import static dev.warden.server.config.ServerKeys.TOKENS_DEFAULT_TTL;
import static dev.warden.server.config.ServerKeys.TOKENS_TYP;

import dev.warden.core.agent.AgentService;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.ValidationException;
import dev.warden.core.grant.TokenService;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.lease.LeakService;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.Der;
import dev.warden.core.pki.UpstreamCa;
import dev.warden.core.recert.RecertService;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.SigningAlgorithm;
import dev.warden.core.trust.TrustOptions;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.federation.HttpDocumentFetcher;
import dev.warden.server.notify.FindingNotices;
import dev.warden.server.notify.WebhookNotifier;
import dev.warden.server.tls.ServerTls;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The object graph of one node, built by hand and in start-up order: store, audit writer, master
 * key, signing keys, CA, bootstrap admin token (printed on first start), compiled configuration,
 * then the core services. Nothing here serves or schedules anything: {@link Routes} and {@link
 * Schedules} take it from here. Compiling the configuration overlaps with key loading.
 *
 * <p>Why it is over 400 lines: it is the one hand-written object graph of a node (decision in
 * docs/architecture.md); splitting it would scatter the start-up order that it exists to show in
 * one place.
 */
final class Wiring implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Wiring.class.getName());
  private static final String FINGERPRINT_KEY = "fingerprint.key";
  private static final String CHAIN_ID = "audit.chainId";

  final ServerConfig cfg;
  final Clock clock;
  final JdbcStore store;
  final AuditWriter audit;
  final KeyManager keys;
  final KeyManager jwtSvidKeys;

  /** Keys of cloud federation tokens; null unless federation.enabled. */
  final @Nullable KeyManager federationKeys;

  /** Keys of the audit chain's signed checkpoints (decision 009). */
  final KeyManager checkpointKeys;

  final dev.warden.core.checkpoint.Checkpointer checkpoints;

  /** Where the audit log is streamed (not started: {@link Schedules} starts them); decision 010. */
  final List<dev.warden.core.auditstream.AuditSink> auditSinks;

  /** This node's name in the audit stream's drain leases. */
  final String nodeName;

  final dev.warden.core.auditstream.AuditStreamer.Settings streamSettings;
  final CaManager ca;
  final AdminTokens adminTokens;
  final RuntimeState state;
  final ServerMetrics metrics = new ServerMetrics();
  final Fingerprinter fingerprinter;
  final byte[] fingerprintKey;
  final String fingerprintKeyId;
  final TokenService tokens;
  final ConfigService config;
  final LeaseService leases;
  final LeakService leaks;

  /** Answers the scanner's --verify: which found credentials are live. */
  final dev.warden.core.exposure.ExposureCheck exposure;

  /** The stored resources (not a cached snapshot). */
  final java.util.function.Supplier<List<dev.warden.core.model.Resource>> resources;

  final PostureIndex postureIndex;
  final InventoryService inventory;
  final dev.warden.core.impact.ImpactService impact;
  final WebhookNotifier webhook;
  final RecertService recert;
  final AgentService agents;
  final dev.warden.core.agent.AgentLeases agentLeases;
  final dev.warden.core.database.DatabaseTargets databases;
  final dev.warden.core.database.LeaseReaper reaper;
  final dev.warden.core.upstream.UpstreamTokenProvider upstreamTokens;
  final dev.warden.core.secret.BrokeredSecrets secrets;
  final dev.warden.core.secret.ReadLog secretReads;

  /** The master key's AEAD: seals what this installation stores or hands out to be given back. */
  final SecretBox box;

  /** The authorization endpoint's parts; all null unless login.provider is set (docs/agents.md). */
  final dev.warden.core.oauth.@Nullable ClientRegistry clients;

  final dev.warden.core.oauth.@Nullable Authorizations authorizations;
  final dev.warden.core.oauth.@Nullable CodeGrant codeGrant;
  final dev.warden.server.oauth.@Nullable UpstreamLogin login;
  final dev.warden.core.mcp.McpGateway mcpGateway;

  /** The leases and secrets the MCP gateway keeps between calls (decision 662). */
  final NodeCaches nodeCaches;

  /**
   * DPoP proofs (RFC 9449) at the token endpoint and the MCP gateway: one replay cache per node.
   */
  final dev.warden.core.dpop.DpopVerifier dpop;

  /** Follows the audit log: its integrity from event 1, and hourly counts for the console. */
  final dev.warden.core.audit.ChainWatch chainWatch;

  /** The HTTPS identity of the listener; null when it serves plain HTTP. */
  final @Nullable ServerTls tls;

  /** Keeps the cached configuration, keys and CA current; started by {@link Schedules}. */
  final Reloader reloader;

  /** Wakes {@link #reloader} when another node commits a change (PostgreSQL LISTEN/NOTIFY). */
  final dev.warden.store.ChangeFeed changes;

  /** Start-up milestones (System.nanoTime), for the start-up log line. */
  final long startedAt;

  final long storeOpenAt;
  final long keysReadyAt;
  final long configurationReadyAt;

  /**
   * @param out where the bootstrap admin token is printed, once, on first start
   * @throws ValidationException when configuration is unusable
   */
  Wiring(ServerConfig cfg, Clock clock, PrintStream out) {
    this.cfg = cfg;
    this.clock = clock;
    this.dpop = new dev.warden.core.dpop.DpopVerifier(clock);
    startedAt = System.nanoTime();
    // Initialising CEL (protobuf descriptors) and Tink takes longer than opening the store; doing
    // it on another core meanwhile halves start-up on a 2-core machine.
    Thread.ofPlatform().name("warden-warmup").daemon(true).start(Wiring::warmUp);
    String dbUrl = cfg.get(DB_URL);
    dev.warden.core.crypto.Secret dbPassword = cfg.get(DB_PASSWORD);
    store =
        JdbcStore.open(
            dbUrl == null
                ? StoreConfig.embedded(cfg.get(SERVER_DATA_DIR))
                : new StoreConfig(
                    dbUrl,
                    cfg.get(DB_USER),
                    dbPassword == null ? null : dbPassword.reveal(),
                    cfg.get(DB_MAX_POOL)));
    storeOpenAt = System.nanoTime();
    AuditWriter auditWriter = null;
    try {
      boolean freshInstall = store.signingKeys().list().isEmpty();
      auditWriter =
          new AuditWriter(
              store.audit(), cfg.get(AUDIT_MAX_BATCH), cfg.get(AUDIT_TIMEOUT).toMillis(), clock);
      audit = auditWriter;
      // compiling policies and trust providers does not depend on keys: overlap the two
      TrustOptions trustOptions =
          TrustOptions.defaults().withJwksRefreshInterval(cfg.get(JWKS_REFRESH_MIN_INTERVAL));
      CompletableFuture<RuntimeState> stateFuture =
          CompletableFuture.supplyAsync(
              () -> new RuntimeState(store, new HttpDocumentFetcher(), clock, trustOptions, audit),
              r -> Thread.ofPlatform().name("warden-config-load").daemon(true).start(r));
      box = MasterKeys.load(cfg.masterKeyEnv(), cfg.masterKeyFile(), freshInstall);
      fingerprintKey = fingerprintKey(store, box);
      fingerprintKeyId = HexFormat.of().formatHex(Hashes.sha256(fingerprintKey), 0, 8);
      fingerprinter = new Fingerprinter(fingerprintKey);
      keys =
          new KeyManager(
              KeyPurpose.ACCESS_TOKEN,
              store.signingKeys(),
              box,
              clock,
              cfg.rotation(),
              cfg.get(KEYS_ALGORITHM),
              audit);
      keys.ensureActiveKey();
      // JWT-SVIDs get keys of their own, published only in the SPIFFE bundle; the JWT-SVID spec
      // allows no EdDSA, so they are ES256 whatever keys.algorithm says
      jwtSvidKeys =
          new KeyManager(
              KeyPurpose.JWT_SVID,
              store.signingKeys(),
              box,
              clock,
              cfg.rotation(),
              SigningAlgorithm.ES256,
              audit);
      jwtSvidKeys.ensureActiveKey();
      // only when asked for: an RSA key costs a noticeable part of first start on a small machine
      federationKeys =
          !cfg.get(dev.warden.server.config.ServerKeys.FEDERATION_ENABLED)
              ? null
              : new KeyManager(
                  KeyPurpose.FEDERATION,
                  store.signingKeys(),
                  box,
                  clock,
                  cfg.rotation(),
                  cfg.get(dev.warden.server.config.ServerKeys.FEDERATION_ALGORITHM),
                  audit);
      if (federationKeys != null) {
        federationKeys.ensureActiveKey();
      }
      // checkpoints are ES256 whatever keys.algorithm says: any JOSE library an auditor has
      // verifies it
      checkpointKeys =
          new KeyManager(
              KeyPurpose.AUDIT_CHECKPOINT,
              store.signingKeys(),
              box,
              clock,
              cfg.rotation(),
              SigningAlgorithm.ES256,
              audit);
      checkpointKeys.ensureActiveKey();
      String chain = chainId(store);
      checkpoints =
          new dev.warden.core.checkpoint.Checkpointer(
              checkpointKeys,
              store.audit(),
              store.auditCheckpoints(),
              cfg.issuer(),
              chain,
              clock,
              cfg.get(AUDIT_CHECKPOINTS_KEPT));
      streamSettings = streamSettings(cfg);
      auditSinks = auditSinks(cfg, chain);
      nodeName = nodeName();
      Path upstreamCert = cfg.get(CA_UPSTREAM_CERT);
      Path upstreamKey = cfg.get(CA_UPSTREAM_KEY);
      // ConfigLoader refuses one without the other
      UpstreamCa upstream =
          upstreamCert == null || upstreamKey == null
              ? null
              : UpstreamCa.load(upstreamCert, upstreamKey);
      ca = new CaManager(store.authorities(), box, clock, cfg.pki(), upstream, audit);
      ca.ensureActive();
      keysReadyAt = System.nanoTime();
      adminTokens = new AdminTokens(store.adminTokens(), store.settings(), audit, clock);
      adminTokens.bootstrapOnce().ifPresent(issued -> printBootstrap(out, issued, cfg.issuer()));
      state = join(stateFuture);
      configurationReadyAt = System.nanoTime();

      resources =
          () ->
              store.resources().list().stream()
                  .map(dev.warden.core.store.Versioned::value)
                  .toList();
      databases =
          new dev.warden.core.database.DatabaseTargets(
              new dev.warden.server.database.UserDatabases(
                  java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30)),
              store.targetSecrets(),
              resources,
              box,
              fingerprinter,
              audit,
              clock,
              dev.warden.core.upstream.UpstreamTokenProvider::checkSecret);
      // upstream OAuth clients authenticate with target secrets too: the same sealed store
      upstreamTokens =
          new dev.warden.core.upstream.UpstreamTokenProvider(
              new dev.warden.server.upstream.HttpUpstreamTokenClient(),
              databases::targetSecret,
              clock,
              fingerprinter);
      config =
          new ConfigService(store, audit, clock, cfg.provisioning())
              .withResourceCheck(
                  r -> {
                    databases.verify(r);
                    upstreamTokens.verify(r);
                  });
      secrets =
          new dev.warden.core.secret.BrokeredSecrets(
              store.brokeredSecrets(),
              new dev.warden.core.crypto.EnvelopeCipher(box),
              fingerprinter,
              audit,
              clock,
              dev.warden.core.secret.DatabaseRotation.all(databases, resources));
      secretReads = new dev.warden.core.secret.ReadLog(store.brokeredSecrets());
      nodeCaches = new NodeCaches(store);
      tokens =
          new TokenService(
              state::trust,
              clientTrust(ca, cfg),
              state::policies,
              List.of(
                  new dev.warden.core.grant.AccessTokenProvider(
                      keys, cfg.issuer(), cfg.get(TOKENS_TYP), federationKeys),
                  new dev.warden.core.database.DatabaseUserProvider(databases),
                  upstreamTokens,
                  new dev.warden.core.secret.BrokeredSecretProvider(
                      secrets, secretReads, nodeCaches.secrets)),
              audit,
              fingerprinter,
              clock,
              store.targetLeases(),
              new TokenService.Chains(
                  new dev.warden.core.token.WardenTokens(keys, store.leases(), clock, cfg.issuer()),
                  cfg.issuer(),
                  cfg.pki().trustDomain(),
                  keys,
                  store.audit(),
                  cfg.get(dev.warden.server.config.ServerKeys.DELEGATION_MAX_DEPTH),
                  jwtSvidKeys));
      mcpGateway =
          new dev.warden.core.mcp.McpGateway(
              new dev.warden.core.token.WardenTokens(keys, nodeCaches.leases, clock, cfg.issuer()),
              state::policies,
              audit,
              store.audit(),
              new dev.warden.core.mcp.McpCredentials(
                  secrets, secretReads, upstreamTokens, state::policies, nodeCaches.secrets),
              store.userGrants(),
              cfg.pki().trustDomain(),
              clock,
              dpop);
      reaper =
          new dev.warden.core.database.LeaseReaper(
              store.targetLeases(),
              store.leases(),
              databases,
              resources,
              audit,
              clock,
              reaperSettings(cfg));
      metrics.databaseLeases(reaper::counts, reaper::totals);
      metrics.stuckRotations(secrets::stuckRotations);
      metrics.auditCheckpoints(checkpoints);
      leases = new LeaseService(store.leases(), audit, clock);
      chainWatch =
          new dev.warden.core.audit.ChainWatch(
              store.audit(),
              clock,
              java.time.Duration.ofDays(14),
              5000,
              cfg.get(dev.warden.server.config.ServerKeys.AUDIT_CHAIN_WATCH_FIRST_PASS_PERCENT));
      // a leaked upstream token is forgotten and revoked at its upstream (RFC 7009) besides its
      // leases
      leaks =
          new LeakService(
              store.leases(),
              audit,
              clock,
              lease ->
                  lease.kind() != dev.warden.core.model.CredentialKind.UPSTREAM_TOKEN
                      ? List.of()
                      : upstreamTokens
                          .compromised(
                              lease.fingerprint(),
                              // a provider's credential's lease names its resource (LeaseIntents)
                              Objects.requireNonNull(
                                  lease.resource(), "an upstream token's resource"))
                          .stream()
                          .map(
                              c ->
                                  new LeakService.Outcome(
                                      c.revocation()
                                          == dev.warden.core.upstream.UpstreamTokenProvider
                                              .Revocation.REVOKED,
                                      c.resource(),
                                      java.util.Map.of(
                                          "upstream",
                                          c.revocation()
                                              .name()
                                              .toLowerCase(java.util.Locale.ROOT)
                                              .replace('_', '-'),
                                          "message",
                                          c.message())))
                          .toList());
      exposure =
          new dev.warden.core.exposure.ExposureCheck(
              store.leases(),
              store.targetSecrets(),
              store.brokeredSecrets(),
              store.signingKeys(),
              store.authorities(),
              audit,
              clock);
      for (dev.warden.core.document.Kind k : dev.warden.core.document.Kind.values()) {
        metrics.disabledObjects(
            k.wire(), () -> state.disabled().stream().filter(d -> d.kind() == k).count());
      }
      postureIndex = new PostureIndex(store, store.inventory(), clock, cfg.posture());
      inventory =
          new InventoryService(
              store,
              store.inventory(),
              store.kpiHistory(),
              config,
              audit,
              clock,
              cfg.posture(),
              postureIndex);
      impact =
          new dev.warden.core.impact.ImpactService(
              store, store.inventory(), inventory, state::policies, clock);
      webhook =
          new WebhookNotifier(
              cfg.get(NOTIFICATIONS_WEBHOOK_URL),
              cfg.get(NOTIFICATIONS_RETRY_BASE),
              4,
              audit,
              clock);
      recert =
          new RecertService(
              store.recert(),
              config,
              inventory,
              webhook,
              audit,
              clock,
              cfg.get(RECERT_REMINDER_INTERVAL));
      if (cfg.get(NOTIFICATIONS_WEBHOOK_URL) != null && cfg.get(NOTIFICATIONS_FINDINGS) != null) {
        FindingNotices notices = new FindingNotices(store.inventory(), webhook, clock);
        postureIndex.onNewFindings(
            cfg.get(NOTIFICATIONS_FINDINGS),
            found -> Thread.ofVirtual().name("warden-notice").start(() -> notices.announce(found)));
      }
      agents =
          new AgentService(
              store.agents(),
              ca,
              jwtSvidKeys,
              state.registrations(),
              state.declaredProxies(),
              state::trust,
              state::policies,
              audit,
              new dev.warden.core.agent.ConnectionChains(
                  new dev.warden.core.token.WardenTokens(keys, store.leases(), clock, cfg.issuer()),
                  store.audit(),
                  cfg.pki().trustDomain()),
              clock);
      agentLeases =
          new dev.warden.core.agent.AgentLeases(store.leases(), state.registrations(), clock);

      if (cfg.get(LOGIN_PROVIDER) != null) {
        login = upstreamLogin(cfg, store, state, databases);
        clients =
            new dev.warden.core.oauth.ClientRegistry(
                new dev.warden.server.oauth.ClientMetadataHttpFetcher(
                    dev.warden.server.oauth.FetchTrust.context(
                        cfg.get(CLIENT_METADATA_TRUSTED_CAS), CLIENT_METADATA_TRUSTED_CAS.name()),
                    allowedNetworks(cfg)),
                clock);
        authorizations =
            new dev.warden.core.oauth.Authorizations(
                state::policies,
                store.authorizationCodes(),
                store.userGrants(),
                audit,
                clock,
                cfg.get(SERVER_TRUST_DOMAIN),
                cfg.get(TOKENS_DEFAULT_TTL));
        codeGrant =
            new dev.warden.core.oauth.CodeGrant(
                store.authorizationCodes(),
                store.leases(),
                keys,
                cfg.issuer(),
                cfg.get(TOKENS_TYP),
                audit,
                fingerprinter,
                clock);
      } else {
        login = null;
        clients = null;
        authorizations = null;
        codeGrant = null;
      }

      Path tlsCert = cfg.get(TLS_CERT);
      Path tlsKey = cfg.get(TLS_KEY);
      // ConfigLoader refuses tls.cert without tls.key and the other way round
      tls =
          !cfg.tls()
              ? null
              : tlsCert != null && tlsKey != null
                  ? ServerTls.fromFiles(tlsCert, tlsKey, clock, clientTrust(ca, cfg))
                  : ServerTls.selfIssued(ca, cfg.get(TLS_DNS_NAMES), clock, clientTrust(ca, cfg));
      reloader =
          new Reloader(
              state,
              federationKeys == null
                  ? List.of(keys, jwtSvidKeys)
                  : List.of(keys, jwtSvidKeys, federationKeys),
              ca,
              nodeCaches::refresh,
              cfg.get(dev.warden.server.config.ServerKeys.RELOAD_INTERVAL));
      changes = store.watchChanges(reloader::wake);
      nodeCaches.follow(changes);
      metrics.changeFeed(
          () -> changes.status().state() == dev.warden.store.ChangeFeed.State.LISTENING);
    } catch (RuntimeException e) {
      if (auditWriter != null) {
        auditWriter.close();
      }
      store.close();
      throw e;
    }
  }

  /**
   * @throws ValidationException when login.clientId is missing or both kinds of client secret are
   *     set
   */
  private static dev.warden.server.oauth.UpstreamLogin upstreamLogin(
      ServerConfig cfg,
      JdbcStore store,
      RuntimeState state,
      dev.warden.core.database.DatabaseTargets databases) {
    String provider = Objects.requireNonNull(cfg.get(LOGIN_PROVIDER), "called with login.provider");
    String clientId = cfg.get(LOGIN_CLIENT_ID);
    if (clientId == null) {
      throw new ValidationException(
          LOGIN_CLIENT_ID.name(),
          "is required with login.provider: Warden's client id at" + " the identity provider");
    }
    if (!java.util.Arrays.asList(cfg.get(LOGIN_SCOPES).split(" +")).contains("openid")) {
      throw new ValidationException(
          LOGIN_SCOPES.name(), "must include openid, or no ID token comes back");
    }
    dev.warden.core.crypto.Secret literal = cfg.get(LOGIN_CLIENT_SECRET);
    String sealed = cfg.get(LOGIN_CLIENT_SECRET_NAME);
    if (literal != null && sealed != null) {
      throw new ValidationException(
          LOGIN_CLIENT_SECRET_NAME.name(),
          "set login.clientSecret or" + " login.clientSecretName, not both");
    }
    Supplier<dev.warden.core.crypto.@Nullable Secret> secret =
        sealed == null
            ? () -> literal
            : () ->
                databases
                    .targetSecret(sealed)
                    .orElseThrow(
                        () ->
                            new dev.warden.core.error.DeniedException(
                                dev.warden.core.error.Reason.LOGIN_FAILED,
                                "login.clientSecretName names target secret '"
                                    + sealed
                                    + "', which is not set; store it with PUT /v1/target-secrets/"
                                    + sealed));
    return new dev.warden.server.oauth.UpstreamLogin(
        provider,
        clientId,
        secret,
        cfg.get(LOGIN_SCOPES),
        cfg.issuer() + dev.warden.server.http.AuthorizeEndpoint.CALLBACK_PATH,
        name ->
            store
                .trustProviders()
                .get(name)
                .map(dev.warden.core.store.Versioned::value)
                .orElse(null),
        state::trust,
        new HttpDocumentFetcher());
  }

  private static List<String> allowedNetworks(ServerConfig cfg) {
    try {
      List<String> nets =
          cfg.get(CLIENT_METADATA_ALLOWED_NETWORKS).stream()
              .map(String::trim)
              .filter(n -> !n.isEmpty())
              .toList();
      dev.warden.server.oauth.ClientMetadataHttpFetcher.checkNetworks(nets);
      return nets;
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          CLIENT_METADATA_ALLOWED_NETWORKS.name(), String.valueOf(e.getMessage()));
    }
  }

  private static dev.warden.core.database.LeaseReaper.Settings reaperSettings(ServerConfig cfg) {
    dev.warden.core.database.LeaseReaper.Settings d =
        dev.warden.core.database.LeaseReaper.Settings.DEFAULTS;
    return new dev.warden.core.database.LeaseReaper.Settings(
        cfg.get(dev.warden.server.config.ServerKeys.DATABASES_STALE_INTENT),
        d.firstRetry(),
        d.maxRetry(),
        cfg.get(dev.warden.server.config.ServerKeys.DATABASES_IRREVOCABLE_AFTER),
        d.irrevocableRetry(),
        d.batch(),
        cfg.get(dev.warden.server.config.ServerKeys.DATABASES_REAP_PARALLELISM));
  }

  /** Re-reads the configuration now (after a change through this node's API). */
  void reloadNow() {
    state.reload(false);
  }

  private static RuntimeState join(CompletableFuture<RuntimeState> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private static void printBootstrap(PrintStream out, AdminTokens.Issued issued, String issuer) {
    out.println();
    out.println("=====================================================================");
    out.println(" Bootstrap admin token (shown once, stored only as a hash):");
    out.println();
    out.println("   " + issued.secret().reveal());
    out.println();
    out.println(" Log in with:  warden login --server " + issuer + " --token <token>");
    out.println(" or sign in to the web console at " + issuer + "/console/ with it.");
    out.println("=====================================================================");
    out.println();
    out.flush();
  }

  /**
   * Client certificates accepted over mTLS: the trust domain's bundle, plus any CAs the operator
   * added.
   */
  private static Supplier<List<X509Certificate>> clientTrust(CaManager ca, ServerConfig cfg) {
    List<X509Certificate> extra;
    Path clientCas = cfg.get(TLS_CLIENT_CAS);
    try {
      extra = clientCas == null ? List.of() : Der.certificates(Files.readAllBytes(clientCas));
    } catch (IOException | IllegalArgumentException e) {
      throw new ValidationException(
          "tls.clientCas", "cannot read " + clientCas + " as PEM certificates: " + e.getMessage());
    }
    return () -> {
      List<X509Certificate> all = new ArrayList<>(ca.current().bundle());
      all.addAll(extra);
      return all;
    };
  }

  /**
   * The installation's audit chain id: random, made once, named by every checkpoint and stream
   * message (and in each NATS message id), so that the logs of two installations never mix.
   */
  private static String chainId(JdbcStore store) {
    if (store.settings().get(CHAIN_ID).isEmpty()) {
      store
          .settings()
          .putIfAbsent(
              CHAIN_ID,
              java.util
                  .UUID
                  .randomUUID()
                  .toString()
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return new String(
        store.settings().get(CHAIN_ID).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<dev.warden.core.auditstream.AuditSink> auditSinks(
      ServerConfig cfg, String chain) {
    List<dev.warden.core.auditstream.AuditSink> sinks = new ArrayList<>();
    String natsUrl = cfg.get(AUDIT_STREAM_NATS_URL);
    if (natsUrl != null) {
      sinks.add(
          new dev.warden.server.audit.NatsAuditSink(
              natsUrl,
              cfg.get(AUDIT_STREAM_NATS_STREAM),
              cfg.get(AUDIT_STREAM_NATS_SUBJECT),
              cfg.get(AUDIT_STREAM_NATS_DUPLICATE_WINDOW),
              chain));
    }
    Path streamFile = cfg.get(AUDIT_STREAM_FILE);
    if (streamFile != null) {
      sinks.add(
          new dev.warden.server.audit.FileAuditSink(
              streamFile,
              cfg.get(AUDIT_STREAM_FILE_MAX_MB) * 1024L * 1024L,
              cfg.get(AUDIT_STREAM_FILE_KEEP),
              chain));
    }
    return List.copyOf(sinks);
  }

  /**
   * @throws ValidationException when audit.stream.lease is under 4 times audit.stream.interval
   */
  private static dev.warden.core.auditstream.AuditStreamer.Settings streamSettings(
      ServerConfig cfg) {
    java.time.Duration interval = cfg.get(AUDIT_STREAM_INTERVAL);
    java.time.Duration lease = cfg.get(AUDIT_STREAM_LEASE);
    if (lease.compareTo(interval.multipliedBy(4)) < 0) {
      throw new ValidationException(
          AUDIT_STREAM_LEASE.name(),
          "must be at least 4 times audit.stream.interval ("
              + dev.warden.core.model.Durations.format(interval)
              + ")");
    }
    // a broker that is down is tried at least every 5 s: a refused connect costs nothing
    java.time.Duration maxBackoff =
        interval.compareTo(java.time.Duration.ofSeconds(5)) > 0
            ? interval
            : java.time.Duration.ofSeconds(5);
    return new dev.warden.core.auditstream.AuditStreamer.Settings(
        cfg.get(AUDIT_STREAM_BATCH), interval, lease, maxBackoff);
  }

  /** Host, process and a random part: unique among the nodes, and says which node it is. */
  private static String nodeName() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    byte[] r = new byte[4];
    new SecureRandom().nextBytes(r);
    String name = host + "/" + ProcessHandle.current().pid() + "/" + HexFormat.of().formatHex(r);
    return name.length() > 200 ? name.substring(name.length() - 200) : name;
  }

  private static byte[] fingerprintKey(JdbcStore store, SecretBox box) {
    var existing = store.settings().get(FINGERPRINT_KEY);
    if (existing.isEmpty()) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      store.settings().putIfAbsent(FINGERPRINT_KEY, box.encrypt(key, FINGERPRINT_KEY));
      existing = store.settings().get(FINGERPRINT_KEY);
    }
    return box.decrypt(existing.orElseThrow(), FINGERPRINT_KEY);
  }

  private static void warmUp() {
    try {
      // in the order start-up needs them: Tink (master key), BouncyCastle (signing key), then CEL
      SecretBox.generate();
      dev.warden.core.token.KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
      dev.warden.core.policy.Conditions.check(
          "request.time.getHours() >= 0 && workload.spiffeId != ''");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "warm-up: " + e.getMessage());
    }
  }

  /** Stops listening for changes, closes the audit writer (flushing it) and then the store. */
  @Override
  public void close() {
    changes.close();
    reloader.close();
    try {
      secretReads.flush();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not record the last brokered secret reads: " + e.getMessage());
    }
    audit.close();
    store.close();
  }
}
