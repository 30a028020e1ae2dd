package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialFileTest {
  private static final Detector DETECTOR = new Detector(Rules.all());
  private static final FingerprintKey KEY = FingerprintKey.of(new byte[32]);

  private static List<SecretFinding> scan(String path, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    List<SecretFinding> out = new ArrayList<>();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder())
        .scan(b, b.length, 0, b.length, new LineCursor(1), path, out::add);
    return out;
  }

  @ParameterizedTest
  @CsvSource({
    "config/master.key, RAILS_KEY",
    "app/config/master.key, RAILS_KEY",
    "MASTER.KEY, RAILS_KEY",
    "config/credentials/production.key, RAILS_KEY",
    "C:\\app\\config\\credentials\\staging.key, RAILS_KEY",
    "credentials/development.key, RAILS_KEY",
    ".pgpass, PGPASS",
    "home/deploy/.pgpass, PGPASS",
    "AppData\\Roaming\\postgresql\\pgpass.conf, PGPASS",
    "etc/pgbouncer/userlist.txt, PGBOUNCER_USERLIST",
    "auth.txt, OPENVPN_AUTH",
    "vpn/client.auth, OPENVPN_AUTH",
    "nordvpn-auth.txt, OPENVPN_AUTH",
    "surfshark_auth.txt, OPENVPN_AUTH",
    "auth-user-pass, OPENVPN_AUTH",
    "etc/openvpn/login.conf, OPENVPN_AUTH",
    "etc/openvpn/client/credentials.txt, OPENVPN_AUTH",
    "ExpressVPN\\pass.txt, OPENVPN_AUTH",
    ".vault_pass, ANSIBLE_VAULT_PASSWORD",
    ".vault_pass.txt, ANSIBLE_VAULT_PASSWORD",
    "ansible/vault-password.txt, ANSIBLE_VAULT_PASSWORD",
    ".ansible_vault_pass, ANSIBLE_VAULT_PASSWORD",
    "vault_passwd, ANSIBLE_VAULT_PASSWORD",
  })
  void pathWhenNamedLikeACredentialFileThenClassified(String path, CredentialFile kind) {
    assertThat(CredentialFile.of(path)).isEqualTo(kind);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "\\",
        "<stdin>",
        "config/master.key.sample",
        "config/master.key/",
        "server.key",
        "config/production.key",
        "credentials.key/x",
        "pgpass",
        ".pgpass.example",
        "userlist.txt.bak",
        "login.conf",
        "etc/login.conf",
        "notes/credentials.txt",
        "pass.txt",
        "src/auth.go",
        "auth.py",
        "authors.txt",
        "vault.yml",
        "group_vars/all/vault",
        ".vault_pass.py",
        "vault_pass.sh",
        "README.md",
      })
  void pathWhenNotACredentialFileNameThenNone(String path) {
    assertThat(CredentialFile.of(path)).isEqualTo(CredentialFile.NONE);
  }

  @Test
  void anyPathWhenClassifiedThenNeverThrows() {
    SplittableRandom r = new SplittableRandom(110);
    String alphabet = "/\\.-_ aAvVpnkeytxsuhcrgol*:\u00e9\u0000";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(0, 40);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String path = sb.toString();
      assertThatCode(() -> CredentialFile.of(path)).as(path).doesNotThrowAnyException();
    }
  }

  @Test
  void railsMasterKeyWhenAloneInItsFileThenReported() {
    String key = "3f9c1a7be2d04c58a6e1f0b97d2c4e81";
    for (String text : List.of(key, key + "\n", "  " + key + "\r\n\n")) {
      assertThat(scan("config/master.key", text))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.ruleId()).isEqualTo("rails-master-key");
                assertThat(f.secret().reveal()).isEqualTo(key);
              });
    }
    assertThat(scan("config/credentials/production.key", key + "\n"))
        .extracting(SecretFinding::ruleId)
        .containsExactly("rails-master-key");
  }

  @Test
  void railsMasterKeyWhenNotAloneOrNotItsShapeOrNotItsPathThenNotReported() {
    String key = "3f9c1a7be2d04c58a6e1f0b97d2c4e81";
    assertThat(scan("config/master.key", key + "\n" + key + "\n")).isEmpty();
    assertThat(scan("config/master.key", "# key\n" + key + "\n")).isEmpty();
    assertThat(scan("config/master.key", key.toUpperCase(java.util.Locale.ROOT))).isEmpty();
    assertThat(scan("config/master.key", key + "0")).isEmpty();
    assertThat(scan("config/master.key", "0123456789abcdef0123456789abcdef")).isEmpty();
    assertThat(scan("config/master.key.example", key)).isEmpty();
    assertThat(scan("VERSION", key)).isEmpty();
  }

  @Test
  void wholeFileFormatWhenFileLargerThanItsFormatThenNotRead() {
    String key = "3f9c1a7be2d04c58a6e1f0b97d2c4e81";
    String padded = key + " ".repeat(Detector.WHOLE_FILE_MAX);
    assertThat(scan("config/master.key", padded)).isEmpty();
    assertThat(scan("config/master.key", key + " ".repeat(100))).hasSize(1);
  }

  @Test
  void openVpnAuthFileWhenTwoBareLinesThenPasswordReportedOnLineTwo() {
    assertThat(scan("etc/openvpn/auth.txt", "vpnuser42\nTq8#mWz2vK!r\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("openvpn-auth-user-pass");
              assertThat(f.secret().reveal()).isEqualTo("Tq8#mWz2vK!r");
              assertThat(f.line()).isEqualTo(2);
            });
    assertThat(scan("client.auth", "me@corp.example\r\nTq8#mWz2vK!r")).hasSize(1);
  }

  @Test
  void openVpnAuthFileWhenABlockAddsOnlyLineTwoThenThatLineIsThePassword() {
    // a patch that changed only the password: its block of added lines starts at line 2
    ContentScanner scanner = new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder());
    byte[] b = "Tq8#mWz2vK!r\n".getBytes(StandardCharsets.US_ASCII);
    List<SecretFinding> out = new ArrayList<>();
    scanner.scan(b, b.length, 0, b.length, new LineCursor(2), "auth.txt", out::add);
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.secret().reveal()).isEqualTo("Tq8#mWz2vK!r");
              assertThat(f.line()).isEqualTo(2);
            });
    out.clear();
    scanner.scan(b, b.length, 0, b.length, new LineCursor(3), "auth.txt", out::add);
    scanner.scan(b, b.length, 0, b.length, new LineCursor(1), "auth.txt", out::add);
    scanner.scan(b, b.length, 0, b.length, new LineCursor(2), "notes.txt", out::add);
    byte[] two = "vpnuser42\nTq8#mWz2vK!r\n".getBytes(StandardCharsets.US_ASCII);
    scanner.scan(two, two.length, 0, two.length, new LineCursor(2), "auth.txt", out::add);
    assertThat(out).as("a first line alone, a third line, two lines from line 2").isEmpty();
  }

  @Test
  void railsMasterKeyWhenABlockStartsAfterLineOneThenNotTheWholeFile() {
    ContentScanner scanner = new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder());
    byte[] b = "3f9c1a7be2d04c58a6e1f0b97d2c4e81\n".getBytes(StandardCharsets.US_ASCII);
    List<SecretFinding> out = new ArrayList<>();
    scanner.scan(b, b.length, 0, b.length, new LineCursor(2), "config/master.key", out::add);
    assertThat(out).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "vpnuser42\n",
        "vpnuser42\nTq8#mWz2vK!r\nthird line\n",
        "user name\nTq8#mWz2vK!r\n",
        "# credentials\nTq8#mWz2vK!r\n",
        "vpnuser42\n# Tq8#mWz2vK!r\n",
        "vpnuser42\nTq8#mWz2 vK!r\n",
        "vpnuser42\nchangeme\n",
        "vpnuser42\n<password>\n",
        "vpnuser42\n${VPN_PASSWORD}\n",
        "vpnuser42\nxxxxxxxxxxxx\n",
        "\nvpnuser42\nTq8#mWz2vK!r\n",
      })
  void openVpnAuthFileWhenNotTwoBareLinesOrPlaceholderThenNotReported(String text) {
    assertThat(scan("auth.txt", text)).isEmpty();
  }

  @Test
  void keyValueLinesWhenInAnAuthFileThenNotTakenForBareLines() {
    assertThat(scan("auth.txt", "user=vpnuser42\npass=Tq8#mWz2vK!r\n"))
        .extracting(SecretFinding::ruleId)
        .doesNotContain("openvpn-auth-user-pass");
  }

  @Test
  void twoBareLinesWhenFileNotNamedForOpenVpnThenNotReported() {
    String text = "vpnuser42\nTq8#mWz2vK!r\n";
    for (String path :
        List.of("notes.txt", "src/auth.py", "credentials.txt", "docs/pass.txt", "auth.txt.orig")) {
      assertThat(scan(path, text)).as(path).isEmpty();
    }
  }

  @Test
  void pgpassWhenNamedPgpassThenEveryPortIsRead() {
    String text =
        "# hostname:port:database:username:password\n"
            + "db.internal:25060:orders:app:Wn4zQ8rTk2Lm\n"
            + "db.internal:5432:orders:app:Hr7vNq2xPz\n";
    assertThat(scan("home/app/.pgpass", text))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal() + "@" + f.line())
        .containsExactly("pgpass-password=Wn4zQ8rTk2Lm@2", "pgpass-password=Hr7vNq2xPz@3");
    // elsewhere only the default ports and wildcards anchor a line, as before
    assertThat(scan("notes.txt", text))
        .extracting(f -> f.secret().reveal())
        .containsExactly("Hr7vNq2xPz");
    assertThat(scan("pgpass.conf", "localhost:5999:*:app:Wn4zQ8rTk2Lm\n")).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db:25060:app:app:changeme\n",
        "db:25060:app:app:${PGPASSWORD}\n",
        "db:25060:app:app:postgres\n",
        "db:25060:app:app:<password>\n",
        "# db:25060:app:app:Wn4zQ8rTk2Lm\n",
        "db:25060:app:app:Wn4z:Q8rTk2Lm\n",
        "db:port:app:app:Wn4zQ8rTk2Lm\n",
        "db:25060:app:Wn4zQ8rTk2Lm\n",
      })
  void pgpassLineWhenPlaceholderOrNotFiveFieldsThenNotReported(String text) {
    assertThat(scan(".pgpass", text)).isEmpty();
  }

  @Test
  void pgbouncerUserlistWhenClearTextThenReportedAndHashesLeftToTheHashRule() {
    String md5 = "md5" + "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    String text =
        "\"stats\" \"\"\n\"app\" \"Wn4z\"\"Q8rTk2Lm\" \"ignored\"\n\"admin\" \"" + md5 + "\"\n";
    assertThat(scan("etc/pgbouncer/userlist.txt", text))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly(
            "pgbouncer-userlist-password=Wn4z\"\"Q8rTk2Lm", "pgbouncer-userlist-hash=" + md5);
  }

  @Test
  void adjacentQuotedStringsWhenNotInAUserlistThenNotReported() {
    String text = "\"app\" \"Wn4zQ8rTk2Lm\"\n";
    assertThat(scan("main.c", text)).isEmpty();
    assertThat(scan("userlist.py", text)).isEmpty();
    assertThat(scan("userlist.txt", "\"app\" \"changeme\"\n\"b\" \"${B_PASS}\"\n")).isEmpty();
    assertThat(scan("userlist.txt", "\"jdoe\" \"John Doe\"\n\"mo\" \"Mary-Ann O'Neil\"\n"))
        .isEmpty();
  }

  @Test
  void ansibleVaultPasswordFileWhenOneLineThenReported() {
    assertThat(scan(".vault_pass.txt", "Wn4zQ8rTk2Lm!x\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("ansible-vault-password-file"));
    assertThat(scan(".vault_pass", "#!/bin/sh\necho Wn4zQ8rTk2Lm\n")).isEmpty();
    assertThat(scan(".vault_pass", "changeme\n")).isEmpty();
    assertThat(scan(".vault_pass", "$VAULT_PASSWORD\n")).isEmpty();
    assertThat(scan("pass.txt", "Wn4zQ8rTk2Lm!x\n")).isEmpty();
  }

  @Test
  void fileOfOneKindWhenChunkedThenKindKeptForEveryChunk() {
    // the kind is decided once per path; a second file of another kind must not inherit it
    ContentScanner scanner = new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder());
    List<SecretFinding> out = new ArrayList<>();
    byte[] key = "3f9c1a7be2d04c58a6e1f0b97d2c4e81\n".getBytes(StandardCharsets.US_ASCII);
    scanner.scan(key, key.length, 0, key.length, new LineCursor(1), "config/master.key", out::add);
    scanner.scan(key, key.length, 0, key.length, new LineCursor(1), "notes.txt", out::add);
    scanner.scan(key, key.length, 0, key.length, new LineCursor(1), "config/master.key", out::add);
    assertThat(out)
        .extracting(SecretFinding::path)
        .containsExactly("config/master.key", "config/master.key");
  }

  @Test
  void credentialFileWhenRandomBytesThenFindingsStayInsideTheInput() {
    SplittableRandom r = new SplittableRandom(1100);
    String alphabet = "ab0f9\"\"::  \t\n\n\r*#;$<>=xX\\";
    List<String> paths =
        List.of("config/master.key", "auth.txt", ".pgpass", "userlist.txt", ".vault_pass");
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(0, 120);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String text = sb.toString();
      for (String path : paths) {
        for (SecretFinding f : scan(path, text)) {
          assertThat(text).as(path).contains(f.secret().reveal());
        }
      }
    }
  }
}
