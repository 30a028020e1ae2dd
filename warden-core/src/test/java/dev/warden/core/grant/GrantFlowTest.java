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
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.trust.TrustProviders;
import dev.warden.testkit.TestOidcIssuer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grant flow's seams: evidence is attested by the attestor of its kind, the credential is
 * minted by the provider of the granted kind, and every request — allowed or refused at any step —
 * is audited exactly once.
 */
class GrantFlowTest {
  static TestOidcIssuer k8s;
  static TrustProviders trust;

  final MemoryAuditStore records = new MemoryAuditStore();
  final AuditWriter audit = new AuditWriter(records, 10, 5_000);
  final AtomicReference<Issuance> minted = new AtomicReference<>();

  @BeforeAll
  static void issuer() throws Exception {
    k8s = TestOidcIssuer.builder().audience("warden").start();
    trust = GrantFixtures.inlineTrust(k8s);
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  static PolicySnapshot snapshot(String credentialKind) throws Exception {
    Workload w =
        (Workload)
            GrantFixtures.doc(
                "{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\"spiffe://acme.test/ns/pay/sa/api\","
                    + "\"selectors\":[\"k8s:ns=pay\",\"k8s:sa=api\"],\"owner\":\"a@acme.test\"}}");
    Resource r =
        (Resource)
            GrantFixtures.doc(
                "{\"kind\":\"Resource\",\"metadata\":{\"name\":\"ledger\"},\"spec\":{\"audience\":"
                    + "\"https://ledger.acme.test\",\"kind\":\"postgres\"}}");
    AccessPolicy p =
        (AccessPolicy)
            GrantFixtures.doc(
                "{\"kind\":\"AccessPolicy\",\"metadata\":{\"name\":\"p\"},\"spec\":{"
                    + "\"workloads\":{\"spiffeIds\":[\"spiffe://acme.test/ns/pay/sa/api\"]},\"resources\":[\"ledger\"],"
                    + "\"credentialKind\":\""
                    + credentialKind
                    + "\",\"maxTtl\":\"2m\",\"scopes\":[\"read\"]}}");
    return PolicySnapshot.build(List.of(w), List.of(r), List.of(p), null);
  }

  /**
   * A provider for a kind the token endpoint does not issue today: the seam takes it without other
   * changes.
   */
  CredentialProvider fakeProvider(CredentialKind kind) {
    return new CredentialProvider() {
      @Override
      public CredentialKind kind() {
        return kind;
      }

      @Override
      public IssuedCredential issue(Issuance in) {
        minted.set(in);
        return new IssuedCredential(
            kind,
            Secret.of("credential-of-" + in.workload().name()),
            "lease-1",
            in.now(),
            in.notAfter(),
            Map.of("target", in.resource().kind()));
      }
    };
  }

  TokenService service(PolicySnapshot snap, CredentialProvider provider) {
    return new TokenService(
        () -> trust,
        List::of,
        () -> snap,
        List.of(provider),
        audit,
        new Fingerprinter(new byte[32]),
        Clock.systemUTC());
  }

  GrantRequest request(String token, String target, String scope) {
    return new GrantRequest(
        GrantType.CLIENT_CREDENTIALS,
        new Evidence.PlatformToken(Secret.of(token)),
        target,
        scope,
        null,
        "10.0.0.7",
        CredentialKind.Endpoint.TOKEN,
        null,
        null,
        GrantRequest.Hop.NONE,
        null);
  }

  @Test
  void theProviderOfTheGrantedKindMintsAndTheOneAllowEventCarriesItsLease() throws Exception {
    TokenService s = service(snapshot("x509_svid"), fakeProvider(CredentialKind.X509_SVID));
    Granted g = s.grant(request(k8s.kubernetesToken("pay", "api", "api-0"), "ledger", "read"));

    assertThat(g.accessToken().reveal())
        .isEqualTo("credential-of-spiffe://acme.test/ns/pay/sa/api");
    assertThat(minted.get().resource().name()).isEqualTo("ledger");
    assertThat(minted.get().scopes()).containsExactly("read");
    assertThat(minted.get().notAfter()).isEqualTo(minted.get().now().plusSeconds(120));
    assertThat(records.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("token.issued");
              assertThat(e.outcome()).isEqualTo("allow");
              assertThat(e.lease().kind()).isEqualTo(CredentialKind.X509_SVID);
              assertThat(e.lease().id()).isEqualTo("lease-1");
              assertThat(e.details())
                  .containsEntry("target", "postgres")
                  .containsEntry("provider", "cluster")
                  .containsEntry("credentialKind", "x509_svid")
                  .containsEntry("scope", "read");
              assertThat(e.details().values()).noneMatch(v -> v.contains("credential-of"));
            });
  }

  @Test
  void aGrantedKindWithNoProviderIsRefusedAndAuditedOnce() throws Exception {
    TokenService s = service(snapshot("x509_svid"), fakeProvider(CredentialKind.ACCESS_TOKEN));
    assertThatThrownBy(
            () -> s.grant(request(k8s.kubernetesToken("pay", "api", "api-0"), "ledger", null)))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CREDENTIAL_KIND_UNSUPPORTED));
    assertThat(minted.get()).isNull();
    assertThat(records.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("token.denied");
              assertThat(e.reason()).isEqualTo("credential_kind_unsupported");
              assertThat(e.workload()).isEqualTo("spiffe://acme.test/ns/pay/sa/api");
              assertThat(e.resource()).isEqualTo("ledger");
            });
  }

  @Test
  void aRefusalAfterAttestationIsAuditedOnceWithTheAttestedSubject() throws Exception {
    TokenService s = service(snapshot("access_token"), fakeProvider(CredentialKind.ACCESS_TOKEN));
    assertThatThrownBy(
            () -> s.grant(request(k8s.kubernetesToken("pay", "stranger", "x-0"), "ledger", null)))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_WORKLOAD));
    assertThatThrownBy(
            () -> s.grant(request(k8s.kubernetesToken("pay", "api", "api-0"), "ledger", "write")))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCOPE));
    assertThatThrownBy(() -> s.grant(request("not.a.token", "ledger", null)))
        .isInstanceOf(DeniedException.class);
    List<AuditEvent> events = records.events();
    assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e.type()).isEqualTo("token.denied"));
    assertThat(events.get(0).details())
        .containsEntry("provider", "cluster")
        .hasEntrySatisfying("subject", v -> assertThat(v).contains("stranger"));
    assertThat(events.get(0).actor()).startsWith("cluster:");
    assertThat(events.get(1).actor()).isEqualTo("spiffe://acme.test/ns/pay/sa/api");
    assertThat(events.get(2).actor()).isEqualTo("unauthenticated");
    assertThat(minted.get()).isNull();
  }

  @Test
  void aJwtSvidPolicyAtTheTokenEndpointIsServedByTheAccessTokenProviderAndLeasedAsWhatWasIssued()
      throws Exception {
    TokenService s = service(snapshot("jwt_svid"), fakeProvider(CredentialKind.ACCESS_TOKEN));
    s.grant(request(k8s.kubernetesToken("pay", "api", "api-0"), "https://ledger.acme.test", null));
    assertThat(records.events().getFirst().lease().kind()).isEqualTo(CredentialKind.ACCESS_TOKEN);
  }
}
