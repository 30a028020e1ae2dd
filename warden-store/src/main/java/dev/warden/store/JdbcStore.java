package dev.warden.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.warden.core.admin.AdminTokenStore;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.error.StoreException;
import dev.warden.core.keys.SigningKeyStore;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.store.PolicyStore;
import dev.warden.core.store.ResourceStore;
import dev.warden.core.store.SettingsStore;
import dev.warden.core.store.Store;
import dev.warden.core.store.TrustProviderStore;
import dev.warden.core.store.WorkloadStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Every Warden store on one JDBC database: an embedded H2 file database or PostgreSQL.
 *
 * <pre>{@code
 * try (JdbcStore store = JdbcStore.open(StoreConfig.embedded(Path.of("/var/lib/warden")))) {
 *   store.workloads().put(workload, 0, "admin:bootstrap");
 * }
 * }</pre>
 *
 * <p>Opening connects, then creates or upgrades the schema. Many server nodes may open the same
 * PostgreSQL database at once. The methods of every store throw {@link
 * dev.warden.core.error.StoreException} when the database fails.
 */
public final class JdbcStore implements Store {
  private final HikariDataSource pool;
  private final TrustProviderStore trustProviders;
  private final WorkloadStore workloads;
  private final ResourceStore resources;
  private final PolicyStore policies;
  private final JdbcEdgeProxyStore edgeProxies;
  private final AuditStore audit;
  private final JdbcLeaseStore leases;
  private final dev.warden.core.lease.TargetLeaseStore targetLeases;
  private final dev.warden.core.database.TargetSecretStore targetSecrets;
  private final JdbcBrokeredSecretStore brokeredSecrets;
  private final LocalChanges leaseRevocations = new LocalChanges("lease revocation");
  private final LocalChanges secretChanges = new LocalChanges("brokered secret change");
  private final AdminTokenStore adminTokens;
  private final SigningKeyStore signingKeys;
  private final dev.warden.core.pki.AuthorityStore authorities;
  private final dev.warden.core.agent.AgentStore agents;
  private final dev.warden.core.recert.RecertStore recert;
  private final dev.warden.core.inventory.KpiHistoryStore kpiHistory;
  private final SettingsStore settings;
  private final JdbcInventoryStore inventory;
  private final JdbcConfigStore config;
  private final dev.warden.core.oauth.AuthorizationCodeStore authorizationCodes;
  private final dev.warden.core.oauth.UserGrantStore userGrants;
  private final JdbcCheckpointStore auditCheckpoints;
  private final JdbcAuditSinkStore auditSinks;

  private final StoreConfig storeConfig;
  private final Dialect dialect;
  // null on PostgreSQL, which reclaims space by itself (autovacuum)
  private final @Nullable H2Compaction compaction;

  private JdbcStore(
      HikariDataSource pool,
      Db db,
      InstantSource clock,
      StoreConfig storeConfig,
      Dialect dialect,
      @Nullable H2Compaction compaction) {
    this.pool = pool;
    this.compaction = compaction;
    this.storeConfig = storeConfig;
    this.dialect = dialect;
    JdbcTrustProviderStore tp = new JdbcTrustProviderStore(db, clock);
    JdbcWorkloadStore wl = new JdbcWorkloadStore(db, clock);
    JdbcResourceStore rs = new JdbcResourceStore(db, clock);
    JdbcPolicyStore pol = new JdbcPolicyStore(db, clock);
    this.trustProviders = tp;
    this.workloads = wl;
    this.resources = rs;
    this.policies = pol;
    this.edgeProxies = new JdbcEdgeProxyStore(db, clock);
    this.config = new JdbcConfigStore(db, List.of(tp, wl, rs, pol, edgeProxies));
    this.audit = new JdbcAuditStore(db);
    this.leases = new JdbcLeaseStore(db, leaseRevocations::committed);
    this.targetLeases = new JdbcTargetLeaseStore(db);
    this.targetSecrets = new JdbcTargetSecretStore(db);
    this.brokeredSecrets = new JdbcBrokeredSecretStore(db, secretChanges::committed);
    this.adminTokens = new JdbcAdminTokenStore(db);
    this.signingKeys = new JdbcSigningKeyStore(db);
    this.authorities = new JdbcAuthorityStore(db);
    this.agents = new JdbcAgentStore(db);
    this.recert = new JdbcRecertStore(db);
    this.kpiHistory = new JdbcKpiHistoryStore(db);
    this.settings = new JdbcSettingsStore(db);
    this.inventory = new JdbcInventoryStore(db);
    this.authorizationCodes = new JdbcAuthorizationCodeStore(db);
    this.userGrants = new JdbcUserGrantStore(db);
    this.auditCheckpoints = new JdbcCheckpointStore(db);
    this.auditSinks = new JdbcAuditSinkStore(db);
  }

