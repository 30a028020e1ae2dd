package dev.warden.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.TrustProviders;
import dev.warden.testkit.TestOidcIssuer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grant flow for a credential that lives at its target, with fakes: the lease is recorded
 * before the credential is created, a failed creation gives the intent up the right way, the quota
 * is checked before anything is created, and every request is audited exactly once.
 */
class TargetGrantFlowTest {
  static TestOidcIssuer k8s;
  static TrustProviders trust;

  final List<String> log = new ArrayList<>();
  final MemoryAuditStore records = new MemoryAuditStore();
  final AuditWriter audit = new AuditWriter(records, 10, 5_000);
  final FakeIntents intents = new FakeIntents();

  @BeforeAll
  static void issuer() throws Exception {
    k8s = TestOidcIssuer.builder().audience("warden").start();
    trust = GrantFixtures.inlineTrust(k8s);
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  static PolicySnapshot snapshot(String kind) throws Exception {
    Workload w =
        (Workload)
            GrantFixtures.doc(
                "{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\"spiffe://acme.test/ns/pay/sa/api\","
                    + "\"selectors\":[\"k8s:ns=pay\",\"k8s:sa=api\"],\"owner\":\"a@acme.test\"}}");
    Resource r =
        (Resource)
            GrantFixtures.doc(
                "{\"kind\":\"Resource\",\"metadata\":{\"name\":\"ledger\"},\"spec\":{\"audience\":"
                    + "\"postgres://db/ledger\",\"kind\":\"postgres\"}}");
    AccessPolicy p =
        (AccessPolicy)
            GrantFixtures.doc(
                "{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"p\"},\"spec\":{"
                    + "\"workloads\":{\"spiffeIds\":[\"spiffe://acme.test/ns/pay/sa/api\"]},\"resources\":[\"ledger\"],"
                    + "\"credentialKind\":\""
                    + kind
                    + "\",\"maxTtl\":\"2m\"}}");
    return PolicySnapshot.build(List.of(w), List.of(r), List.of(p), null);
  }

  /** An in-memory intent store that logs what the flow asks of it. */
  final class FakeIntents implements TargetLeaseStore {
    final Map<String, LeaseState> states = new HashMap<>();
    final Map<String, Boolean> nothingCreated = new HashMap<>();
    boolean full;

    @Override
    public boolean recordIntent(Lease lease, String target, int maxLive, Instant now) {
      log.add("intent " + lease.id() + " max " + maxLive);
      states.put(lease.id(), full ? LeaseState.REVOKED : LeaseState.ISSUING);
      return !full;
    }

    @Override
    public boolean abandon(String id, Instant at, String reason, boolean nothing) {
      log.add("abandon " + id);
      nothingCreated.put(id, nothing);
      states.put(id, nothing ? LeaseState.REVOKED : LeaseState.REVOKING);
      return true;
    }

    @Override
    public Optional<TargetLease> get(String id) {
      return Optional.empty();
    }

    @Override
    public List<TargetLease> expired(Instant now, int limit) {
      return List.of();
    }

    @Override
    public List<TargetLease> staleIntents(Instant before, int limit) {
      return List.of();
    }

    @Override
    public List<TargetLease> dueForRemoval(Instant now, int limit) {
      return List.of();
    }

    @Override
    public boolean claimRemoval(String id, Instant due, Instant until) {
      return false;
    }

    @Override
    public void removed(String id, Instant at) {}

    @Override
    public void removalFailed(
        String id, int attempts, Instant nextDue, String error, boolean irrevocable) {}

    @Override
    public boolean forget(String id, String note) {
      return false;
    }

    @Override
    public List<TargetLease> list(LeaseState state, int limit) {
      return List.of();
    }

    @Override
    public Map<LeaseState, Long> countByState() {
      return Map.of();
    }

    @Override
    public List<String> openTargets() {
      return List.of();
    }
  }

  /** A target provider that logs, and fails creation when told to. */
  TargetCredentialProvider provider(TargetException failure) {
    return new TargetCredentialProvider() {
      @Override
      public CredentialKind kind() {
        return CredentialKind.DATABASE_USER;
      }

      @Override
      public Prepared prepare(Issuance in) {
        log.add("prepare");
        return new Prepared(
            new IssuedCredential(
                CredentialKind.DATABASE_USER,
                Secret.of("pw-of-user"),
                "w_user_1",
                in.now(),
                in.notAfter(),
                Map.of("jdbcUrl", "jdbc:postgresql://db/ledger")),
            "{\"target\":1}",
            3);
      }

      @Override
      public void create(Issuance in, Prepared p) {
        log.add("create " + p.credential().id());
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  TokenService service(String kind, TargetCredentialProvider p) throws Exception {
    PolicySnapshot snap = snapshot(kind);
    return new TokenService(
        () -> trust,
        List::of,
        () -> snap,
        List.of(p),
        audit,
        new Fingerprinter(new byte[32]),
        Clock.systemUTC(),
        intents);
  }

  /**
   * A request at {@code /v1/credentials} asking for {@code requested}; null: at the token endpoint.
   */
  GrantRequest request(CredentialKind requested) {
    return new GrantRequest(
        GrantType.CLIENT_CREDENTIALS,
        new Evidence.PlatformToken(Secret.of(k8s.kubernetesToken("pay", "api", "api-0"))),
        "ledger",
        null,
        null,
        "10.0.0.7",
        requested == null ? CredentialKind.Endpoint.TOKEN : CredentialKind.Endpoint.CREDENTIALS,
        requested,
        null,
        GrantRequest.Hop.NONE,
        null);
  }

  GrantRequest anyAtCredentialsEndpoint() {
    return new GrantRequest(
        GrantType.CLIENT_CREDENTIALS,
        new Evidence.PlatformToken(Secret.of(k8s.kubernetesToken("pay", "api", "api-0"))),
        "ledger",
        null,
        null,
        "10.0.0.7",
        CredentialKind.Endpoint.CREDENTIALS,
        null,
        null,
        GrantRequest.Hop.NONE,
        null);
  }

  @Test
  void theIntentIsRecordedBeforeTheCredentialIsCreatedAndTheOneAllowEventCarriesTheLease()
      throws Exception {
    Granted g =
        service("database_user", provider(null)).grant(request(CredentialKind.DATABASE_USER));

    assertThat(log).containsExactly("prepare", "intent w_user_1 max 3", "create w_user_1");
    assertThat(g.jti()).isEqualTo("w_user_1");
    assertThat(g.connection()).containsEntry("jdbcUrl", "jdbc:postgresql://db/ledger");
    assertThat(records.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("token.issued");
              assertThat(e.lease().kind()).isEqualTo(CredentialKind.DATABASE_USER);
              assertThat(e.details().values()).noneMatch(v -> v.contains("pw-of-user"));
            });
  }

  @Test
  void aTargetThatCertainlyCreatedNothingRevokesTheIntentAtOnceAndIsAuditedOnce() throws Exception {
    TokenService s =
        service(
            "database_user", provider(TargetException.unreachable("cannot reach db:5432", null)));

    assertThatThrownBy(() -> s.grant(request(CredentialKind.DATABASE_USER)))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TARGET_UNAVAILABLE));

    assertThat(intents.states).containsEntry("w_user_1", LeaseState.REVOKED);
    assertThat(intents.nothingCreated).containsEntry("w_user_1", true);
    AuditEvent e = records.events().getFirst();
    assertThat(records.events()).hasSize(1);
    assertThat(e.type()).isEqualTo("credential.failed");
    assertThat(e.outcome()).isEqualTo("failure");
    assertThat(e.details())
        .containsEntry("leaseId", "w_user_1")
        .containsEntry("message", "cannot reach db:5432");
  }

  @Test
  void aCreationThatMayHaveHappenedIsLeftForTheReaperToRemove() throws Exception {
    TokenService s =
        service("database_user", provider(new TargetException("commit lost", true, null)));

    assertThatThrownBy(() -> s.grant(request(CredentialKind.DATABASE_USER)))
        .isInstanceOf(UnavailableException.class);

    assertThat(intents.states).containsEntry("w_user_1", LeaseState.REVOKING);
    assertThat(intents.nothingCreated).containsEntry("w_user_1", false);
  }

  @Test
  void overTheQuotaIsRefusedBeforeAnythingIsCreated() throws Exception {
    intents.full = true;
    TokenService s = service("database_user", provider(null));

    assertThatThrownBy(() -> s.grant(request(CredentialKind.DATABASE_USER)))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.QUOTA_EXCEEDED));

