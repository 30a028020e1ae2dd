package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditProof;
import dev.warden.core.audit.AuditRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code warden audit verify --proof}: a proof exported by the console's audit explorer of a real
 * server verifies offline (the server is stopped first), and every way of tampering with it is
 * caught and names the first broken event; a file that is not a proof is exit 2.
 */
class AuditProofCliTest {
  @TempDir static Path dir;

  /** The proof as the console exported it: events 2 to {@link #to}. */
  static String exported;

  static long to;

  /** The server (stopped once the proof is exported) and the command run in this process. */
  static CliFixture cli;

  @BeforeAll
  static void exportAProofThenStopTheServer() throws Exception {
    cli = CliFixture.start(dir, Map.of());
    try {
      String token = cli.token;
      String url = cli.url;
      StringBuilder yaml = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        yaml.append(i == 0 ? "" : "---\n")
            .append("kind: Resource\nmetadata: {name: r")
            .append(i)
            .append("}\nspec: {audience: https://r")
            .append(i)
            .append(".acme.test}\n");
      }
      Path f = dir.resolve("resources.yaml");
      Files.writeString(f, yaml);
      assertThat(warden("apply", "-f", f.toString(), "--server", url, "--token", token).exit())
          .isZero();
      to =
          ApiClient.JSON
              .readTree(
                  warden(
                          "audit",
                          "list",
                          "--limit",
                          "1",
                          "--server",
                          url,
                          "--token",
                          token,
                          "-o",
                          "json")
                      .out())
              .path("events")
              .path(0)
              .path("seq")
              .asLong();
      assertThat(to).isGreaterThanOrEqualTo(9);
      exported = consoleProof(url, token, 2, to);
    } finally {
      cli.close();
    }
  }

  /** Signs in to the console as a browser does and downloads "Export proof". */
  static String consoleProof(String url, String token, long from, long to) throws Exception {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> form =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/console/login")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher nonce =
        Pattern.compile("name=\"_login\" value=\"([A-Za-z0-9_-]+)\"").matcher(form.body());
    assertThat(nonce.find()).isTrue();
    HttpResponse<String> signedIn =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", cookie(form, "warden-login"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "_login="
                            + nonce.group(1)
                            + "&token="
                            + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(signedIn.statusCode()).isEqualTo(303);
    HttpResponse<String> proof =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(url + "/console/audit/proof?from=" + from + "&to=" + to))
                .header("Cookie", cookie(signedIn, "warden-session"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(proof.statusCode()).as(proof.body()).isEqualTo(200);
    assertThat(proof.headers().firstValue("content-disposition").orElse(""))
        .contains("warden-audit-" + from + "-" + to + ".json");
    return proof.body();
  }

  static String cookie(HttpResponse<?> r, String name) {
    for (String c : r.headers().allValues("set-cookie")) {
      if (c.startsWith(name + "=")) {
        return c.substring(0, c.indexOf(';'));
      }
    }
    throw new AssertionError("no " + name + " cookie in " + r.headers().map());
  }

  record Run(int exit, String out, String err) {
    JsonNode json() {
      try {
        return ApiClient.JSON.readTree(out);
      } catch (java.io.IOException e) {
        throw new AssertionError(out + err, e);
      }
    }
  }

  /** The CLI in this process, with a home directory of the test's own (no server needed). */
  static Run warden(String... args) {
    CliFixture.Run r = cli.warden(Map.of(), args);
    return new Run(r.exit(), r.out(), r.err());
  }

  static Path write(String text) throws Exception {
    Path f = dir.resolve("proof-" + System.nanoTime() + ".json");
    Files.writeString(f, text);
    return f;
  }

  static ObjectNode proof() throws Exception {
    return (ObjectNode) ApiClient.JSON.readTree(exported);
  }

  @Test
  void anExportedProofVerifiesOfflineWithTheServerStopped() throws Exception {
    Path f = write(exported);
    Run text = warden("audit", "verify", "--proof", f.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("audit proof intact: events 2 to " + to + " (" + (to - 1) + ")");

    Run json = warden("audit", "verify", "--proof", f.toString(), "--output", "json");
    assertThat(json.exit()).isZero();
    assertThat(json.json().path("intact").asBoolean()).isTrue();
    assertThat(json.json().path("checked").asLong()).isEqualTo(to - 1);
    assertThat(json.json().path("last").asText()).isEqualTo(proof().path("last").asText());
    assertThat(json.json().has("firstBadSeq")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "changed,            5, was changed after it was written",
    "changedAndRehashed, 6, does not link to event 5",
    "removed,            5, event 5 was removed",
    "reordered,          5, reordered",
    "duplicated,         6, out of place",
    "lastRemoved,        0, was removed (the proof ends at event",
    "lastHashReplaced,   0, hashes to",
    "anchorReplaced,     2, does not follow the proof"
  })
  void aTamperedProofIsBrokenAtItsFirstBadEvent(String how, long bad, String problem)
      throws Exception {
    ObjectNode p = proof();
    ArrayNode events = (ArrayNode) p.path("events");
    // events[i] is event i + 2
    switch (how) {
      case "changed" -> ((ObjectNode) events.get(3)).put("actor", "admin:someone-else");
      case "changedAndRehashed" -> {
        // an attacker who also recomputes the changed event's hash breaks the next link instead
        ObjectNode e = (ObjectNode) events.get(3);
        e.put("actor", "admin:someone-else");
        AuditRecord r = AuditProof.record(e);
        e.put("hash", HexFormat.of().formatHex(AuditChain.link(r.prevHash(), r.seq(), r.event())));
      }
      case "removed" -> events.remove(3);
      case "reordered" -> events.insert(4, events.remove(3));
      case "duplicated" -> events.insert(4, events.get(3).deepCopy());
      case "lastRemoved" -> events.remove(events.size() - 1);
      case "lastHashReplaced" -> p.put("last", "ab".repeat(32));
      case "anchorReplaced" -> p.put("anchor", "cd".repeat(32));
      default -> throw new AssertionError(how);
    }
    long firstBad = bad == 0 ? to : bad;
    Path f = write(p.toString());

    Run json = warden("audit", "verify", "--proof", f.toString(), "-o", "json");
    assertThat(json.exit()).as(json.out() + json.err()).isEqualTo(1);
    assertThat(json.json().path("intact").asBoolean()).isFalse();
    assertThat(json.json().path("firstBadSeq").asLong()).isEqualTo(firstBad);
    assertThat(json.json().path("problem").asText()).contains(problem);

    Run text = warden("audit", "verify", "--proof", f.toString());
    assertThat(text.exit()).isEqualTo(1);
    assertThat(text.out()).startsWith("AUDIT PROOF BROKEN at event " + firstBad + ": ");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "notJson",
        "notAnObject",
        "otherFormat",
        "noEvents",
        "eventWithoutHash",
        "seqAsText",
        "badHex",
        "badTime",
        "hugeYear",
        "badLeaseKind"
      })
  void aFileThatIsNotAProofIsExitTwoAndNamesWhatIsWrong(String how) throws Exception {
    ObjectNode p = proof();
    ObjectNode first = (ObjectNode) p.path("events").get(0);
    String text =
        switch (how) {
          case "notJson" -> "{\"format\": \"warden-audit-proof/1\", \"events\": [";
          case "notAnObject" -> "[1, 2, 3]";
          case "otherFormat" -> p.put("format", "something-else/1").toString();
          case "noEvents" -> p.putArray("events").toString();
          case "eventWithoutHash" -> {
            first.remove("hash");
            yield p.toString();
          }
          case "seqAsText" -> {
            first.put("seq", "2");
            yield p.toString();
          }
          case "badHex" -> {
            first.put("prevHash", "zz".repeat(32));
            yield p.toString();
          }
          case "badTime" -> {
            first.put("time", "yesterday");
            yield p.toString();
          }
          case "hugeYear" -> {
            first.put("time", "+1000000000-01-01T00:00:00Z");
            yield p.toString();
          }
          case "badLeaseKind" -> {
            first.putObject("lease").put("kind", "nonsense");
            yield p.toString();
          }
          default -> throw new AssertionError(how);
        };
    Run r = warden("audit", "verify", "--proof", write(text).toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("is not an audit proof");
  }

  @Test
  void aMissingFileIsExitTwo() {
    Run r = warden("audit", "verify", "--proof", dir.resolve("no-such-proof.json").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("cannot read --proof");
  }
}
