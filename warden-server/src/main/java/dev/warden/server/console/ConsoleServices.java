package dev.warden.server.console;

import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.ChainWatch;
import dev.warden.core.config.ConfigService;
import dev.warden.core.database.LeaseReaper;
import dev.warden.core.document.Kind;
import dev.warden.core.impact.ImpactService;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.pki.CaManager;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.recert.RecertService;
import dev.warden.core.token.KeyManager;
import dev.warden.core.trust.TrustProviders;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.config.ServerConfig;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What the console reads and acts through: the same core services the {@code /v1} API calls, so a
 * page never holds a rule of its own.
 *
 * @param disabledReason why a stored object is disabled, or null when it works
 * @param reloadNow reloads this node's configuration after a change
 * @param targetLeaseCounts leases of credentials at targets, by state (irrevocable ones among them)
 * @param reaper removes credentials at targets; force-forgets an irrevocable one
 * @param trust the compiled trust providers, as the token endpoint has them now
 * @param keys the signing keys, access-token keys first
 */
public record ConsoleServices(
    ServerConfig cfg,
    Clock clock,
    AdminTokens adminTokens,
    AuditWriter audit,
    AuditStore auditLog,
    ChainWatch chain,
    ConfigService config,
    Supplier<PolicySnapshot> policies,
    Supplier<TrustProviders> trust,
    BiFunction<Kind, String, String> disabledReason,
    Runnable reloadNow,
    LeaseService leases,
    Supplier<Map<LeaseState, Long>> targetLeaseCounts,
    LeaseReaper reaper,
    InventoryService inventory,
    ImpactService impact,
    RecertService recert,
    List<KeyManager> keys,
    CaManager ca) {}
