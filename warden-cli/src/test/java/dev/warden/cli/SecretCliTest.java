package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warden secret} against a real server: values go in from a file or stdin and never come
 * back out.
 */
class SecretCliTest {
  static final String VALUE = "sk_live_cli-secret-value";

  @TempDir Path dir;

  CliFixture cli;
  String url;
  String token;

  @BeforeEach
  void start() throws Exception {
    cli = CliFixture.start(dir, Map.of());
    url = cli.url;
    token = cli.token;
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  Run warden(String stdin, String... args) {
    InputStream oldIn = System.in;
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = url;
    all[args.length + 2] = "--token";
    all[args.length + 3] = token;
    try {
      System.setIn(
          new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
      CliFixture.Run r = cli.warden(Map.of(), all);
      return new Run(r.exit(), r.out(), r.err());
    } finally {
      System.setIn(oldIn);
    }
  }

  @Test
  void putFromAFileThenMetadataAndListShowEverythingButTheValue() throws Exception {
    Path f = dir.resolve("key.txt");
    Files.writeString(f, VALUE + "\n");

    Run put =
        warden(
            null,
            "secret",
            "put",
            "stripe-key",
            "--cas",
            "0",
            "--owner",
            "pay@acme.test",
            "--rotation-interval",
            "90d",
            "--value-file",
            f.toString());
    assertThat(put.exit()).as(put.err()).isZero();
    assertThat(put.out()).contains("wrote stripe-key version 1").doesNotContain(VALUE);

    JsonNode meta = warden(null, "secret", "get-metadata", "stripe-key", "--output", "json").json();
    assertThat(meta.path("owner").asText()).isEqualTo("pay@acme.test");
    assertThat(meta.path("rotationInterval").asText()).isEqualTo("90d");
    assertThat(meta.toString()).doesNotContain(VALUE);
    Run list = warden(null, "secret", "list", "--output", "json");
    assertThat(list.json().path("items").path(0).path("name").asText()).isEqualTo("stripe-key");
    assertThat(warden(null, "secret", "list").out()).contains("stripe-key").doesNotContain(VALUE);
  }

  @Test
  void putFromStandardInputWithAStaleCasIsRefusedWithExitCode2() {
    assertThat(
            warden(VALUE, "secret", "put", "k", "--owner", "o@acme.test", "--value-stdin").exit())
        .isZero();
    assertThat(warden("v2\n", "secret", "put", "k", "--cas", "1", "--value-stdin").exit()).isZero();

    Run stale = warden("v3", "secret", "put", "k", "--cas", "1", "--value-stdin");

    assertThat(stale.exit()).isEqualTo(2);
    assertThat(stale.err()).contains("check-and-set failed").contains("cas=2").doesNotContain("v3");
  }

  @Test
  void aValueIsNeverTakenFromTheCommandLine() {
    Run r = warden(null, "secret", "put", "k", VALUE, "--owner", "o@acme.test");
    assertThat(r.exit()).isEqualTo(2);
    Run none = warden(null, "secret", "put", "k", "--owner", "o@acme.test");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--value-file").contains("--value-stdin");
    Run empty = warden("", "secret", "put", "k", "--owner", "o@acme.test", "--value-stdin");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("no value");
  }

  @Test
  void versionsAreDeletedUndeletedDestroyedAndTheSecretRemoved() throws Exception {
    assertThat(warden("a", "secret", "put", "k", "--owner", "o@acme.test", "--value-stdin").exit())
        .isZero();

    assertThat(warden(null, "secret", "delete", "k", "--version", "1").out())
        .contains("deleted version 1 of k");
    assertThat(warden(null, "secret", "undelete", "k", "--version", "1").exit()).isZero();
    assertThat(warden(null, "secret", "destroy", "k", "--version", "1").exit()).isZero();
    assertThat(
            warden(null, "secret", "get-metadata", "k", "-o", "json")
                .json()
                .path("versions")
                .path(0)
                .path("state")
                .asText())
        .isEqualTo("destroyed");
    assertThat(warden(null, "secret", "undelete", "k", "--version", "1").exit()).isEqualTo(2);
    assertThat(warden(null, "secret", "delete", "k").err()).contains("--version N");
    assertThat(warden(null, "secret", "delete", "k", "--all").exit()).isZero();
    assertThat(warden(null, "secret", "get-metadata", "k").exit()).isEqualTo(3);
  }

  @Test
  void rotateWithoutAConnectorSaysHowToRotateByHand() {
    assertThat(warden("a", "secret", "put", "k", "--owner", "o@acme.test", "--value-stdin").exit())
        .isZero();
    Run r = warden(null, "secret", "rotate", "k");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no rotation connector").contains("warden secret put k --cas 1");
  }

  @Test
  void discardPendingNamesTheVersionAndRefusesWhenNoRotationIsPending() {
    assertThat(warden("a", "secret", "put", "k", "--owner", "o@acme.test", "--value-stdin").exit())
        .isZero();

    assertThat(warden(null, "secret", "discard-pending", "k").err()).contains("--version N");
    Run r = warden(null, "secret", "discard-pending", "k", "--version", "2");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no pending version 2").contains("no rotation is pending");
    assertThat(warden(null, "secret", "get-metadata", "k").out())
        .doesNotContain("PENDING ROTATION");
  }
}
