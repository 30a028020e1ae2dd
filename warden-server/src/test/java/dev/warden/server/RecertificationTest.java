package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.server.config.ConfigLoader;
import dev.warden.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recertification over HTTP with the server's clock under the test's control and a real webhook
 * receiver: start, remind, confirm, retire, overdue suspension, a receiver that is down.
 */
class RecertificationTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final MutableClock clock = MutableClock.startingAt(Instant.now());
  final WebhookReceiver hook = new WebhookReceiver();
  final List<JsonNode> received = hook.received;
  WardenServer server;
  String base;
  String admin;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    int port = ServerFixture.freePort();
    flags.put("server.port", Integer.toString(port));
    flags.put("server.dataDir", dir.toString());
    flags.put("keys.checkInterval", "100ms");
    flags.put("notifications.webhookUrl", hook.url());
    flags.put("notifications.retryBase", "50ms");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server =
        WardenServer.start(
            ConfigLoader.load(null, Map.of(), flags),
            clock,
            new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m =
        Pattern.compile("(wdn_[0-9a-f]+_[A-Za-z0-9_-]+)")
            .matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    admin = m.group(1);
    base = "http://127.0.0.1:" + port;
    StringBuilder docs = new StringBuilder("{\"documents\":[");
    String[][] ws = {
      {"api", "payments", "alice@example.org"},
      {"worker", "payments", "bob@example.org"},
      {"search", "discovery", "carol@example.org"}
    };
    for (int i = 0; i < ws.length; i++) {
      docs.append(i == 0 ? "" : ",")
          .append("{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\"spiffe://warden.local/")
          .append(ws[i][0])
          .append("\",\"selectors\":[\"k8s:sa=")
          .append(ws[i][0])
          .append("\"],\"team\":\"")
          .append(ws[i][1])
          .append("\",\"owner\":\"")
          .append(ws[i][2])
          .append("\"}}");
    }
    assertThat(call("POST", "/v1/apply", docs.append("]}").toString()).statusCode()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    server.close();
    hook.close();
  }

  HttpResponse<String> call(String method, String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(String method, String path, String body) throws Exception {
    HttpResponse<String> r = call(method, path, body);
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  static void await(Supplier<Boolean> cond) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!cond.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(cond.get()).isTrue();
  }

  String workloadState(String id) throws Exception {
    return json(
            "GET", "/v1/workloads/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8), null)
        .path("spec")
        .path("state")
        .asText();
  }

  @Test
  void ownersConfirmOrRetireAndWhatIsLeftIsSuspendedWhenDue() throws Exception {
    JsonNode c =
        json("POST", "/v1/recert/campaigns", "{\"scope\":{\"team\":\"payments\"},\"due\":\"2h\"}");
    String id = c.get("id").asText();
    assertThat(c.get("workloads")).hasSize(2);
    await(() -> received.size() == 2); // one request per owner
    assertThat(received)
        .allSatisfy(n -> assertThat(n.get("event").asText()).isEqualTo("recert.requested"));

    JsonNode confirmed =
        json(
            "POST",
            "/v1/recert/campaigns/" + id + "/decisions",
            "{\"workload\":\"spiffe://warden.local/api\",\"decision\":\"confirm\",\"note\":\"still serves checkout\"}");
    assertThat(confirmed.get("decision").asText()).isEqualTo("confirmed");
    HttpResponse<String> twice =
        call(
            "POST",
            "/v1/recert/campaigns/" + id + "/decisions",
            "{\"workload\":\"spiffe://warden.local/api\",\"decision\":\"retire\"}");
    assertThat(twice.statusCode()).isEqualTo(400);

    clock.advance(Duration.ofHours(3));
    await(
        () -> {
          try {
            return json("GET", "/v1/recert/campaigns/" + id, null)
                .get("state")
                .asText()
                .equals("closed");
          } catch (Exception e) {
            return false;
          }
        });
    JsonNode done = json("GET", "/v1/recert/campaigns/" + id, null);
    assertThat(done.get("pending").asLong()).isZero();
    assertThat(done.get("workloads").toString()).contains("suspended_overdue");
    assertThat(workloadState("spiffe://warden.local/worker")).isEqualTo("suspended");
    assertThat(workloadState("spiffe://warden.local/api")).isEqualTo("active");
    await(() -> received.stream().anyMatch(n -> n.get("event").asText().equals("recert.overdue")));
    JsonNode audit = json("GET", "/v1/audit?type=recert.overdue", null);
    assertThat(audit.get("events")).hasSize(1);
  }

  @Test
  void retiringThroughTheCampaignOffboardsTheWorkload() throws Exception {
    String id =
        json(
                "POST",
                "/v1/recert/campaigns",
                "{\"scope\":{\"owner\":\"carol@example.org\"},\"due\":\"1d\"}")
            .get("id")
            .asText();
    json(
        "POST",
        "/v1/recert/campaigns/" + id + "/decisions",
        "{\"workload\":\"spiffe://warden.local/search\",\"decision\":\"retire\"}");
    assertThat(workloadState("spiffe://warden.local/search")).isEqualTo("retired");
    assertThat(json("GET", "/v1/recert/campaigns/" + id, null).get("state").asText())
        .isEqualTo("closed");
  }

  @Test
  void badCampaignsAreRefusedWithTheReason() throws Exception {
    HttpResponse<String> key =
        call("POST", "/v1/recert/campaigns", "{\"scope\":{\"colour\":\"red\"}}");
    assertThat(key.statusCode()).isEqualTo(400);
    assertThat(key.body()).contains("not a scope key");
    assertThat(
            call(
                    "POST",
                    "/v1/recert/campaigns",
                    "{\"scope\":{\"team\":\"payments\"},\"due\":\"5m\"}")
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> none =
        call("POST", "/v1/recert/campaigns", "{\"scope\":{\"team\":\"nobody\"}}");
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(none.body()).contains("selects no active workload");
  }

  @Test
  void aWebhookThatIsDownIsRetriedWithoutBlockingAndTheFailureIsAudited() throws Exception {
    int closed = ServerFixture.freePort();
    long t0 = System.nanoTime();
    json(
        "POST",
        "/v1/recert/campaigns",
        "{\"scope\":{\"team\":\"payments\"},\"due\":\"1d\","
            + "\"webhook\":\"http://127.0.0.1:"
            + closed
            + "/down\"}");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    await(
        () -> {
          try {
            return json("GET", "/v1/audit?type=notification.failed", null).get("events").size()
                == 2;
          } catch (Exception e) {
            return false;
          }
        });
  }
}
