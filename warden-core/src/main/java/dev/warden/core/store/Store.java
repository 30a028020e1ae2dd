package dev.warden.core.store;

import dev.warden.core.admin.AdminTokenStore;
import dev.warden.core.agent.AgentStore;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.database.TargetSecretStore;
import dev.warden.core.keys.SigningKeyStore;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.pki.AuthorityStore;

/**
 * The stores of one database that core's services share, so wiring code passes one object.
 * Implementations: H2 (embedded default) and PostgreSQL, in warden-store.
 *
 * <p>Only stores whose packages do not depend on {@code core.store} belong here: the inventory,
 * KPI-history and recertification stores (and the audit checkpoint and sink stores) are handed to
 * their services one by one, since those services read the configuration through this interface and
 * naming them here would close a package cycle (ArchitectureTest).
 */
public interface Store extends AutoCloseable {
  TrustProviderStore trustProviders();

  WorkloadStore workloads();

  ResourceStore resources();

  PolicyStore policies();

  /** Credential-injecting proxies declared for agents. */
  EdgeProxyStore edgeProxies();

  /** Atomic changes across the five configuration kinds above. */
  ConfigStore config();

  AuditStore audit();

  LeaseStore leases();

  /** The lifecycle of leases whose credential lives at its target (database users). */
  TargetLeaseStore targetLeases();

  /** Sealed secrets for reaching targets (database admin passwords). */
  TargetSecretStore targetSecrets();

  /** Brokered static secrets: envelopes, versions and read records. */
  dev.warden.core.secret.BrokeredSecretStore brokeredSecrets();

  AdminTokenStore adminTokens();

  SigningKeyStore signingKeys();

  SettingsStore settings();

  AuthorityStore authorities();

  AgentStore agents();

  /** Authorization codes of the authorization code grant, shared by every node. */
  dev.warden.core.oauth.AuthorizationCodeStore authorizationCodes();

  /** The signed-in user behind each authorization-code token, shared by every node. */
  dev.warden.core.oauth.UserGrantStore userGrants();

  /** True when the database answers a trivial query within the timeout. */
  boolean isReachable(java.time.Duration timeout);

  @Override
  void close();
}