  /**
   * Opens the store with the system clock.
   *
   * @throws StoreException when the database cannot be reached (the message names the URL without
   *     its password), or when its schema is newer than this build or cannot be migrated
   */
  public static JdbcStore open(StoreConfig config) {
    return open(config, InstantSource.system());
  }

  /**
   * Opens the store; {@code clock} stamps configuration revisions ({@code updatedAt}).
   *
   * @throws StoreException when the database cannot be reached (the message names the URL without
   *     its password), or when its schema is newer than this build or cannot be migrated
   */
  public static JdbcStore open(StoreConfig config, InstantSource clock) {
    Dialect dialect = Dialect.of(config.url());
    String where = config.redactedUrl();
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("warden-store");
    hc.setJdbcUrl(config.url());
    hc.setUsername(config.user());
    hc.setPassword(config.password());
    hc.setMaximumPoolSize(config.maxPoolSize());
    hc.setMinimumIdle(Math.min(2, config.maxPoolSize()));
    hc.setConnectionTimeout(10_000);
    hc.setValidationTimeout(5_000);
    // fail at open, with one attempt, rather than hand out a store that cannot work
    hc.setInitializationFailTimeout(1);
    dialect.driverProperties().forEach(hc::addDataSourceProperty);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreException(
          "cannot reach the database at "
              + where
              + " as user '"
              + config.user()
              + "': "
              + StoreConfig.redact(String.valueOf(cause.getMessage()))
              + ". Check that it is running and that the URL and credentials are right.",
          e);
    }
    try {
      Migrations.apply(pool, dialect, where);
      Db db = new Db(pool, where, dialect);
      // fail now, not at the first audit append, if commits cannot be made durable (on H2,
      // CHECKPOINT SYNC needs the user to be an admin of the database)
      db.write(
          "make a commit durable",
          c -> {
            db.sync(c);
            return null;
          });
      H2Compaction compaction = dialect == Dialect.H2 ? startCompaction(pool, where) : null;
      return new JdbcStore(pool, db, clock, config, dialect, compaction);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static H2Compaction startCompaction(HikariDataSource pool, String where) {
    try {
      return H2Compaction.start(pool);
    } catch (SQLException e) {
      throw new StoreException(
          "cannot set up the compaction of the embedded database "
              + where
              + " (SQLSTATE "
              + e.getSQLState()
              + "): "
              + StoreConfig.redact(String.valueOf(e.getMessage())),
          e);
    }
  }

  @Override
  public TrustProviderStore trustProviders() {
    return trustProviders;
  }

  @Override
  public WorkloadStore workloads() {
    return workloads;
  }

  @Override
  public ResourceStore resources() {
    return resources;
  }

  @Override
  public PolicyStore policies() {
    return policies;
  }

  @Override
  public dev.warden.core.store.EdgeProxyStore edgeProxies() {
    return edgeProxies;
  }

  @Override
  public dev.warden.core.store.ConfigStore config() {
    return config;
  }

  @Override
  public AuditStore audit() {
    return audit;
  }

  @Override
  public LeaseStore leases() {
    return leases;
  }

  @Override
  public dev.warden.core.lease.TargetLeaseStore targetLeases() {
    return targetLeases;
  }

  @Override
  public dev.warden.core.database.TargetSecretStore targetSecrets() {
    return targetSecrets;
  }

  @Override
  public dev.warden.core.secret.BrokeredSecretStore brokeredSecrets() {
    return brokeredSecrets;
  }

  @Override
  public AdminTokenStore adminTokens() {
    return adminTokens;
  }

  @Override
  public SigningKeyStore signingKeys() {
    return signingKeys;
  }

  @Override
  public dev.warden.core.pki.AuthorityStore authorities() {
    return authorities;
  }

  @Override
  public dev.warden.core.agent.AgentStore agents() {
    return agents;
  }

  /**
   * Recertification campaigns. Not part of {@link Store}, like the inventory and KPI-history
   * stores: their services read the configuration through {@link Store}, so naming them there would
   * close a package cycle in core.
   */
  public dev.warden.core.recert.RecertStore recert() {
    return recert;
  }

  /** One KPI snapshot per UTC day. Not part of {@link Store} (see {@link #recert()}). */
  public dev.warden.core.inventory.KpiHistoryStore kpiHistory() {
    return kpiHistory;
  }

  @Override
  public SettingsStore settings() {
    return settings;
  }

  @Override
  public dev.warden.core.oauth.AuthorizationCodeStore authorizationCodes() {
    return authorizationCodes;
  }

  @Override
  public dev.warden.core.oauth.UserGrantStore userGrants() {
    return userGrants;
  }

  /** Imported NHIs, leaks and grant usage. Not part of {@link Store} (see {@link #recert()}). */
  public dev.warden.core.inventory.InventoryStore inventory() {
    return inventory;
  }

  /**
   * Runs {@code listener} after this node committed a lease revocation, on the revoking thread and
   * before the store's revoke returns, so a cache of active leases drops it before anyone is told
   * it is revoked. Other nodes' revocations move {@link #leaseRevocations()} and notify {@link
   * #watchChanges}. {@code listener} must be quick and not throw.
   */
  public void onLeaseRevoked(Runnable listener) {
    leaseRevocations.add(listener);
  }

  /**
   * The change counter every committed lease revocation (on any node) moves.
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public long leaseRevocations() {
    return leases.revocations();
  }

  /**
   * As {@link #onLeaseRevoked}, for a brokered secret whose current version changed, was deleted,
   * undeleted or destroyed, or which was deleted.
   */
  public void onBrokeredSecretChanged(Runnable listener) {
    secretChanges.add(listener);
  }

  /**
   * The change counter every such change of a brokered secret (on any node) moves.
   *
   * @throws dev.warden.core.error.StoreException when the database fails
   */
  public long brokeredSecretChanges() {
    return brokeredSecrets.changes();
  }

  /**
   * Starts telling {@code onChange} when any node commits a change to what nodes cache
   * (configuration, signing keys, CA authorities): on PostgreSQL through {@code LISTEN/NOTIFY} on a
   * connection of its own, reconnecting by itself; on the embedded H2 store (one node, which
   * reloads after its own changes) the feed is idle. {@code onChange} runs on the feed's thread and
   * must return quickly; it also runs on every (re)connect, to cover what was missed meanwhile.
   * Close the feed before the store.
   */
  public ChangeFeed watchChanges(Runnable onChange) {
    return dialect == Dialect.POSTGRESQL
        ? ChangeFeed.start(storeConfig, dialect, onChange, InstantSource.system())
        : ChangeFeed.none(
            "the embedded store serves one node, which reloads after its own changes");
  }

  /**
   * The newest signed checkpoints of the audit chain. Not part of {@link Store}: only the wiring of
   * the server uses it, and naming it there would tie core's store aggregate to the checkpoint
   * package.
   */
  public dev.warden.core.checkpoint.CheckpointStore auditCheckpoints() {
    return auditCheckpoints;
  }

  /** The cursors and drain leases of the audit stream's sinks (decision 010). */
  public dev.warden.core.auditstream.AuditSinkStore auditSinks() {
    return auditSinks;
  }

  /**
   * Borrows a connection and runs {@code SELECT 1}, on a virtual thread so that a hung database
   * cannot hold the caller (a readiness probe) past {@code timeout}.
   */
  @Override
  public boolean isReachable(Duration timeout) {
    if (pool.isClosed()) {
      return false;
    }
    CompletableFuture<Boolean> probe = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("warden-store-probe")
        .start(
            () -> {
              try (Connection c = pool.getConnection();
                  Statement s = c.createStatement()) {
                s.setQueryTimeout(
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds())));
                s.execute("SELECT 1");
                probe.complete(true);
              } catch (SQLException | RuntimeException e) {
                probe.complete(false);
              }
            });
    try {
      return probe.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Closes the pool; an embedded H2 database closes with its last connection. Idempotent. */
  @Override
  public void close() {
    if (compaction != null) {
      compaction.close();
    }
    pool.close();
  }
}
