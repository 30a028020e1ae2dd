package dev.warden.server;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.grant.TokenService;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.lease.LeakService;
import dev.warden.core.token.KeyManager;
import dev.warden.core.trust.TrustOptions;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.config.ConfigLoader;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.federation.HttpDocumentFetcher;
import dev.warden.server.http.AdminApi;
import dev.warden.server.http.IntrospectionEndpoint;
import dev.warden.server.http.InventoryApi;
import dev.warden.server.http.TokenEndpoint;
import dev.warden.server.http.WellKnown;
import dev.warden.store.JdbcStore;
import dev.warden.store.StoreConfig;
import io.helidon.webserver.WebServer;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The wiring of one server node, by hand: store, master key, audit writer, keys, trust providers,
 * policy engine, token service, admin API and the HTTP listener. Start-up order matters: nothing
 * is served until keys exist and the bootstrap token (first start only) has been printed.
 */
public final class WardenServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WardenServer.class.getName());
  private static final String FINGERPRINT_KEY = "fingerprint.key";

  private final JdbcStore store;
  private final AuditWriter audit;
  private final WebServer http;
  private final ScheduledExecutorService timers;
  private final ScheduledExecutorService postureTimer;
  private final ScheduledExecutorService reaperTimer;
  private final String issuer;

  private WardenServer(JdbcStore store, AuditWriter audit, WebServer http, ScheduledExecutorService timers,
      ScheduledExecutorService postureTimer, ScheduledExecutorService reaperTimer, String issuer) {
    this.store = store;
    this.audit = audit;
    this.http = http;
    this.timers = timers;
    this.postureTimer = postureTimer;
    this.reaperTimer = reaperTimer;
    this.issuer = issuer;
  }

  /**
   * Starts a node.
   *
   * @param out where the bootstrap admin token is printed, once, on first start
   * @throws dev.warden.core.error.ValidationException when configuration is unusable
   */
  public static WardenServer start(ServerConfig cfg, Clock clock, PrintStream out) {
    StoreConfig storeConfig = cfg.embeddedStore() ? StoreConfig.embedded(cfg.dataDir())
        : new StoreConfig(cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword(), cfg.dbMaxPool());
    long t0 = System.nanoTime();
    // Initialising CEL (protobuf descriptors) and Tink takes longer than opening the store; doing
    // it on another core meanwhile halves start-up on a 2-core machine.
    Thread.ofPlatform().name("warden-warmup").daemon(true).start(WardenServer::warmUp);
    JdbcStore store = JdbcStore.open(storeConfig);
    long tStore = System.nanoTime();
    AuditWriter audit = null;
    try {
      boolean freshInstall = store.signingKeys().list().isEmpty();
      audit = new AuditWriter(store.audit(), cfg.auditMaxBatch(), cfg.auditTimeout().toMillis());
      AuditWriter stateAudit = audit;
      TrustOptions trustOptions = TrustOptions.defaults().withJwksRefreshInterval(cfg.jwksRefreshMinInterval());
      // compiling policies and trust providers does not depend on keys: overlap the two
      java.util.concurrent.CompletableFuture<RuntimeState> stateFuture = java.util.concurrent.CompletableFuture
          .supplyAsync(() -> new RuntimeState(store, new HttpDocumentFetcher(), clock, trustOptions, stateAudit),
              r -> Thread.ofPlatform().name("warden-config-load").daemon(true).start(r));
      SecretBox box = MasterKeys.load(cfg.masterKeyEnv(), cfg.masterKeyFile(), freshInstall);
      byte[] fpKey = fingerprintKey(store, box);
      Fingerprinter fingerprinter = new Fingerprinter(fpKey);
      KeyManager keys = new KeyManager(dev.warden.core.keys.KeyPurpose.ACCESS_TOKEN, store.signingKeys(), box, clock,
          cfg.rotation(), cfg.signingAlgorithm(), audit);
      keys.ensureActiveKey();
      // JWT-SVIDs get keys of their own, published only in the SPIFFE bundle; the JWT-SVID spec
      // allows no EdDSA, so they are ES256 whatever keys.algorithm says
      KeyManager jwtSvidKeys = new KeyManager(dev.warden.core.keys.KeyPurpose.JWT_SVID, store.signingKeys(), box,
          clock, cfg.rotation(), dev.warden.core.token.SigningAlgorithm.ES256, audit);
      jwtSvidKeys.ensureActiveKey();
      dev.warden.core.pki.UpstreamCa upstream = cfg.upstreamCaCert() == null ? null
          : dev.warden.core.pki.UpstreamCa.load(cfg.upstreamCaCert(), cfg.upstreamCaKey());
      dev.warden.core.pki.CaManager ca = new dev.warden.core.pki.CaManager(store.authorities(), box, clock, cfg.pki(),
          upstream, audit);
      ca.ensureActive();
      long tKeys = System.nanoTime();
      AdminTokens adminTokens = new AdminTokens(store.adminTokens(), store.settings(), audit, clock);
      adminTokens.bootstrapOnce().ifPresent(issued -> {
        out.println();
        out.println("=====================================================================");
        out.println(" Bootstrap admin token (shown once, stored only as a hash):");
        out.println();
        out.println("   " + issued.secret().reveal());
        out.println();
        out.println(" Log in with:  warden login --server " + cfg.issuer() + " --token <token>");
        out.println("=====================================================================");
        out.println();
        out.flush();
      });
      RuntimeState state;
      try {
        state = stateFuture.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      long tState = System.nanoTime();
      ServerMetrics metrics = new ServerMetrics();
      dev.warden.core.database.DatabaseTargets databases = new dev.warden.core.database.DatabaseTargets(
          new dev.warden.server.database.PostgresUsers(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30)),
          store.targetSecrets(), () -> store.resources().list().stream().map(dev.warden.core.store.Versioned::value)
              .toList(), box, fingerprinter, audit, clock);
      ConfigService config = new ConfigService(store, audit, clock, cfg.provisioning())
          .withResourceCheck(databases::verify);
      TokenService tokens = new TokenService(state::trust, clientTrust(ca, cfg), state::policies,
          java.util.List.of(new dev.warden.core.grant.AccessTokenProvider(keys, cfg.issuer(), cfg.tokenType()),
              new dev.warden.core.database.DatabaseUserProvider(databases)), audit, fingerprinter, clock,
          store.targetLeases());
      LeakService leaks = new LeakService(store.leases(), audit, clock);
      String fpKeyId = HexFormat.of().formatHex(Hashes.sha256(fpKey), 0, 8);
      AdminApi admin = new AdminApi(adminTokens, config, state::policies, store.audit(), store.leases(),
          new AdminApi.Keys(keys, jwtSvidKeys), leaks,
          fpKey, fpKeyId, () -> state.reload(false), metrics, clock, state::disabledReason);
      for (dev.warden.core.document.Kind k : dev.warden.core.document.Kind.values()) {
        metrics.disabledObjects(k.wire(), () -> state.disabled().stream().filter(d -> d.kind() == k).count());
      }
      dev.warden.core.inventory.PostureIndex postureIndex = new dev.warden.core.inventory.PostureIndex(store,
          store.inventory(), clock, cfg.posture());
      InventoryService inventoryService = new InventoryService(store, store.inventory(), config, audit, clock,
          cfg.posture()).withIndex(postureIndex);
      InventoryApi inventoryApi = new InventoryApi(adminTokens, inventoryService, fingerprinter,
          () -> state.reload(false), metrics).withKpiHistory(store.kpiHistory());
      dev.warden.server.notify.WebhookNotifier webhook = new dev.warden.server.notify.WebhookNotifier(cfg.webhookUrl(),
          cfg.webhookRetryBase(), 4, audit, clock);
      dev.warden.core.recert.RecertService recert = new dev.warden.core.recert.RecertService(store.recert(), config,
          inventoryService, webhook, audit, clock, cfg.recertReminderInterval());
      if (cfg.webhookUrl() != null && cfg.notifyFindingsFrom() != null) {
        postureIndex.onNewFindings(cfg.notifyFindingsFrom(), found -> Thread.ofVirtual().name("warden-notice")
            .start(() -> announceFindings(found, store, webhook, clock)));
      }
      dev.warden.server.http.RecertApi recertApi = new dev.warden.server.http.RecertApi(adminTokens, recert,
          () -> state.reload(false), metrics);
      dev.warden.core.database.LeaseReaper reaper = new dev.warden.core.database.LeaseReaper(store.targetLeases(),
          store.leases(), databases, () -> store.resources().list().stream().map(dev.warden.core.store.Versioned::value)
              .toList(), audit, clock, dev.warden.core.database.LeaseReaper.Settings.DEFAULTS);
      metrics.databaseLeases(reaper::counts, reaper::totals);
      dev.warden.server.http.DatabaseApi databaseApi = new dev.warden.server.http.DatabaseApi(adminTokens, databases,
          store.targetLeases(), reaper, metrics);
      dev.warden.server.http.CredentialsEndpoint credentials = new dev.warden.server.http.CredentialsEndpoint(tokens,
          metrics, cfg.maxRequestBytes(), cfg.maxAssertionBytes());
      TokenEndpoint tokenEndpoint = new TokenEndpoint(tokens, metrics, cfg.maxRequestBytes(), cfg.maxAssertionBytes());
      WellKnown wellKnown = new WellKnown(cfg.issuer(), cfg.signingAlgorithm().name(), keys, cfg.tls());
      Health health = new Health(store, metrics, state::disabled);
      dev.warden.server.http.AgentApi agentApi = new dev.warden.server.http.AgentApi(
          new dev.warden.core.agent.AgentService(store.agents(), ca, jwtSvidKeys, state.registrations(), state::trust,
              state::policies, audit, clock), ca, jwtSvidKeys, store.signingKeys()::changeCounter, adminTokens, metrics);
      IntrospectionEndpoint introspection = new IntrospectionEndpoint(
          new dev.warden.core.token.TokenIntrospector(keys, store.leases(), clock, cfg.issuer()), adminTokens);

      dev.warden.server.tls.ServerTls tls = !cfg.tls() ? null : cfg.tlsCert() != null
          ? dev.warden.server.tls.ServerTls.fromFiles(cfg.tlsCert(), cfg.tlsKey(), clock, clientTrust(ca, cfg))
          : dev.warden.server.tls.ServerTls.selfIssued(ca, cfg.tlsDnsNames(), clock, clientTrust(ca, cfg));
      io.helidon.webserver.WebServerConfig.Builder httpBuilder = WebServer.builder();
      if (tls != null) {
        javax.net.ssl.SSLContext ssl = tls.sslContext();
        httpBuilder.tls(t -> t.sslContext(ssl).clientAuth(io.helidon.common.tls.TlsClientAuth.OPTIONAL));
      }
      WebServer http = httpBuilder
          .host(cfg.host())
          .port(cfg.port())
          .shutdownHook(false)
          // above every endpoint's own limit (tokens.maxRequestBytes is at most 16 MiB), so that each
          // endpoint answers an over-limit body with its own 413; see HttpLimits
          .maxPayloadSize(dev.warden.server.http.HttpLimits.MAX_PAYLOAD)
          .directHandlers(dev.warden.server.http.HttpLimits.directHandlers())
          .routing(r -> r
              .post(WellKnown.TOKEN_PATH, tokenEndpoint::handle)
              .post(WellKnown.INTROSPECT_PATH, introspection::handle)
              .get(WellKnown.JWKS_PATH, wellKnown::jwks)
              .get("/.well-known/openid-configuration", wellKnown::openidConfiguration)
              .get("/.well-known/oauth-authorization-server", wellKnown::oauthMetadata)
              .get("/healthz", health::live)
              .get("/readyz", health::ready)
              .get("/metrics", health::metrics)
              .get("/.well-known/spiffe-bundle", agentApi::bundle)
              .any("/v1/*", (req, res) -> {
                if (dev.warden.server.http.CredentialsEndpoint.handles(req.path().rawPath())) {
                  credentials.handle(req, res);
                } else if (dev.warden.server.http.DatabaseApi.handles(req.path().rawPath())) {
                  databaseApi.handle(req, res);
                } else if (dev.warden.server.http.AgentApi.handles(req.path().rawPath())) {
                  agentApi.handle(req, res);
                } else if (dev.warden.server.http.RecertApi.handles(req.path().rawPath())) {
                  recertApi.handle(req, res);
                } else if (InventoryApi.handles(req.path().rawPath())) {
                  inventoryApi.handle(req, res);
                } else {
                  admin.handle(req, res);
                }
              }))
          .build()
          .start();

      ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-timers").daemon(true).factory());
      long reloadMs = cfg.reloadInterval().toMillis();
      timers.scheduleWithFixedDelay(state::reloadQuietly, reloadMs, reloadMs, TimeUnit.MILLISECONDS);
      long keyMs = cfg.keysCheckInterval().toMillis();
      timers.scheduleWithFixedDelay(() -> {
        for (KeyManager k : java.util.List.of(keys, jwtSvidKeys)) {
          try {
            k.tick();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, k.purpose().wire() + " key rotation check failed: " + e.getMessage());
          }
        }
        try {
          inventoryApi.recordDailyKpi(clock);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "daily KPI snapshot failed: " + e.getMessage());
        }
        try {
          recert.tick();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "recertification check failed: " + e.getMessage());
        }
        try {
          ca.tick();
          if (tls != null) {
            tls.renewIfDue();
          }
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "CA rotation check failed: " + e.getMessage());
        }
      }, keyMs, keyMs, TimeUnit.MILLISECONDS);
      // the posture index reads everything once in the background (a minute at a million items);
      // a request that needs it before then waits for that read
      long rebuildMs = cfg.postureRebuildInterval().toMillis();
      ScheduledExecutorService postureTimer = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-posture").daemon(true).factory());
      postureTimer.scheduleWithFixedDelay(() -> {
        try {
          long p0 = System.nanoTime();
          postureIndex.rebuild();
          var size = postureIndex.size();
          LOG.log(System.Logger.Level.INFO, "posture index rebuilt in " + ms(p0, System.nanoTime()) + " ms (read "
              + size.readMillis() + " ms, judged " + size.judgeMillis() + " ms): " + size.imported() + " imported and "
              + size.wardenItems() + " other items, " + size.findings() + " findings");
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "posture index rebuild failed (will retry): " + e.getMessage());
        }
      }, 0, rebuildMs, TimeUnit.MILLISECONDS);
      // follow the audit log even when nobody reads, so a reader never inherits a long backlog;
      // re-judge what Warden holds each minute (leases expiring, workloads passing their expiry)
      schedulePosture(postureTimer, "catch-up", postureIndex::catchUp, postureIndex, 5);
      schedulePosture(postureTimer, "refresh", postureIndex::refreshWardenSide, postureIndex, 60);
      LOG.log(System.Logger.Level.INFO, "Warden listening on " + cfg.host() + ":" + http.port() + " (issuer "
          + cfg.issuer() + ", store " + (cfg.embeddedStore() ? "embedded H2 in " + cfg.dataDir()
          : ConfigLoader.redactUrl(cfg.dbUrl())) + "); start-up " + ms(t0, System.nanoTime()) + " ms: store "
          + ms(t0, tStore) + ", keys " + ms(tStore, tKeys) + ", configuration " + ms(tKeys, tState) + ", http "
          + ms(tState, System.nanoTime()));
      // database users end off the request path, on a timer of their own: a database that does
      // not answer delays only its own removals, never key rotation or a grant
      ScheduledExecutorService reaperTimer = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("warden-reaper").daemon(true).factory());
      reaperTimer.scheduleWithFixedDelay(() -> {
        try {
          reaper.reap();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "database lease reaper failed (will retry): " + e.getMessage());
        }
      }, 2, 2, TimeUnit.SECONDS);
      reaperTimer.scheduleWithFixedDelay(() -> {
        try {
          dev.warden.core.database.LeaseReaper.Outcome o = reaper.sweep();
          if (o.orphans() > 0) {
            LOG.log(System.Logger.Level.INFO, "orphan sweep dropped " + o.orphans() + " tagged database users");
          }
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "orphan sweep failed (will retry): " + e.getMessage());
        }
      }, 10, 300, TimeUnit.SECONDS);
      return new WardenServer(store, audit, http, timers, postureTimer, reaperTimer, cfg.issuer());
    } catch (RuntimeException e) {
      if (audit != null) {
        audit.close();
      }
      store.close();
      throw e;
    }
  }

  /** Client certificates accepted over mTLS: the trust domain's bundle, plus any CAs the operator added. */
  private static java.util.function.Supplier<java.util.List<java.security.cert.X509Certificate>> clientTrust(
      dev.warden.core.pki.CaManager ca, ServerConfig cfg) {
    java.util.List<java.security.cert.X509Certificate> extra;
    try {
      extra = cfg.tlsClientCas() == null ? java.util.List.of()
          : dev.warden.core.pki.Der.certificates(java.nio.file.Files.readAllBytes(cfg.tlsClientCas()));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new dev.warden.core.error.ValidationException("tls.clientCas", "cannot read " + cfg.tlsClientCas()
          + " as PEM certificates: " + e.getMessage());
    }
    return () -> {
      java.util.List<java.security.cert.X509Certificate> all = new java.util.ArrayList<>(ca.current().bundle());
      all.addAll(extra);
      return all;
    };
  }

  private static void warmUp() {
    try {
      // in the order start-up needs them: Tink (master key), BouncyCastle (signing key), then CEL
      SecretBox.generate();
      dev.warden.core.token.KeyMaterial.generate(dev.warden.core.token.SigningAlgorithm.ES256, new SecureRandom());
      dev.warden.core.policy.Conditions.check("request.time.getHours() >= 0 && workload.spiffeId != ''");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "warm-up: " + e.getMessage());
    }
  }

  private static long ms(long from, long to) {
    return (to - from) / 1_000_000;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return http.port();
  }

  public String issuer() {
    return issuer;
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

  private static void schedulePosture(ScheduledExecutorService timer, String what, Runnable task,
      dev.warden.core.inventory.PostureIndex index, long everySeconds) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        if (index.ready()) {
          task.run();
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "posture " + what + " failed: " + e.getMessage());
      }
    }, everySeconds, everySeconds, TimeUnit.SECONDS);
  }

  /** Sends each new finding once across all nodes: the first node to record it in the store sends it. */
  private static void announceFindings(java.util.List<dev.warden.core.inventory.Finding> found, JdbcStore store,
      dev.warden.server.notify.WebhookNotifier webhook, Clock clock) {
    for (dev.warden.core.inventory.Finding f : found) {
      try {
        if (!store.inventory().claimNotice(f.ruleId(), f.itemId(), clock.instant())) {
          continue;
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "posture notice not sent (store unavailable): " + e.getMessage());
        continue;
      }
      java.util.Map<String, Object> payload = new java.util.LinkedHashMap<>();
      payload.put("ruleId", f.ruleId());
      payload.put("severity", f.severity().wire());
      payload.put("owasp", f.owasp());
      payload.put("itemId", f.itemId());
      if (f.subject() != null) {
        payload.put("subject", f.subject());
      }
      payload.put("evidence", f.evidence());
      payload.put("remediation", f.remediation());
      webhook.send(null, "posture.finding", payload);
    }
  }

  @Override
  public void close() {
    timers.shutdownNow();
    postureTimer.shutdownNow();
    reaperTimer.shutdownNow();
    http.stop();
    audit.close();
    store.close();
  }
}
