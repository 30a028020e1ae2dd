package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.federation.FederationTarget;
import dev.warden.core.federation.SampleTokens;
import dev.warden.core.model.FederationCloud;
import dev.warden.core.model.Resource;
import dev.warden.core.store.Store;
import dev.warden.core.store.Versioned;
import dev.warden.core.token.KeyManager;
import dev.warden.server.admin.Scopes;
import java.time.Clock;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /v1/federation/<resource>}: the issuer, audience, algorithm and allowed subjects a
 * cloud must be told for a federation resource, read from the stored workloads and policies (what
 * {@code warden federation config} turns into each cloud's configuration). With {@code
 * ?sample=true} the answer also holds a sample token signed by the active federation key but
 * expired a day ago ({@link SampleTokens}), for {@code warden federation check}; minting one is
 * audited.
 */
final class FederationApi implements ApiUnit {
  private static final String HINT = "use GET /v1/federation/<resource>[?sample=true]";

  private final Store store;
  private final @Nullable KeyManager federationKeys;
  private final String issuer;
  private final String algorithm;
  private final AuditWriter audit;
  private final Clock clock;

  FederationApi(
      Store store,
      @Nullable KeyManager federationKeys,
      String issuer,
      String algorithm,
      AuditWriter audit,
      Clock clock) {
    this.store = store;
    this.federationKeys = federationKeys;
    this.issuer = issuer;
    this.algorithm = algorithm;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    return ApiUnit.head(rawPath).equals("federation");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.tailMatches(p, x -> !x.isEmpty()))
        .get(Scopes.READ, this::target)
        .hint(HINT);
    t.path(p -> true).hint(HINT);
  }

  private void target(Call c) {
    String name = ApiUnit.routedTail(c.rawPath());
    Resource r =
        store
            .resources()
            .get(name)
            .map(Versioned::value)
            .orElseThrow(() -> new NotFoundException("resource", name));
    if (r.cloud() == null) {
      throw new ValidationException(
          "resource",
          "'" + name + "' is of kind " + r.kind() + "; federation needs kind aws, gcp or azure");
    }
    FederationTarget t =
        FederationTarget.of(
            r,
            store.workloads().list().stream().map(Versioned::value).toList(),
            store.policies().list().stream().map(Versioned::value).toList(),
            issuer,
            algorithm);
    ObjectNode o = t.toJson(HttpJson.MAPPER);
    o.put("enabled", federationKeys != null);
    o.put("maxLifetimeSeconds", FederationCloud.MAX_LIFETIME.toSeconds());
    if (Params.flag(c, "sample")) {
      if (federationKeys == null) {
        throw new ValidationException(
            "sample", "federation is off on this server; set federation.enabled: true");
      }
      if (t.subjects().isEmpty()) {
        throw new ValidationException(
            "sample",
            "no active workload is allowed '"
                + name
                + "'; a sample needs a subject, so apply a policy first");
      }
      String token = SampleTokens.mint(federationKeys, t, clock.instant());
      audit.write(
          AuditEvent.of(
              AuditType.FEDERATION_SAMPLE,
              AuditOutcome.SUCCESS,
              null,
              clock.instant(),
              c.who().actor(),
              t.subjects().get(0).spiffeId(),
              name,
              Map.of("cloud", t.cloud().kind())));
      o.put("sample", token);
      o.put("sampleLifetimeSeconds", t.subjects().get(0).lifetimeSeconds());
    }
    c.send(200, o);
  }
}
