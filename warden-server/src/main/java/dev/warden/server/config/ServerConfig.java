package dev.warden.server.config;

import dev.warden.core.token.RotationPolicy;
import dev.warden.core.token.SigningAlgorithm;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated configuration of one server node. Built only by {@link ConfigLoader}, which names
 * the key and the allowed values when something is wrong.
 */
public record ServerConfig(
    dev.warden.core.inventory.Finding.Severity notifyFindingsFrom,
    Duration postureRebuildInterval,
    String webhookUrl,
    Duration webhookRetryBase,
    Duration recertReminderInterval,
    dev.warden.core.config.ProvisioningRules provisioning,
    dev.warden.core.inventory.PostureThresholds posture,
    Path tlsCert,
    Path tlsKey,
    boolean tlsSelfIssued,
    java.util.List<String> tlsDnsNames,
    Path tlsClientCas,
    dev.warden.core.pki.PkiSettings pki,
    Path upstreamCaCert,
    Path upstreamCaKey,
    String host,
    int port,
    String issuer,
    String trustDomain,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbMaxPool,
    Path masterKeyFile,
    String masterKeyEnv,
    SigningAlgorithm signingAlgorithm,
    RotationPolicy rotation,
    Duration keysCheckInterval,
    Duration defaultTokenTtl,
    String tokenType,
    int maxRequestBytes,
    int maxAssertionBytes,
    int auditMaxBatch,
    Duration auditTimeout,
    Duration reloadInterval,
    Duration jwksRefreshMinInterval) {

  /** True when the listener serves HTTPS. */
  public boolean tls() {
    return tlsCert != null || tlsSelfIssued;
  }

  /** True when the embedded H2 store is used (no db.url given). */
  public boolean embeddedStore() {
    return dbUrl == null;
  }
}
