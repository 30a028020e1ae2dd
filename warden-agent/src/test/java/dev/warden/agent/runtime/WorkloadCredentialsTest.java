package dev.warden.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.agent.edge.EdgeCredential;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The credential answers of the server's three database engines, as CredentialResponses writes
 * them.
 */
class WorkloadCredentialsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static EdgeCredential parse(String json) throws Exception {
    return WorkloadCredentials.credential(JSON.readTree(json), "r", NOW);
  }

  @Test
  void mariadbAndRedisAnswersGiveTheirEngineHostPortAndDatabase() throws Exception {
    EdgeCredential m =
        parse(
            """
        {"credential_type":"database_user","lease_id":"l1","expires_at":"2026-01-01T00:05:00Z","username":"wm_a",
         "password":"pw","jdbc_url":"jdbc:mariadb://db:3307/shop","engine":"mariadb","host":"db","port":3307,
         "database":"shop"}""");
    assertThat(m.engine()).isEqualTo("mariadb");
    assertThat(m.port()).isEqualTo(3307);
    assertThat(m.database()).isEqualTo("shop");
    EdgeCredential r =
        parse(
            """
        {"credential_type":"database_user","lease_id":"l2","expires_at":"2026-01-01T00:05:00Z","username":"wr_a",
         "password":"pw","url":"redis://cache:6380/2","engine":"redis","host":"cache","port":6380,"database":"2"}""");
    assertThat(r.engine()).isEqualTo("redis");
    assertThat(r.host()).isEqualTo("cache");
    assertThat(r.port()).isEqualTo(6380);
    assertThat(r.database()).isEqualTo("2");
  }

  @Test
  void withoutAPortTheEnginesDefaultIsUsedAndPostgresStaysTheDefault() throws Exception {
    String common =
        "\"credential_type\":\"database_user\",\"expires_at\":\"2026-01-01T00:05:00Z\","
            + "\"username\":\"u\",\"password\":\"p\",\"host\":\"h\"";
    assertThat(parse("{" + common + ",\"engine\":\"mariadb\"}").port()).isEqualTo(3306);
    assertThat(parse("{" + common + ",\"engine\":\"redis\"}").port()).isEqualTo(6379);
    assertThat(parse("{" + common + ",\"engine\":\"postgres\"}").port()).isEqualTo(5432);
    assertThat(parse("{" + common + "}").port()).isEqualTo(5432);
    assertThat(parse("{" + common + "}").engine()).isNull();
    // an answer without engine still says it in its URL's scheme
    assertThat(parse("{" + common + ",\"url\":\"rediss://h\"}").port()).isEqualTo(6379);
    assertThat(parse("{" + common + ",\"jdbc_url\":\"jdbc:mysql://h/x\"}").engine())
        .isEqualTo("mariadb");
  }

  @Test
  void brokeredSecretsAndUpstreamTokensAreHttpCredentialsNamedByTheirKind() throws Exception {
    EdgeCredential s =
        parse(
            """
        {"credential_type":"brokered_secret","lease_id":"bs_1","expires_at":"2026-01-01T00:10:00Z","expires_in":600,
         "resource":"stripe","value":"sk_live_x","secret":"stripe-key","version":3}""");
    assertThat(s.engine()).isEqualTo("brokered_secret");
    assertThat(s.password().reveal()).isEqualTo("sk_live_x");
    assertThat(s.leaseId()).isEqualTo("bs_1");
    assertThat(s.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:10:00Z"));
    EdgeCredential t =
        parse(
            """
        {"credential_type":"upstream_token","lease_id":"u_1","expires_at":"2026-01-01T01:00:00Z","expires_in":3600,
         "resource":"crm","access_token":"at-123","token_type":"Bearer","scope":"read"}""");
    assertThat(t.engine()).isEqualTo("upstream_token");
    assertThat(t.password().reveal()).isEqualTo("at-123");
  }
}
