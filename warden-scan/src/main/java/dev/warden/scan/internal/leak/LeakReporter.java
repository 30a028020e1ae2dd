package dev.warden.scan.internal.leak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.ScanException;
import dev.warden.scan.SecretFinding;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks to a Warden server: fetches the installation's fingerprint key (so the scanner's
 * fingerprints equal the server's lease fingerprints) and posts findings for revocation.
 */
public final class LeakReporter {
  /** What the server answered to a report. */
  public record Outcome(int received, List<Match> matched, int unmatched) {
    public Outcome {
      matched = List.copyOf(matched);
    }
  }

  /** A reported fingerprint the server recognised as one of its leases. */
  /**
   * @param active the lease was live: a dry run's "would be revoked"
   */
  public record Match(String fingerprint, String leaseId, boolean revoked, boolean active) {}

  private static final String USER_AGENT =
      "warden-scan/" + dev.warden.scan.cli.ScanCommand.Version.version();

  private final HttpClient http;
  private final URI server;
  private final String token;
  private final ObjectMapper om = new ObjectMapper();

  /**
   * A reporter for one server.
   *
   * @throws ScanException REPORT_FAILED if the URL is not http(s) or the token is empty
   */
  public LeakReporter(HttpClient http, String serverUrl, String token) throws ScanException {
    URI u;
    try {
      u =
          URI.create(
              serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl);
    } catch (IllegalArgumentException e) {
      throw fail("--server is not a URL: " + serverUrl);
    }
    if (u.getScheme() == null
        || !(u.getScheme().equals("https") || u.getScheme().equals("http"))
        || u.getHost() == null) {
      throw fail(
          "--server must be an http(s) URL such as https://warden.example.com, got: " + serverUrl);
    }
    if (u.getScheme().equals("http") && !isLoopback(u.getHost())) {
      // The bearer token must not cross a network in clear text.
      throw fail(
          "--server must use https (plain http is accepted only for localhost): " + serverUrl);
    }
    if (token == null || token.isBlank()) {
      throw fail("a token is needed to report: use --token-file or WARDEN_TOKEN");
    }
    this.http = http;
    this.server = u;
    this.token = token.strip();
  }

  static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }

  public static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Fetches the installation's fingerprint key.
   *
   * @throws ScanException REPORT_FAILED on a network error, a non-200 answer or a malformed key
   */
  public FingerprintKey fetchKey() throws ScanException {
    HttpRequest req =
        HttpRequest.newBuilder(server.resolve(server.getPath() + "/v1/scan/fingerprint-key"))
            .header("User-Agent", USER_AGENT)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET()
            .build();
    JsonNode body = send(req, "fetching the fingerprint key");
    String key = body.path("key").asText(null);
    String keyId = body.path("keyId").asText(null);
    if (key == null || keyId == null || keyId.isBlank()) {
      throw fail("the server's fingerprint-key answer lacks \"key\" or \"keyId\"");
    }
    try {
      return FingerprintKey.fromBase64(key, keyId);
    } catch (IllegalArgumentException e) {
      throw fail("the server's fingerprint key is unusable: " + e.getMessage());
    }
  }

  /**
   * Reports findings: fingerprints, rule ids and locations only.
   *
   * @throws ScanException REPORT_FAILED on a network error, a non-200 answer or a malformed body
   */
  public Outcome report(String source, List<SecretFinding> findings) throws ScanException {
    return report(source, findings, false);
  }

  /**
   * @param dryRun the server only matches: nothing is revoked
   */
  public Outcome report(String source, List<SecretFinding> findings, boolean dryRun)
      throws ScanException {
    ObjectNode root = om.createObjectNode();
    root.put("source", source);
    if (dryRun) {
      root.put("dryRun", true);
    }
    ArrayNode arr = root.putArray("findings");
    for (SecretFinding f : findings) {
      ObjectNode o = arr.addObject();
      o.put("fingerprint", f.fingerprint());
      o.put("ruleId", f.ruleId());
      o.put("path", f.path());
      o.put("line", f.line());
      o.put("commit", f.commit());
    }
    HttpRequest req =
        HttpRequest.newBuilder(server.resolve(server.getPath() + "/v1/leaks"))
            .header("User-Agent", USER_AGENT)
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(root.toString()))
            .build();
    JsonNode body = send(req, "reporting leaks");
    if (!body.has("received") || !body.path("matched").isArray()) {
      throw fail("the server's answer to the leak report lacks \"received\" or \"matched\"");
    }
    List<Match> matched = new ArrayList<>();
    for (JsonNode m : body.get("matched")) {
      matched.add(
          new Match(
              m.path("fingerprint").asText(""),
              m.path("leaseId").asText(""),
              m.path("revoked").asBoolean(false),
              m.path("active").asBoolean(false)));
    }
    return new Outcome(body.path("received").asInt(), matched, body.path("unmatched").asInt());
  }

  /**
   * Asks which fingerprints and public-key hashes are Warden's and live ({@code POST
   * /v1/scan/verify}), and which databases a found password may be tried against. Sends no secret.
   *
   * @return the server's answer as JSON: {@code credentials}, {@code publicKeys}, {@code databases}
   */
  public JsonNode verify(List<String> fingerprints, List<String> publicKeyHashes)
      throws ScanException {
    ObjectNode root = om.createObjectNode();
    fingerprints.forEach(root.putArray("fingerprints")::add);
    publicKeyHashes.forEach(root.putArray("publicKeys")::add);
    HttpRequest req =
        HttpRequest.newBuilder(server.resolve(server.getPath() + "/v1/scan/verify"))
            .header("User-Agent", USER_AGENT)
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(root.toString()))
            .build();
    JsonNode body = send(req, "verifying findings");
    if (!body.path("credentials").isArray()
        || !body.path("publicKeys").isArray()
        || !body.path("databases").isArray()) {
      throw fail(
          "the server's answer to --verify lacks \"credentials\", \"publicKeys\" or \"databases\"");
    }
    return body;
  }

  private JsonNode send(HttpRequest req, String what) throws ScanException {
    HttpResponse<String> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw fail(
          what
              + ": cannot reach "
              + server
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(what + ": interrupted");
    }
    int code = resp.statusCode();
    if (code == 401 || code == 403) {
      throw fail(
          what
              + ": the server refused the token (HTTP "
              + code
              + "); check --token-file / WARDEN_TOKEN");
    }
    if (code != 200) {
      throw fail(what + ": the server answered HTTP " + code);
    }
    try {
      JsonNode n = om.readTree(resp.body());
      if (n == null || !n.isObject()) {
        throw fail(what + ": the server's answer is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw fail(what + ": the server's answer is not JSON");
    }
  }

  private static ScanException fail(String m) {
    return new ScanException(ScanException.Reason.REPORT_FAILED, m);
  }
}
