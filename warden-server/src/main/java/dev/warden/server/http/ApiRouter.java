package dev.warden.server.http;

import dev.warden.core.agent.AgentService;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.config.ConfigService;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.document.Kind;
import dev.warden.core.impact.ImpactService;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.lease.LeakService;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.pki.CaManager;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.recert.RecertService;
import dev.warden.core.token.KeyManager;
import dev.warden.server.ServerMetrics;
import dev.warden.server.admin.AdminTokens;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The REST API under {@code /v1}: each API unit owns its path prefixes, and this is the one filter
 * around all of them. Per request it picks the unit that owns the raw path, authenticates the admin
 * token (before routing, or when a route asks for a scope, as the unit says), runs the route's
 * scope checks, renders any failure through {@link Errors#api}, and counts the request under the
 * unit's metrics group. A path no unit owns is a 404, after authentication.
 *
 * <p>Design note: matching is on the raw path, not Helidon's decoded one, because a SPIFFE ID is a
 * single percent-encoded path segment ({@code /v1/workloads/spiffe%3A%2F%2Facme%2Fapi}) and
 * decoding first would split it (decision 001).
 */
public final class ApiRouter {
  private record Unit(ApiUnit api, RouteTable routes) {}

  /** Where no unit owns the path: an admin token first, then 404. */
  private static final ApiUnit NOWHERE =
      new ApiUnit() {
        @Override
        public String group() {
          return "admin";
        }

        @Override
        public boolean owns(String rawPath) {
          return true;
        }

        @Override
        public void routes(RouteTable routes) {}
      };

  private final AdminTokens adminTokens;
  private final ServerMetrics metrics;
  private final List<Unit> units;
  private final Unit nowhere = unit(NOWHERE);
  private final @Nullable AgentApi agents;

  private ApiRouter(Builder b) {
    this.adminTokens = b.adminTokens;
    this.metrics = b.metrics;
    this.units = b.units.stream().map(ApiRouter::unit).toList();
    this.agents = b.agents;
  }

  /**
   * @param adminTokens checks the admin token of every call that needs one
   */
  public static Builder builder(AdminTokens adminTokens, ServerMetrics metrics) {
    return new Builder(adminTokens, metrics);
  }

  /** Serves one request under {@code /v1}. */
  public void handle(ServerRequest req, ServerResponse res) {
    String raw = req.path().rawPath();
    Unit u = nowhere;
    for (Unit candidate : units) {
      if (candidate.api().owns(raw)) {
        u = candidate;
        break;
      }
    }
    Call call =
        new Call(
            req,
            res,
            () ->
                adminTokens.authenticate(
                    req.headers().first(HeaderNames.AUTHORIZATION).orElse(null)));
    u.api().before(call);
    try {
      if (u.api().adminTokenFirst()) {
        call.who();
      }
      if (!u.routes().dispatch(call)) {
        throw u.api().notFound(call);
      }
    } catch (RuntimeException e) {
      Errors.api(res, e);
    }
    metrics.request(u.api().group(), res.status().code());
  }

  /**
   * The SPIFFE bundle, public, for {@code /.well-known/spiffe-bundle}.
   *
   * @throws IllegalStateException when the router was built without the agent API
   */
  public void spiffeBundle(ServerRequest req, ServerResponse res) {
    if (agents == null) {
      throw new IllegalStateException("built without the agent API");
    }
    agents.bundle(req, res);
  }

  private static Unit unit(ApiUnit api) {
    RouteTable t = new RouteTable();
    api.routes(t);
    return new Unit(api, t);
  }

  /** Registers the API units; each method adds the units of one area with what they need. */
  public static final class Builder {
    private final AdminTokens adminTokens;
    private final ServerMetrics metrics;
    private final List<ApiUnit> units = new ArrayList<>();
    private @Nullable AgentApi agents;

    private Builder(AdminTokens adminTokens, ServerMetrics metrics) {
      this.adminTokens = adminTokens;
      this.metrics = metrics;
    }

    /**
     * Configuration objects, {@code apply}, {@code decisions:explain} and {@code whoami}/admin
     * tokens.
     *
     * @param disabledReason why a stored object is disabled (it no longer compiles), or null when
     *     it works
     * @param reloadNow reloads this node's configuration after a change
     */
    public Builder configuration(
        ConfigService config,
        Supplier<PolicySnapshot> policies,
        BiFunction<Kind, String, String> disabledReason,
        Runnable reloadNow,
        Clock clock) {
      units.add(new ConfigApi(config, disabledReason, reloadNow));
      units.add(new DecisionApi(policies, clock));
      units.add(new AdminTokenApi(adminTokens));
      return this;
    }

    /** The audit log and its signed checkpoints. */
    public Builder audit(AuditStore audit, dev.warden.core.checkpoint.Checkpointer checkpoints) {
      // first: the public keys are a path below the audit unit's, which asks every caller for a
      // token
      units.add(new AuditKeysApi(checkpoints));
      units.add(new AuditApi(audit, checkpoints));
      return this;
    }

    /**
     * @throws IllegalArgumentException unless the access-token keys come first and the JWT-SVID
     *     keys second
     */
    public Builder keys(KeyManager accessTokens, KeyManager jwtSvids) {
      return keys(accessTokens, jwtSvids, null);
    }

    /**
     * {@code GET /v1/federation/<resource>}: what a cloud must trust for a federation resource.
     *
     * @param federationKeys the federation keys, or null when federation is off
     */
    public Builder federation(
        dev.warden.core.store.Store store,
        @Nullable KeyManager federationKeys,
        String issuer,
        String algorithm,
        dev.warden.core.audit.AuditWriter audit,
        java.time.Clock clock) {
      units.add(new FederationApi(store, federationKeys, issuer, algorithm, audit, clock));
      return this;
    }

    /**
     * @param federation the federation keys, or null when federation is off
     */
    public Builder keys(
        KeyManager accessTokens, KeyManager jwtSvids, @Nullable KeyManager federation) {
      return keys(accessTokens, jwtSvids, federation, null);
    }

    /**
     * @param federation the federation keys, or null when federation is off
     * @param checkpoints the audit checkpoint keys, or null
     */
    public Builder keys(
        KeyManager accessTokens,
        KeyManager jwtSvids,
        @Nullable KeyManager federation,
        @Nullable KeyManager checkpoints) {
      units.add(new KeysApi(accessTokens, jwtSvids, federation, checkpoints));
      return this;
    }

    /**
     * @param impact answers the dry run of a revocation
     */
    public Builder leases(LeaseService leases, ImpactService impact) {
      units.add(new LeaseApi(leases, impact));
      return this;
    }

    /**
     * @param fingerprintKey the installation's fingerprint key, given to scanners with scope
     *     scan:report
     * @param resources the stored resources: the databases a scanner's {@code --verify} may log in
     *     to
     */
    public Builder scan(
        LeakService leaks,
        dev.warden.core.exposure.ExposureCheck exposure,
        java.util.function.Supplier<List<dev.warden.core.model.Resource>> resources,
        byte[] fingerprintKey,
        String fingerprintKeyId) {
      units.add(new ScanApi(leaks, exposure, resources, fingerprintKey, fingerprintKeyId));
      return this;
    }

    /** Inventory, posture, reports and lifecycle (retire, offboarding). */
    public Builder inventory(
        InventoryService inventory,
        ImpactService impact,
        Fingerprinter fingerprinter,
        Runnable reloadNow) {
      units.add(new InventoryApi(inventory, fingerprinter));
      units.add(new PostureApi(inventory));
      units.add(new ReportApi(inventory));
      units.add(new LifecycleApi(inventory, impact, reloadNow));
      return this;
    }

    /** Brokered static secrets (metadata and versions; values are written, never read back). */
    public Builder secrets(dev.warden.core.secret.BrokeredSecrets secrets, Clock clock) {
      units.add(new SecretApi(secrets, clock));
      return this;
    }

    public Builder recertification(RecertService recert, Runnable reloadNow) {
      units.add(new RecertApi(recert, reloadNow));
      return this;
    }

    /**
     * The agent protocol and the SPIFFE bundle.
     *
     * @param jwtSvidKeys the keys that sign JWT-SVIDs: the bundle's JWT authorities
     * @param keysCounter the signing keys' change counter: with the CA's it makes the bundle
     *     sequence
     * @throws IllegalArgumentException when {@code jwtSvidKeys} are not JWT-SVID keys
     */
    public Builder agents(
        AgentService agentService,
        dev.warden.core.agent.AgentLeases agentLeases,
        CaManager ca,
        KeyManager jwtSvidKeys,
        LongSupplier keysCounter) {
      agents = new AgentApi(agentService, agentLeases, ca, jwtSvidKeys, keysCounter);
      units.add(agents);
      return this;
    }

    public ApiRouter build() {
      return new ApiRouter(this);
    }
  }
}