    assertThat(log).containsExactly("prepare", "intent w_user_1 max 3");
    assertThat(records.events())
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("quota_exceeded"));
  }

  @Test
  void eachEndpointGetsOnlyItsKind() throws Exception {
    assertThatThrownBy(() -> service("database_user", provider(null)).grant(request(null)))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.getMessage()).contains("POST /v1/credentials"));
    assertThatThrownBy(
            () -> service("access_token", provider(null)).grant(anyAtCredentialsEndpoint()))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.getMessage()).contains("/oauth2/token"));
    assertThat(log).isEmpty();
  }

  @Test
  void theCredentialsEndpointServesWhateverTargetKindThePolicyGrantsUnlessTheCallerNamedAnother()
      throws Exception {
    assertThat(service("database_user", provider(null)).grant(anyAtCredentialsEndpoint()).jti())
        .isNotBlank();
    assertThatThrownBy(
            () ->
                service("database_user", provider(null))
                    .grant(request(CredentialKind.BROKERED_SECRET)))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("grants a database_user", "not a brokered_secret"));
  }

  @Test
  void anIssuanceThatCannotBeAuditedIsNeverHandedOutAndIsLeftForRemoval() throws Exception {
    PolicySnapshot snap = snapshot("database_user");
    AuditWriter broken =
        new AuditWriter(
            new dev.warden.core.audit.AuditStore() {
              @Override
              public List<dev.warden.core.audit.AuditRecord> append(List<AuditEvent> events) {
                throw new IllegalStateException("audit store down");
              }

              @Override
              public List<dev.warden.core.audit.AuditRecord> query(
                  dev.warden.core.audit.AuditQuery q) {
                return List.of();
              }

              @Override
              public List<dev.warden.core.audit.AuditRecord> readChain(long fromSeq, int limit) {
                return List.of();
              }

              @Override
              public java.util.Optional<dev.warden.core.audit.AuditRecord> byEventId(
                  String eventId) {
                return java.util.Optional.empty();
              }

              @Override
              public List<dev.warden.core.audit.AuditRecord> chainOf(String key, int limit) {
                return List.of();
              }

              @Override
              public dev.warden.core.audit.ChainHead head() {
                return new dev.warden.core.audit.ChainHead(
                    0, dev.warden.core.audit.AuditChain.GENESIS);
              }
            },
            10,
            2_000);
    TokenService s =
        new TokenService(
            () -> trust,
            List::of,
            () -> snap,
            List.of(provider(null)),
            broken,
            new Fingerprinter(new byte[32]),
            Clock.systemUTC(),
            intents);

    assertThatThrownBy(() -> s.grant(request(CredentialKind.DATABASE_USER)))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE));

    assertThat(log)
        .containsExactly("prepare", "intent w_user_1 max 3", "create w_user_1", "abandon w_user_1");
    assertThat(intents.states).containsEntry("w_user_1", LeaseState.REVOKING);
  }

  @Test
  void aTargetProviderNeedsAnIntentStore() throws Exception {
    PolicySnapshot snap = snapshot("database_user");
    assertThatThrownBy(
            () ->
                new TokenService(
                    () -> trust,
                    List::of,
                    () -> snap,
                    List.of(provider(null)),
                    audit,
                    new Fingerprinter(new byte[32]),
                    Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
