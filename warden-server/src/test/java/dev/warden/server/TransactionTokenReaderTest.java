package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.resource.TransactionTokens;
import dev.warden.testkit.TestOidcIssuer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A downstream service reads the Txn-Token header with warden-resource's TransactionTokens, against
 * a real Warden.
 */
class TransactionTokenReaderTest {
  static final String FRONTEND = "spiffe://shop.test/ns/shop/sa/frontend";

  @TempDir static Path dir;

  static TestOidcIssuer k8s;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    k8s = TestOidcIssuer.builder().audience("warden").start();
    warden = ServerFixture.start(dir, Map.of("server.trustDomain", "shop.test"));
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: cluster}
        spec: {type: kubernetes, issuer: %s, audiences: [warden], algorithms: [RS256]}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["k8s:ns=shop", "k8s:sa=frontend"], owner: shop@shop.test}
        ---
        kind: Resource
        metadata: {name: transactions}
        spec: {audience: "spiffe://shop.test"}
        ---
        kind: Resource
        metadata: {name: orders}
        spec: {audience: https://orders.shop.test}
        ---
        kind: AccessPolicy
        metadata: {name: frontend}
        spec: {workloads: {spiffeIds: [%s]}, resources: [transactions, orders], scopes: [order.place]}
        """
            .formatted(k8s.issuer(), FRONTEND, FRONTEND));
  }

  @AfterAll
  static void stop() {
    warden.close();
    k8s.close();
  }

  static String txnToken() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
    f.put("requested_token_type", "urn:ietf:params:oauth:token-type:txn_token");
    f.put("audience", "shop.test");
    f.put("scope", "order.place");
    f.put("subject_token", "{\"sub\":\"" + FRONTEND + "\"}");
    f.put("subject_token_type", "urn:ietf:params:oauth:token-type:unsigned_json");
    f.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    f.put("client_assertion", k8s.kubernetesToken("shop", "frontend", "fe"));
    f.put("request_details", "{\"sku\":\"B-42\",\"quantity\":2}");
    ServerFixture.Response r = warden.token(f);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  @Test
  void aServiceReadsTheTransactionItRunsIn() throws Exception {
    TransactionTokens.Transaction t =
        TransactionTokens.of("shop.test", warden.base).verify(txnToken());
    assertThat(t.txn()).isNotBlank();
    assertThat(t.subject()).isEqualTo(FRONTEND);
    assertThat(t.requestingWorkload()).isEqualTo(FRONTEND);
    assertThat(t.scopes()).containsExactly("order.place");
    assertThat(t.context()).containsEntry("sku", "B-42");
    assertThat(t.requestContext()).containsKey("req_ip");
  }

  @Test
  void anAccessTokenAnotherTrustDomainOrATamperedTokenIsNotATransaction() {
    ServerFixture.Response access =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                k8s.kubernetesToken("shop", "frontend", "fe"),
                "resource",
                "https://orders.shop.test"));
    TransactionTokens txns = TransactionTokens.of("shop.test", warden.base);
    assertThatThrownBy(() -> txns.verify(access.json().path("access_token").asText()))
        .isInstanceOf(TransactionTokens.InvalidTransactionToken.class);
    String good = txnToken();
    assertThatThrownBy(() -> TransactionTokens.of("other.test", warden.base).verify(good))
        .isInstanceOf(TransactionTokens.InvalidTransactionToken.class);
    String tampered =
        good.substring(0, good.lastIndexOf('.') + 1)
            + "AAAA"
            + good.substring(good.lastIndexOf('.') + 5);
    assertThatThrownBy(() -> txns.verify(tampered))
        .isInstanceOf(TransactionTokens.InvalidTransactionToken.class);
    assertThatThrownBy(() -> txns.verify(null)).hasMessageContaining("Txn-Token");
  }
}
