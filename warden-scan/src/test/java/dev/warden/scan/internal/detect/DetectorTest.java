package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.Confidence;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DetectorTest {
  private static final Detector DETECTOR = new Detector(Rules.all());
  private static final FingerprintKey KEY = FingerprintKey.of(new byte[32]);
  private final Corpus.Rnd rnd = new Corpus.Rnd(42);

  private static List<SecretFinding> scan(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    List<SecretFinding> out = new ArrayList<>();
    LongAdder suppressed = new LongAdder();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, suppressed)
        .scan(b, b.length, 0, b.length, new LineCursor(1), "t.txt", out::add);
    return out;
  }

  @Test
  void githubTokenWhenChecksumValidThenReportedWithHighConfidence() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    List<SecretFinding> f = scan("x = '" + token + "'\n");
    assertThat(f)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.ruleId()).isEqualTo("github-pat");
              assertThat(x.secret().reveal()).isEqualTo(token);
              assertThat(x.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(x.line()).isEqualTo(1);
              assertThat(x.column()).isEqualTo(6);
            });
  }

  @Test
  void tokenWhenChecksumWrongThenNotReported() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    char last = token.charAt(token.length() - 1);
    String broken = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertThat(scan("x = '" + broken + "'\n")).isEmpty();
  }

  @Test
  void checksumWhenComputedThenMatchesBase62OfCrc32() {
    assertThat(Checksums.base62Crc(0)).isEqualTo("000000");
    assertThat(Checksums.base62Crc(61)).isEqualTo("00000z");
    assertThat(Checksums.base62Crc(62)).isEqualTo("000010");
    assertThat(Checksums.prefixedCrc32(Corpus.githubStyle(rnd, "gho_"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "api_key = \"<your-token>\"",
        "password = \"${DB_PASSWORD}\"",
        "password: changeme",
        "secret = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
        "token = process.env.API_TOKEN",
        "STRIPE=sk_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "url = \"postgres://user:password@localhost/db\"",
        "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
      })
  void placeholderWhenScannedThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      https://alice:Tq7vNw2pXz4k@github.com                                   | url-credentials | Tq7vNw2pXz4k
      registry=https://ci:R8mKd2vQpx7s@npm.corp.example/repository/npm/       | url-credentials | R8mKd2vQpx7s
      index-url = https://build:Hq3nV8xLw2Za@pypi.corp.internal/simple/       | url-credentials | Hq3nV8xLw2Za
      url: jdbc:postgresql://app:Wn4zQ8rTk2Lm@db.internal:5432/orders         | uri-postgres    | Wn4zQ8rTk2Lm
      spring.datasource.url=jdbc:mysql://svc:Pk9wR3tXq7Vb@mysql:3306/shop     | uri-mysql       | Pk9wR3tXq7Vb
      REDIS_URL=redis://:Zx8Lq3Vn7Rt2@cache.internal:6379/0                   | uri-redis       | Zx8Lq3Vn7Rt2
      BROKER=amqps://worker:Mv5Hs9Kq2Wz@mq.internal:5671/vhost                | uri-amqp        | Mv5Hs9Kq2Wz
      MONGO=mongodb+srv://rep:Jt6Yp2Nw8Qd@cluster0.abcde.mongodb.net/r        | uri-mongodb     | Jt6Yp2Nw8Qd
      https://deploy:p%40ss%2Fw0rd%21Xk9@git.corp.internal/org/repo.git       | url-credentials | p%40ss%2Fw0rd%21Xk9
      pushurl = git+ssh://svc:Gb7Wq2Lx9Tn@code.corp.org/app.git               | url-credentials | Gb7Wq2Lx9Tn
      DATABASE_URL = "postgres://app:eZguwxmhkQGxud@db.internal:5432/app"    | uri-postgres    | eZguwxmhkQGxud
      """)
  void urlWhenItEmbedsAPasswordThenPasswordReported(String line, String rule, String secret) {
    assertThat(scan(line + "\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo(rule);
              assertThat(f.secret().reveal()).isEqualTo(secret);
            });
  }

  @Test
  void urlWhoseUserAndPasswordAreTheLongestAcceptedIsStillReportedPastTheByteCheck() {
    // the byte pre-check before the URL expression looks for the '@' within 64 + 1 + 128 bytes
    String user = "u".repeat(64);
    String password = "Tq7vNw2pXz4kR8mKd2vQpx7sHq3nV8xLw2Za".repeat(4).substring(0, 128);
    assertThat(scan("https://" + user + ":" + password + "@git.corp.internal/r.git\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.secret().reveal()).isEqualTo(password));
    assertThat(scan("https://" + user + ":" + password + "x@git.corp.internal/r.git\n"))
        .as("a password one byte longer than the expression accepts")
        .isEmpty();
    String accented = "Tq7vNw2p\u00e9Xz4k";
    assertThat(scan("sftp://deploy:" + accented + "@files.corp.internal/\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("url-credentials"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://user:password@git.corp.internal/org/repo.git",
        "https://deploy:${DEPLOY_PASSWORD}@git.corp.internal/x.git",
        "ftp://admin:<password>@ftp.corp.internal/",
        "smb://svc:xxxx@files.corp.internal/share",
        "https://ci:changeme@nexus.corp.internal/",
        "url = 'postgres://%(user)s:%(password)s@%(host)s/db'",
        "DATABASE_URL=mysql://app:{{ .Values.password }}@db/app",
        "DATABASE_URL=mysql://app:{{.Values.password}}@db/app",
        "https://token:@github.com/org/repo",
        "https://alice@bitbucket.org/team/repo.git",
        "https://user:%PASSWORD%@host.internal/",
        "https://api.github.com/repos/org/repo/git/refs/heads/main",
      })
  void urlWhenPasswordIsPlaceholderOrMissingThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "machine git.corp.internal login ci password Xq7!vNw2pZ\n",
        "machine git.corp.internal\n    login ci\n    password Xq7!vNw2pZ\n",
        "default login x password y\nmachine git.corp.internal\nlogin ci\naccount ops\npassword Xq7!vNw2pZ\n",
      })
  void netrcWhenEntryHasPasswordThenReported(String netrc) {
    assertThat(scan(netrc))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("netrc-password");
              assertThat(f.secret().reveal()).isEqualTo("Xq7!vNw2pZ");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db.internal:5432:orders:app:Xq7!vNw2pZ",
        "*:*:*:replicator:Xq7!vNw2pZ",
        "  10.0.0.7:6432:*:report:Xq7!vNw2pZ  ",
      })
  void pgpassWhenLineHasPasswordThenReported(String line) {
    assertThat(scan("# ~/.pgpass\n" + line + "\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("pgpass-password");
              assertThat(f.secret().reveal()).isEqualTo("Xq7!vNw2pZ");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE USER 'shop'@'%' IDENTIFIED BY 'Xq7!vNw2pZ';",
        "CREATE USER IF NOT EXISTS 'shop'@'localhost' IDENTIFIED WITH caching_sha2_password BY 'Xq7!vNw2pZ';",
        "CREATE ROLE shop WITH LOGIN ENCRYPTED PASSWORD 'Xq7!vNw2pZ';",
        "ALTER USER shop PASSWORD 'Xq7!vNw2pZ';",
        "SET PASSWORD FOR 'shop'@'%' = PASSWORD('Xq7!vNw2pZ');",
        "GRANT ALL ON shop.* TO 'shop'@'%' IDENTIFIED BY 'Xq7!vNw2pZ';",
      })
  void sqlUserWhenCreatedWithPasswordThenReported(String stmt) {
    assertThat(scan("-- init.sql\n" + stmt + "\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("sql-user-password");
              assertThat(f.secret().reveal()).isEqualTo("Xq7!vNw2pZ");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE ROLE app WITH LOGIN PASSWORD NULL;",
        "CREATE USER app WITH PASSWORD :'pw';",
        "CREATE USER 'app'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';",
        "ALTER SYSTEM SET password_encryption = 'md5';",
        "host all all 0.0.0.0/0 md5",
        "CREATE USER u PASSWORD 'md5';",
      })
  void sqlUserWhenPasswordIsNullPlaceholderOrMethodThenNothing(String stmt) {
    assertThat(scan(stmt + "\n")).isEmpty();
  }

  @Test
  void sqlInsertWhenRowsHavePasswordColumnThenEveryRowsPasswordReported() {
    List<SecretFinding> f =
        scan(
            "INSERT INTO `users` (`id`, `name`, `password`) VALUES (1, 'a,b', 'Xq7!vNw2pZ'), (2, 'it''s', 'Wn4zQ8rT#k'),"
                + " (3, 'c', NULL);\n");
    assertThat(f).extracting(SecretFinding::ruleId).containsOnly("sql-insert-password");
    assertThat(f).extracting(x -> x.secret().reveal()).containsExactly("Xq7!vNw2pZ", "Wn4zQ8rT#k");
  }

  @Test
  void sqlInsertWhenStatementSpreadOverLinesThenPasswordReported() {
    List<SecretFinding> f =
        scan(
            "INSERT INTO users (\n  id,\n  email,\n  password\n)\nVALUES\n  (1, 'a@corp.example', 'Xq7!vNw2pZ'),\n"
                + "  (2, 'b@corp.example', 'Wn4zQ8rT#k');\n");
    assertThat(f).extracting(x -> x.secret().reveal()).containsExactly("Xq7!vNw2pZ", "Wn4zQ8rT#k");
  }

  @Test
  void sqlInsertWhenNoPasswordColumnOrBoundParametersThenNothing() {
    assertThat(
            scan(
                "INSERT INTO users (id, name, password_changed_at) VALUES (1, 'Xq7!vNw2pZ', '2024-01-01');\n"
                    + "INSERT INTO users (email, password) VALUES (?, ?);\nINSERT INTO users (email, password) VALUES ('a', crypt('Xq7!vNw2pZ', gen_salt('bf')));\n"
                    + "INSERT INTO users (email, password) VALUES ('a', 'Xq7!vNw2pZ\n"))
        .isEmpty();
  }

  @Test
  void sqlDumpWhenRowHoldsWordPressHashThenReportedOnce() {
    String hash = "$P$B" + rnd.of(Corpus.CRYPT, 30);
    List<SecretFinding> f =
        scan(
            "INSERT INTO `wp_users` (`ID`, `user_login`, `user_pass`) VALUES (1,'admin','"
                + hash
                + "');\n");
    assertThat(f)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.ruleId()).isEqualTo("sql-password-hash");
              assertThat(x.secret().reveal()).isEqualTo(hash);
            });
  }

  @Test
  void fileZillaWhenPassIsBase64ThenDecodedPasswordReported() {
    String b64 =
        java.util.Base64.getEncoder().encodeToString("Xq7!vNw2pZ".getBytes(StandardCharsets.UTF_8));
    List<SecretFinding> f =
        scan(
            "<Server>\n  <Host>ftp.corp</Host>\n  <Pass encoding=\"base64\">"
                + b64
                + "</Pass>\n</Server>\n"
                + "<Server><Pass>Wn4zQ8rT#k</Pass></Server>\n<Server><Pass encoding=\"crypt\">"
                + b64
                + "</Pass></Server>\n"
                + "<Pass encoding=\"base64\">%%%not-base64%%%</Pass>\n");
    assertThat(f).extracting(SecretFinding::ruleId).containsOnly("filezilla-password");
    assertThat(f).extracting(x -> x.secret().reveal()).containsExactly("Xq7!vNw2pZ", "Wn4zQ8rT#k");
    assertThat(f.get(0).column())
        .isEqualTo(27); // located at the stored base64, where it is written
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "set smtp_pass = \"Xq7!vNw2pZ\"\n",
        "set imap_pass='Xq7!vNw2pZ'\n",
        "defaults\nauth on\naccount work\nhost smtp.corp\nuser me\npassword Xq7!vNw2pZ\n",
        "poll mail.corp protocol IMAP\n  user \"me\" there with password 'Xq7!vNw2pZ' is me here\n",
        "{\"protocol\": \"sftp\", \"host\": \"h\", \"password\": \"Xq7!vNw2pZ\"}\n",
        "<server><id>r</id><password>Xq7!vNw2pZ</password></server>\n",
        "<property name=\"javax.persistence.jdbc.password\" value=\"Xq7!vNw2pZ\"/>\n",
      })
  void clientConfigWhenPasswordStoredThenReportedOnce(String text) {
    assertThat(scan(text))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.ruleId())
                  .isIn("mail-client-password", "sftp-config-password", "xml-password");
              assertThat(x.secret().reveal()).isEqualTo("Xq7!vNw2pZ");
            });
  }

  @Test
  void winscpWhenSessionHasObfuscatedPasswordThenReportedAndNotOutsideASession() {
    String hex = "A35C" + rnd.upperHex(60);
    List<SecretFinding> f =
        scan(
            "[Sessions\\me@sftp.corp]\nHostName=sftp.corp\nUserName=me\nPassword="
                + hex
                + "\n"
                + "[Configuration\\Interface]\nPassword="
                + rnd.upperHex(40)
                + "\n");
    // the second Password= is outside a session: not WinSCP's (the catch-all high-entropy rule may
    // report it)
    assertThat(f.stream().filter(x -> x.ruleId().equals("winscp-password")))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.ruleId()).isEqualTo("winscp-password");
              assertThat(x.secret().reveal()).isEqualTo(hex);
            });
  }

  @Test
  void dbeaverCredentialsWhenEncryptedThenNothing() {
    // credentials-config.json is AES-encrypted bytes: there is no password to read, only a key to
    // guess
    byte[] enc = rnd.bytes(96);
    assertThat(scan(new String(enc, StandardCharsets.ISO_8859_1))).isEmpty();
  }

  @Test
  void publicKeysAndCertificatesWhenNextToAPrivateKeyThenOnlyThePrivateKeyReported() {
    String pub =
        "-----BEGIN PUBLIC KEY-----\n"
            + Corpus.pemBody(rnd, 294, "\n")
            + "-----END PUBLIC KEY-----\n";
    String cert =
        "-----BEGIN CERTIFICATE-----\n"
            + Corpus.pemBody(rnd, 800, "\n")
            + "-----END CERTIFICATE-----\n";
    String ssh = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + rnd.b64(300) + " alice@laptop\n";
    String priv =
        "-----BEGIN PRIVATE KEY-----\n"
            + Corpus.pemBody(rnd, 1200, "\n")
            + "-----END PRIVATE KEY-----\n";
    String json =
        "{\"public_key\": \""
            + pub.replace("\n", "\\n")
            + "\", \"certificate\": \""
            + cert.replace("\n", "\\n")
            + "\"}\n";
    List<SecretFinding> f =
        scan(pub + cert + ssh + "public_key = \"" + ssh.strip() + "\"\n" + json + priv);
    assertThat(f).singleElement().satisfies(x -> assertThat(x.ruleId()).isEqualTo("private-key"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"$2y$12$", "$2b$10$", "$apr1$", "$1$", "$5$", "$5$rounds=5000$", "$6$", "{SHA}"})
  void hashWhenOnHtpasswdOrShadowLineThenReported(String prefix) {
    String c = Corpus.CRYPT;
    String hash =
        switch (prefix) {
          case "$2y$12$", "$2b$10$" -> prefix + rnd.of(c, 53);
          case "$apr1$", "$1$" -> prefix + rnd.of(c, 8) + "$" + rnd.of(c, 22);
          case "$5$", "$5$rounds=5000$" -> prefix + rnd.of(c, 16) + "$" + rnd.of(c, 43);
          case "$6$" -> prefix + rnd.of(c, 8) + "$" + rnd.of(c, 86);
          default -> prefix + Corpus.b64Of(rnd.bytes(20));
        };
    for (String text :
        List.of(
            "alice:" + hash + "\n",
            "bin:x:1:1::/:/sbin/nologin\nalice:" + hash + ":19700:0:99999:7:::\n")) {
      assertThat(scan(text))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.ruleId()).isEqualTo("password-hash");
                assertThat(f.secret().reveal()).isEqualTo(hash);
              });
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "machine example.com login user password <password>",
        "machine ci.corp.internal login bot password $NETRC_PASSWORD",
        "machine ci.corp.internal login bot",
        "*:*:*:postgres:${PGPASSWORD}",
        "root:x:0:0:root:/root:/bin/bash",
        "daemon:*:19700:0:99999:7:::",
        "alice:!:19700:0:99999:7:::",
        "user:$apr1$xxxxxxxx$xxxxxxxxxxxxxxxxxxxxxx",
        "hash = '$2y$10$' + salt",
      })
  void toolFileWhenNoRealCredentialThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      define( 'DB_PASSWORD', 'Xq7!vNw2pZ' );                                         | php-define-password   | Xq7!vNw2pZ
      define("SMTP_PASS", "Xq7!vNw2pZ");                                             | php-define-password   | Xq7!vNw2pZ
      define( 'NONCE_SALT', 'k$(Qw<7z>pL%(2mN!a@Vb^R*t8Y-u_Z=c+X[d]e{f}g~h:i;j,2Lw' ); | wordpress-auth-key    | k$(Qw<7z>pL%(2mN!a@Vb^R*t8Y-u_Z=c+X[d]e{f}g~h:i;j,2Lw
      SECRET_KEY = 'django-insecure-7x$(k2m!q@v9#w^z&r*t(b-n_p=h+c)j4l8s6d0f1g'      | django-secret-key     | django-insecure-7x$(k2m!q@v9#w^z&r*t(b-n_p=h+c)j4l8s6d0f1g
      app.config['SECRET_KEY'] = 'q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0Bc'                  | django-secret-key     | q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0Bc
      APP_KEY=base64:q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0BcQ7zX2lW9vN4k=                     | laravel-app-key       | base64:q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0BcQ7zX2lW9vN4k=
      'key' => env('APP_KEY', 'base64:q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0BcQ7zX2lW9vN4k='), | laravel-app-key       | base64:q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0BcQ7zX2lW9vN4k=
      spring.datasource.password=Xq7!vNw2pZ                                          | properties-password   | Xq7!vNw2pZ
      export SMTP_PASS='Xq7!vNw2pZ'                                                   | generic-password      | Xq7!vNw2pZ
      export SMTP_AUTH_SECRET='Xq7!vNw2pZ'                                            | shell-export-secret   | Xq7!vNw2pZ
      export WEBHOOK_SECRET=Xq7!vN&w2pZ                                              | shell-export-secret   | Xq7!vN&w2pZ
      """)
  void frameworkAssignmentWhenValueIsRealThenReported(String line, String rule, String secret) {
    assertThat(scan(line + "\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo(rule);
              assertThat(f.secret().reveal()).isEqualTo(secret);
            });
  }

  @Test
  void railsSecretKeyBaseWhenInSecretsYamlThenReported() {
    String key = rnd.hex(128);
    assertThat(scan("production:\n  secret_key_base: " + key + "\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("rails-secret-key-base"));
  }

  @Test
  void yamlSecretWhenNestedAtAnyDepthThenReported() {
    String yaml =
        "app:\n  database:\n    primary:\n      db_password: Xq7!vNw2pZ\n  oauth:\n    client_secret: "
            + "q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0Bc\n  smtp:\n    password: \"Hb4#kLm9Tq\"\n";
    assertThat(scan(yaml))
        .extracting(f -> f.secret().reveal())
        .containsExactly("Xq7!vNw2pZ", "q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1Jd5Fg0Bc", "Hb4#kLm9Tq");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "define( 'AUTH_KEY', 'put your unique phrase here' );",
        "define('DB_PASSWORD', '');",
        "define('DB_PASSWORD', getenv('DB_PASSWORD'));",
        "define('DB_PASSWORD', 'password');",
        "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
        "SECRET_KEY = 'changeme-changeme-changeme'",
        "APP_KEY=",
        "secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>",
        "spring.datasource.password=${DB_PASSWORD}",
        "spring.datasource.password=ENC(q7Zx2Lw9Vn4Kp8Rt3Ym6Hs1J)",
        "    this.password = newPass;",
        "    self.db.password = read_secret()",
        "export DB_PASSWORD_FILE=/run/secrets/db",
        "export API_TOKEN=$(cat /run/secrets/token)",
        "export GITHUB_TOKEN=${GITHUB_TOKEN}",
        "export TOKEN_URL=https://auth.corp.internal/token",
        "export const SECRET_HEADER = 'X-Secret';",
      })
  void frameworkAssignmentWhenReferenceOrPlaceholderThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  // ---- VoIP and game servers, saved-login exports, COPY blocks, punctuated config values

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      [6001]\\ntype=friend\\nhost=dynamic\\nsecret=Wn4zQ8rTk2Lm\\n                          | sip-secret                     | Wn4zQ8rTk2Lm
      [trunk]\\nsecret = q7!vNw2pZx ; remote PBX\\n                                        | sip-secret                     | q7!vNw2pZx
      [6001]\\ntype=auth\\nauth_type=userpass\\nusername=6001\\npassword=Hq3!xZ8vLm2p\\n   | sip-secret                     | Hq3!xZ8vLm2p
      [t]\\ntype=auth\\nauth_type=md5\\nmd5_cred=5a4e9b7c2f1d8e3a6b0c9d2e1f4a7b8c\\n          | sip-secret                     | 5a4e9b7c2f1d8e3a6b0c9d2e1f4a7b8c
      rcon_password "Xq7vNw2pZ9"\\n                                                   | game-server-password           | Xq7vNw2pZ9
      set sv_password Tq8wE3rY5u // join\\n                                           | game-server-password           | Tq8wE3rY5u
      +rcon.password "Zq3xN0vBr7" +rcon.web 1\\n                                      | game-server-password           | Zq3xN0vBr7
      echo "login serveradmin Xq7vNw2pZ9" > query.txt\\n                         | teamspeak-serverquery-password | Xq7vNw2pZ9
      login client_login_name=serveradmin client_login_password=Wn4zQ8rTk2\\n          | teamspeak-serverquery-password | Wn4zQ8rTk2
      oauth:\\n  github:\\n    client_secret: "q7$vNw2pZx!Hq3"\\n                        | config-secret-value            | q7$vNw2pZx!Hq3
      [mysql]\\npass = Wn4zQ8!rTk2L\\n                                                | generic-password               | Wn4zQ8!rTk2L
      """)
  void serverConfigWhenItHoldsAPasswordThenReported(String text, String rule, String secret) {
    assertThat(scan(text.replace("\\n", "\n")))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo(rule);
              assertThat(f.secret().reveal()).isEqualTo(secret);
            });
  }

  @Test
  void loginExportWhenCsvFromABrowserThenEveryRowsPasswordReportedWithQuotesUndone() {
    String csv =
        "name,url,username,password,note\n"
            + "GitHub,https://github.com/login,alice,Wn4zQ8!rTk2L,\n"
            + "Bank,https://bank.example.net,alice@corp.example,\"q7,vNw2\"\"pZx\",\"multi\nline note\"\n"
            + "Empty,https://x.example.net,bob,,\n"
            + "Mail,https://mail.example.net,carol,Hq3!xZ8vLm2p,\n";
    assertThat(scan(csv))
        .extracting(f -> f.ruleId() + " " + f.secret().reveal() + " @" + f.line())
        .containsExactly(
            "browser-login-export Wn4zQ8!rTk2L @2",
            "browser-login-export q7,vNw2\"pZx @3",
            "browser-login-export Hq3!xZ8vLm2p @6");
  }

  @Test
  void copyBlockWhenRowsHaveAPasswordColumnThenEachNonNullPasswordReported() {
    String dump =
        "COPY public.users (id, email, password, created_at) FROM stdin;\n"
            + "1\ta@corp.example\tWn4zQ8!rTk2L\t2024-01-01\n2\tb@corp.example\t\\N\t2024-01-02\n3\tc@corp.example\tHq3!xZ8vLm2p\t2024-01-03\n"
            + "\\.\n4\td@corp.example\tTq8wE3rY5u!\t2024-01-04\n";
    assertThat(scan(dump))
        .extracting(f -> f.ruleId() + " " + f.secret().reveal())
        .containsExactly("sql-copy-password Wn4zQ8!rTk2L", "sql-copy-password Hq3!xZ8vLm2p");
  }

  @Test
  void bitwardenExportWhenUnencryptedThenPasswordReportedAndWhenEncryptedThenNothing() {
    String plain =
        "{\"encrypted\": false, \"items\": [{\"type\": 1, \"name\": \"GitHub\", \"login\": {\"uris\": [{\"match\": null, "
            + "\"uri\": \"https://github.com\"}], \"username\": \"alice\", \"password\": \"Wn4zQ8!rTk2L\", \"totp\": null}}]}\n";
    assertThat(scan(plain))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("bitwarden-export-password");
              assertThat(f.secret().reveal()).isEqualTo("Wn4zQ8!rTk2L");
            });
    assertThat(
            scan(
                "{\"encrypted\": true, \"items\": [{\"login\": {\"password\": \"2.aGVsbG8gd29ybGQhISE=|c2VjcmV0c2VjcmV0c2VjcmV0|bWFjbWFjbWFj\"}}]}\n"))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[6001]\ntype=friend\nsecret=${SIP_SECRET}\n",
        "[6001]\nsecret=\n",
        "[6001]\nsecret=<password>\n",
        "[t]\ntype=auth\npassword=\nusername=t\n",
        "rcon_password \"\"\n",
        "The rcon_password should be long.\n",
        "Run `login serveradmin <password>` first.\n",
        "name,url,username,password,note\n",
        "id,email,password\n1,a@corp.example,Wn4zQ8!rTk2L\n",
        "url,username,password\nhttps://corp.example,alice,********\n",
        "COPY public.products (id, name, sku) FROM stdin;\n1\tWidget\tWX-20\n\\.\n",
        "client_secret: \"${GITHUB_CLIENT_SECRET}\"\n",
        "pass: (a, b) => a + b\n",
        "token: req.headers['x-token'],\n",
        "secret: &s ENC(Zm9vYmFyYmF6)\n",
        "    secret = keypair[:32]\n",
        "next_token = launch_configurations_resp[-1].name\n"
      })
  void serverConfigOrExportWhenNoRealPasswordThenNothing(String text) {
    assertThat(scan(text)).isEmpty();
  }

  // ---- provider rules from the gitleaks comparison: a near miss of each format is not that
  // provider's

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      textBlock =
          """
      onepassword-secret-key      | key A3-ABCDEF-GHIJKLMNOPQ-RST
      adafruit-io-key             | key = aio_Xq7vNw2pZ9Lm3kR8tY2
      authress-access-key         | sc_abc.def.acc_x.y
      aws-bedrock-short-term-key  | AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t
      clickhouse-cloud-api-key    | 4b1dXq7vNw2pZ9Lm3kR8tY2wQ5eR7tY9uI
      contentful-management-token | CFPAT-Xq7vNw2pZ9Lm3kR8tY2
      defined-networking-api-key  | dnkey-abc-def
      duffel-api-token            | duffel_prod_Xq7vNw2pZ9Lm3kR8tY2wQ5eR7tY9uI1oP3aS5dF7gH9jK
      flutterwave-encryption-key  | FLWSECK_TESTxyzxyzxyzxyz
      flyio-access-token          | FLY_API_TOKEN=fm2_short
      frameio-api-token           | fio-u-Xq7vNw2pZ9Lm3kR8tY2
      gitlab-feature-flag-token   | glffct-Xq7vNw2pZ9
      gitlab-incoming-mail-token  | glimt-Xq7vNw2pZ9
      gitlab-session-cookie       | _gitlab_session=0123abcd
      grafana-api-key-legacy      | the key eyJrIjoiWHE3dk53MnBaOUxtM2tSOHRZMndRNWVSN3RZOXVJMW9QM2FTNWRGN2dIOWpL ends here
      harness-api-key             | pat.short.x.y
      infracost-api-token         | ico-Xq7vNw2pZ9Lm3kR8
      intra42-client-secret       | s-s4t2xx-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      jwt-base64                  | ZXlKdGhpcyBpcyBub3QgYSBKU09OIFdlYiBUb2tlbiBhdCBhbGwsIGp1c3QgdGV4dA==
      launchdarkly-access-token   | https://api-gateway.corp.example/sdk-v2/status
      maxmind-license-key         | abc_def_mmk
      octopus-deploy-api-key      | API-SHORT12
      openshift-user-token        | sha256~Xq7vNw2pZ9Lm3kR8tY2
      scalingo-api-token          | tk-us-Xq7vNw2pZ9Lm3kR8tY2
      settlemint-token            | sm_pat_Xq7vNw2p
      slack-legacy-token          | xoxs-not-a-token
      sourcegraph-access-token    | sgp_0123456789abcdef
      yandex-api-key              | AQVNXq7vNw2p
      authorization-header        | curl -H "Authorization: Bearer $API_TOKEN" https://api.corp.example
      authorization-header        | authorization = request.headers.get("Authorization")
      authorization-header        | Authorization: Basic bm90IGEgcGFpcg==
      curl-basic-auth             | curl -u "$NEXUS_USER:$NEXUS_PASSWORD" https://nexus.corp.example
      nuget-config-password       | <add key="Password" value="AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA" />
      freemius-secret-key         | 'public_key' => 'pk_0123456789abcdef0123456789abc',
      kubernetes-secret-data      | kind: ConfigMap\\ndata:\\n  password: WHE3IXZOdzJwWg==
      sip-secret                  | [oauth]\\nclient_secret=Wn4zQ8!rTk2L
      sip-secret                  | x = 1; secret=Wn4zQ8rTk2Lm
      airtable-api-key-legacy     | AIRTABLE_BASE=appXq7vNw2pZ9Lm3k
      alibaba-secret-key          | ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIXq7vNw2pZ9Lm3kR8
      asana-token                 | ASANA_WORKSPACE=1234567890123456
      beamer-api-token            | BEAMER_PRODUCT_ID=Xq7vNw2p
      bitbucket-client-secret     | BITBUCKET_CLIENT_ID=Xq7vNw2pZ9Lm3kR8
      cisco-meraki-api-key        | MERAKI_ORG_ID=123456
      codecov-token               | CODECOV_URL=https://codecov.io
      coinbase-access-token       | COINBASE_KEY_NAME=organizations/abc/apiKeys/def
      confluent-api-secret        | CONFLUENT_API_KEY=XQ7VNW2PZ9LM3KR8
      contentful-delivery-token   | CONTENTFUL_SPACE_ID=xq7vnw2pz9lm
      discord-client-secret       | DISCORD_CLIENT_ID=123456789012345678
      droneci-token               | DRONE_SERVER=https://drone.corp.example
      dropbox-app-secret          | DROPBOX_APP_KEY=xq7vnw2pz9lm3kr
      dropbox-access-token        | DROPBOX_TOKEN=sl.short
      etsy-api-key                | ETSY_SHOP_ID=12345678
      facebook-app-access-token   | FACEBOOK_APP_ID=1234567890123456
      finicity-api-key            | FINICITY_PARTNER_ID=2445581234567
      finnhub-api-key             | FINNHUB_API_KEY=sandbox
      flickr-api-key              | FLICKR_USER_ID=12345678@N01
      freshbooks-access-token     | FRESHBOOKS_ACCOUNT_ID=Xq7vNw
      gitter-access-token         | GITTER_ROOM=corp/dev
      gocardless-access-token     | GOCARDLESS_ENVIRONMENT=live
      hubspot-api-key-legacy      | HUBSPOT_PORTAL_ID=12345678
      intercom-access-token       | INTERCOM_APP_ID=xq7vnw2p
      jfrog-identity-token        | JFROG_URL=https://corp.jfrog.io
      kraken-api-key              | KRAKEN_API_KEY_NAME=trading-bot
      kucoin-api-secret           | KUCOIN_API_PASSPHRASE=trading
      linear-client-secret        | LINEAR_TEAM_ID=ENG
      linkedin-client-secret      | LINKEDIN_CLIENT_ID=86xq7vnw2pz9lm
      lob-api-key                 | LOB_API_KEY=test_pub_0123456789abcdef0123456789abcde
      looker-client-secret        | LOOKERSDK_CLIENT_ID=Xq7vNw2pZ9Lm3kR8tY2w
      mattermost-access-token     | MATTERMOST_URL=https://chat.corp.example
      messagebird-api-key         | MESSAGEBIRD_ORIGINATOR=CorpAlerts
      netlify-access-token-legacy | NETLIFY_SITE_ID=0123abcd-4567-89ab-cdef-0123456789ab
      nytimes-api-key             | NYTIMES_SECTION=technology
      plaid-secret                | PLAID_CLIENT_ID=5f9xq7vnw2pz9lm3kr8ty2wq
      privateai-api-key           | PRIVATE_AI_URL=https://api.private-ai.com
      rapidapi-key                | X_RAPIDAPI_HOST=weather.p.rapidapi.com
      sendbird-api-token          | SENDBIRD_APP_ID=0123ABCD-4567-89AB-CDEF-0123456789AB
      sentry-access-token-legacy  | SENTRY_DSN=https://0123456789abcdef@o1.ingest.sentry.io/1
      sidekiq-license             | BUNDLE_ENTERPRISE__CONTRIBSYS__COM=${SIDEKIQ_CREDS}
      snyk-api-token              | SNYK_ORG=corp
      sonarqube-token-legacy      | sonar.login=admin
      squarespace-api-key         | SQUARESPACE_SITE=corp
      sumologic-access-key        | SUMO_ACCESS_ID=suXq7vNw2pZ9Lm
      travisci-token              | TRAVIS_BRANCH=main
      twitch-api-token            | TWITCH_CLIENT_ID=xq7vnw2pz9lm3kr8ty2wq5er7ty9ui
      twitter-access-secret       | TWITTER_ACCESS_TOKEN_SECRET=short
      twitter-access-token        | TWITTER_ACCESS_TOKEN=${TWITTER_TOKEN}
      twitter-api-key             | TWITTER_API_KEY_NAME=bot
      hashicorp-vault-token-legacy | VAULT_TOKEN_PATH=/run/secrets/vault
      yandex-cloud-token          | YC_CLOUD_ID=b1gxq7vnw2pz9lm3kr8t
      """)
  void providerFormatWhenNearMissThenThatProviderRuleSilent(String rule, String text) {
    assertThat(scan(text.replace("\\n", "\n") + "\n"))
        .extracting(SecretFinding::ruleId)
        .doesNotContain(rule);
  }

  @Test
  void kubernetesSecretWhenDataSortedBeforeKindThenEachValueDecodedButCertificatesNot() {
    String doc =
        "apiVersion: v1\ndata:\n  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n  password: "
            + java.util.Base64.getEncoder()
                .encodeToString("Wn4zQ8!rTk2L".getBytes(StandardCharsets.UTF_8))
            + "\n  api-token: \"{{ .Values.token | b64enc }}\"\nkind: Secret\nmetadata:\n  name: db\n---\nkind: ConfigMap\ndata:\n  password: eA==\n";
    assertThat(scan(doc))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("kubernetes-secret-data");
              assertThat(f.secret().reveal()).isEqualTo("Wn4zQ8!rTk2L");
              assertThat(f.line()).isEqualTo(4);
            });
  }

  @Test
  void authorizationHeaderWhenBasicThenReportedOnlyIfItDecodesToUserAndPassword() {
    String pair =
        java.util.Base64.getEncoder()
            .encodeToString("deploy:Wn4zQ8!rTk2L".getBytes(StandardCharsets.UTF_8));
    assertThat(scan("curl -H 'Authorization: Basic " + pair + "' https://x.corp.example\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("authorization-header"));
  }

  // ---- high-entropy-string (decision 106): the key or quote around a random value decides

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      signing_key = "%s"                     | b64   | MEDIUM
      HMAC_KEY=%s                            | hex   | MEDIUM
      encryption_key: %s                     | alnum | MEDIUM
      'cookie_key' => '%s',                  | b64   | MEDIUM
      map.put("session_key", "%s");          | b64u  | MEDIUM
      deploy --license-key %s --force        | alnum | MEDIUM
      curl "https://relay.corp/hook?key=%s&v=2" | alnum | MEDIUM
      PrivateKey = %s                        | b64   | MEDIUM
      upstream: %s                           | b64u  | LOW
      channel = %s                           | alnum | LOW
      client = Client("billing-svc", "%s")   | b64   | LOW
      if (header.equals('%s')) {             | b64u  | LOW
      """)
  void randomValueWhenNamedOrQuotedThenReportedAsHighEntropy(
      String template, String alphabet, Confidence confidence) {
    byte[] key = rnd.bytes(32);
    String value =
        switch (alphabet) {
          case "b64" -> java.util.Base64.getEncoder().encodeToString(key);
          case "b64u" -> java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key);
          case "hex" -> java.util.HexFormat.of().formatHex(key);
          default -> rnd.alnum(40);
        };
    assertThat(scan(template.formatted(value) + "\n"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ruleId()).isEqualTo("high-entropy-string");
              assertThat(f.secret().reveal()).isEqualTo(value);
              assertThat(f.confidence()).isEqualTo(confidence);
              assertThat(f.severity()).isEqualTo(dev.warden.scan.Severity.LOW);
            });
  }

  @Test
  void randomValueWhenNotNamedNotQuotedOrPartOfALongerWordThenNotReported() {
    String v = rnd.alnum(40);
    assertThat(scan("The value " + v + " was rotated.\n")).isEmpty();
    assertThat(scan("https://cdn.corp/assets/" + v + "/app.js\n")).isEmpty();
    assertThat(scan("secret_path = \"/var/lib/" + v + "\"\n")).isEmpty();
    assertThat(scan("token_part = \"" + v + ".json\"\n")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"integrity\": \"sha512-%b64%\"",
        "<script integrity=\"sha384-%b64%\" src=\"/a.js\"></script>",
        "checksum = \"%hex%\"",
        "\"commit\": \"%hex%\"",
        "signing_key_id: %b64u%",
        "golang.org/x/net v0.21.0 h1:%b64%",
        "request_id = \"%uuid%\"",
        "value: ghp_%alnum%",
        "publicKey: \"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE%b64%\"",
        "verify_key = \"MCowBQYDK2VwAyEA%b64%\"",
        "\"x\": \"%b64u%\", \"y\": \"%b64u%\"",
        "headers[\"X-Request-Id\"] = \"%b64%\"",
        "aws glacier list-parts --upload-id \"%b64u%%b64u%\"",
        "    key: PKCS12PrivateKeyTypes | None,",
        "\"Sid\": \"KMSDataKeyForS3AndEC2Permissions\"",
        "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA%b64%\">",
        "preview = \"iVBORw0KGgoAAAANSUhEUgAA%b64%\"",
        "hash = '%hex%'",
        "[Peer]\nPublicKey = %b64%=\nAllowedIPs = 10.8.0.2/32",
        "if (a == b) return \"%hex%\";",
        "signing_key = \"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9\""
      })
  void highEntropyShapeWhenPublicOrNamedAsNonSecretThenNothing(String template) {
    String line =
        template
            .replace(
                "%b64%",
                java.util.Base64.getEncoder().encodeToString(rnd.bytes(32)).replace("=", ""))
            .replace(
                "%b64u%",
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(rnd.bytes(32)))
            .replace("%hex%", rnd.hex(64))
            .replace("%uuid%", rnd.uuid())
            .replace("%alnum%", rnd.alnum(36));
    assertThat(scan(line + "\n")).isEmpty();
  }

  @Test
  void randomValueWhenOnAMinifiedLineThenOnlySecretNamesReported() {
    StringBuilder bundle = new StringBuilder("!function(){var e={");
    for (int i = 0; i < 30; i++) {
      bundle
          .append(i)
          .append(":{a:\"")
          .append(java.util.Base64.getEncoder().encodeToString(rnd.bytes(30)))
          .append("\"},");
    }
    String key = rnd.alnum(40);
    bundle.append("signingKey:\"").append(key).append("\"}}();\n");
    assertThat(bundle.length()).isGreaterThan(HighEntropy.LONG_LINE);
    assertThat(scan(bundle.toString()))
        .singleElement()
        .satisfies(f -> assertThat(f.secret().reveal()).isEqualTo(key));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "package-lock.json",
        "web/yarn.lock",
        "go.sum",
        "Cargo.lock",
        "dist/app.min.js",
        "app.js.map",
        "SHA256SUMS"
      })
  void randomValueWhenInALockFileBundleOrChecksumListThenNotSweptButOtherRulesRun(String path) {
    String line =
        "signing_key = \"" + java.util.Base64.getEncoder().encodeToString(rnd.bytes(32)) + "\"\n";
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scanAt("config/app.env", line))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("high-entropy-string"));
    assertThat(scanAt(path, line + "t = '" + token + "'\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("github-pat"));
  }

  private static List<SecretFinding> scanAt(String path, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    List<SecretFinding> out = new ArrayList<>();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder())
        .scan(b, b.length, 0, b.length, new LineCursor(1), path, out::add);
    return out;
  }

  @Test
  void randomValueWhenAnotherRuleMatchesThenThatRuleWins() {
    String v = rnd.alnum(12) + rnd.digits(4) + rnd.alnum(16);
    assertThat(scan("client_secret = \"" + v + "\"\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("generic-secret"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // a secret word inside a password that mixes in digits or symbols is still a password
        "curl -s http://admin:Adm1nSecret77@192.168.1.20/backup.cgi|url-credentials|Adm1nSecret77",
        "DB_PASSWD=Win!Passwd2020|generic-password|Win!Passwd2020",
        "{\"password\":\"L0ngL1neSecret9\"}|generic-password|L0ngL1neSecret9",
        // bare "pass" key names: PHP variables, .env, Ansible
        "$db_pass = 'Sh0pDbPw!';|generic-password|Sh0pDbPw!",
        "DB_PASS=Pg2Bash9Pw|generic-password|Pg2Bash9Pw",
        "ansible_become_pass: Ans1bleBecome|generic-password|Ans1bleBecome",
      })
  void passwordWhenItContainsASecretWordOrSitsUnderAPassKeyThenReported(
      String line, String rule, String secret) {
    assertThat(scan(line + "\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly(rule + "=" + secret);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TOKEN_NAME=github_token_2",
        "AWS_SECRET=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCd",
        "ADMIN_PASSWORD=Password123!",
        "DB_PASSWORD=my_db_password",
        "password = SuperSecretPassword",
        "$db_pass = getenv('DB_PASS');",
        "DB_PASS=",
        "db_passport = 'X12345678'",
      })
  void secretWordValueWhenANameOrWordWithNumberThenNotReported(String line) {
    assertThat(scan(line + "\n")).isEmpty();
  }

  @Test
  void jetBrainsPasswordWhenScrambledThenReportedDecodedAndStandInsRefused() {
    String xml =
        "<fileTransfer host=\"ftp.site.com\" port=\"21\" accessType=\"FTP\" login=\"web\" password=\""
            + Corpus.jetBrainsScramble("Wp9!kLm2Qz")
            + "\">\n<user-password>"
            + Corpus.jetBrainsScramble("changeme")
            + "</user-password>\n";
    assertThat(scan(xml))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("jetbrains-password=Wp9!kLm2Qz");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "requirepass R3d1sStr0ngPw|redis-conf-password|R3d1sStr0ngPw",
        "masterauth \"S3ntinelAuth9\" # replica|redis-conf-password|S3ntinelAuth9",
        "<?php $c = mysqli_connect(\"localhost\", \"root\", \"MyR00tPw2019\", \"school\");|php-db-connect-password|MyR00tPw2019",
        "$pdo = new PDO('mysql:host=localhost;dbname=blog', 'bloguser', 'Bl0gUs3rPw');|php-db-connect-password|Bl0gUs3rPw",
        "mysql -u root -pShellMy5ql! -h db1 app < dump.sql|cli-password-argument|ShellMy5ql!",
        "mysqldump.exe -u root --password=B4tchDump! shop > shop.sql|cli-password-argument|B4tchDump!",
        "sshpass -p 'SshP4ss!99' ssh root@10.0.0.5 uptime|cli-password-argument|SshP4ss!99",
        "<property name=\"hibernate.connection.password\">H1bern8Pw</property>|xml-password|H1bern8Pw",
        "<add key=\"SmtpPassword\" value=\"Smtp!Web2020\" />|xml-password|Smtp!Web2020",
        "{\"name\": \"DB_PASSWORD\", \"value\": \"Ecs!TaskPw77\"}|env-entry-secret|Ecs!TaskPw77",
        "docker login -u deploy -p D0ckerL0gin! registry.corp.net|cli-password-argument|D0ckerL0gin!",
        "sqlplus scott/T1gerScott9@ORCL|cli-password-argument|T1gerScott9",
        "CREATE USER hr IDENTIFIED BY Or4cleHr9 DEFAULT TABLESPACE users;|sql-user-password|Or4cleHr9",
        "bindpw Ld4pB1ndPw!|ldap-bind-password|Ld4pB1ndPw!",
        "        password 'Gr4dleRepoPw'|gradle-credentials-password|Gr4dleRepoPw",
        "<credentials><pwd>XmlPwdElem9</pwd></credentials>|xml-password|XmlPwdElem9",
        "<credentials host=\"repo\" username=\"ci\" passwd=\"IvyP4sswd9\"/>|generic-password|IvyP4sswd9",
        "withEnv(['DB_PASSWORD=J3nkinsDbPw']) {|generic-password|J3nkinsDbPw",
        "  \"pass\": \"J50nPassW9\"|generic-password|J50nPassW9",
      })
  void configCredentialWhenInItsToolsShapeThenReportedByItsRule(
      String text, String rule, String secret) {
    assertThat(scan(text + "\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly(rule + "=" + secret);
  }

  @Test
  void passwordHashWhenDovecotSchemePrefixedThenReported() {
    String hash =
        "$6$Sa1tSa1t$"
            + "Kq7Lw2Zx9Vb3Nc5Rt8uYiOpAsDfGhJkLzXcVbNmQwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUiOp12345/.abcd";
    assertThat(scan("jane:{SHA512-CRYPT}" + hash + "\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("password-hash=" + hash);
  }

  @Test
  void configCredentialWhenSpreadOverLinesThenReported() {
    assertThat(scan("<dict>\n\t<key>Password</key>\n\t<string>Tr4nsm1tPw!</string>\n</dict>\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("xml-password=Tr4nsm1tPw!");
    assertThat(scan("env:\n  - name: DB_PASSWORD\n    value: \"K8sEnvPw77\"\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("env-entry-secret=K8sEnvPw77");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "requirepass \"\"",
        "# requirepass foobared",
        "requirepass ${REDIS_PASSWORD}",
        "$c = mysqli_connect($host, $user, $pass, $db);",
        "$m = new mysqli('localhost', 'root', '', 'test');",
        "mysql -u root -p shop < dump.sql",
        "mysql -u root -p\"$MYSQL_PWD\" shop",
        "sshpass -p \"$SSHPASS\" ssh host",
        "<property name=\"hibernate.connection.password\">${db.password}</property>",
        "<add key=\"PasswordLength\" value=\"12\"/>",
        "{\"name\": \"DB_PASSWORD\", \"value\": \"${DB_PASSWORD}\"}",
        "- name: DB_PASSWORD_FILE\n  value: /run/secrets/db",
        "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}",
        "CREATE USER ops IDENTIFIED EXTERNALLY;",
        "ALTER USER app IDENTIFIED BY VALUES 'S:0A1B2C';",
        "docker login -u ci -p $DOCKER_PASS registry.corp",
        "sqlplus /nolog @setup.sql",
        "bindpw ${LDAP_BIND_PW}",
        "  password project.findProperty('repoPassword')",
        "bypass = true",
        "compass: 270",
      })
  void configCredentialShapeWhenEmptyReferenceOrPromptThenNotReported(String text) {
    assertThat(scan(text + "\n")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "network={\\n\\tssid=\"home\"\\n\\tpsk=\"Wl4nH0me!2024\"\\n}|wifi-psk|Wl4nH0me!2024",
        "network={\\n  psk=3f9a1c0d5e7b2a4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c\\n}|wifi-psk|3f9a1c0d5e7b2a4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c",
        "[wifi-security]\\nkey-mgmt=wpa-psk\\npsk=NmC0nnect!on9|wifi-psk|NmC0nnect!on9",
        "wpa_passphrase=H0stapdPass77|wifi-psk|H0stapdPass77",
        "rocommunity N3tM0nRead 10.0.0.0/8|snmp-credential|N3tM0nRead",
        "rwcommunity6 Wr1teC0mm9 fd00::/8|snmp-credential|Wr1teC0mm9",
        "com2sec -Cn ctx ro 192.168.0.0/16 C0m2SecC0mm|snmp-credential|C0m2SecC0mm",
        "<auth-user-pass>\\njohn.doe\\nOvpnInl1ne!7\\n</auth-user-pass>|openvpn-auth-user-pass|OvpnInl1ne!7",
        "\"app\" \"md53175bce1d3201d16594cebf9d7eb3f9d\"|pgbouncer-userlist-hash|md53175bce1d3201d16594cebf9d7eb3f9d",
        "net use \\\\fs1\\share /user:CORP\\svc N3tUs3Pw! /persistent:no|net-use-password|N3tUs3Pw!",
        "NET USE Z: \\\\fs1\\share \"Sp4ce Pw!9\" /USER:svc|net-use-password|Sp4ce Pw!9",
        "net use * \\\\10.0.0.5\\c$ Adm1nShare7 /u:administrator|net-use-password|Adm1nShare7",
        "IMAPAccount work\\nHost imap.corp.example\\nUser me\\nPass Mb5yncPw!8\\nSSLType IMAPS|mbsync-password|Mb5yncPw!8",
        "IMAPStore remote\\nUser me\\nPass \"Qu0ted Mb5ync\"|mbsync-password|Qu0ted Mb5ync",
        "poll pop.corp.example protocol POP3 user \"me\" pass \"F3tchP4ss!\" is me here|mail-client-password|F3tchP4ss!",
      })
  void networkAndSyncToolCredentialWhenInItsShapeThenReportedByItsRule(
      String text, String rule, String secret) {
    assertThat(scan(text.replace("\\n", "\n").replace("\\t", "\t") + "\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly(rule + "=" + secret);
  }

  @Test
  void snmpCreateUserWhenAuthAndPrivacyPassphrasesThenBothReported() {
    assertThat(
            scan(
                "createUser -e 0x8000000001020304 backup SHA-256 \"Auth!Phr4se9\" AES Pr1vPhr4seX\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("snmp-credential=Auth!Phr4se9", "snmp-credential=Pr1vPhr4seX");
  }

  @Test
  void pgbouncerUserlistWhenScramVerifierThenReportedWhole() {
    String scram =
        "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$"
            + "q9Zx1Lw7Vb3Nc5Rt8uYiOpAsDfGhJkLzXcVbNmQwErT="
            + ":Kp2Lm4Nb6Vc8Xz0Qw1Er3Ty5Ui7Op9AsDfGhJkLzXcV=";
    assertThat(scan("\"replicator\" \"" + scram + "\"\n"))
        .extracting(f -> f.ruleId() + "=" + f.secret().reveal())
        .containsExactly("pgbouncer-userlist-hash=" + scram);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "psk=\"your_wifi_password\"",
        "psk=${WIFI_PSK}",
        "psk-flags=1",
        "wpa_psk_file=/etc/hostapd.wpa_psk",
        "rocommunity public default -V systemonly",
        "rwcommunity private 127.0.0.1",
        "#rocommunity S3cretC0mm 10.0.0.0/16",
        "com2sec notConfigUser default public",
        "createUser admin SHA \"${SNMP_AUTH}\" AES \"${SNMP_PRIV}\"",
        "<auth-user-pass>\nusername\npassword\n</auth-user-pass>",
        "auth-user-pass /etc/openvpn/credentials.txt",
        "\"pgbouncer\" \"\"",
        "\"user\" \"md5\"",
        "printf(\"%s\" \"md5 of the input\\n\", x);",
        "net use Z: \\\\fs1\\share /persistent:yes",
        "net use \\\\fs1\\share /user:CORP\\svc *",
        "net use \\\\fs1\\ipc$ /user:%DOMAIN%\\%USERNAME% %SVC_PASSWORD%",
        "net use Z: /delete /y",
        "PassCmd \"pass show mail/work\"",
        "IMAPAccount work\nPassCmd \"gpg -q -d ~/.mailpass.gpg\"",
        "IMAPAccount work\nPass ${MAIL_PASSWORD}",
        "poll pop.corp.example user \"me\" passwordeval \"pass show mail\" is me here",
        "poll pop.corp.example user <MAIL_USERNAME> pass <MAIL_PASSWORD> is otrs here",
      })
  void networkAndSyncToolShapeWhenDefaultPromptOrReferenceThenNotReported(String text) {
    assertThat(scan(text.replace("\\n", "\n") + "\n")).isEmpty();
  }

  @Test
  void findingWhenLineHasIgnoreMarkerThenSuppressed() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("t = '" + token + "' # warden:ignore\nu = '" + token + "'\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.line()).isEqualTo(2));
  }

  @Test
  void providerTokenWhenInsideGenericAssignmentThenReportedOnceAsProvider() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("secret_token = \"" + token + "\"\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.ruleId()).isEqualTo("github-pat"));
  }

  @Test
  void fingerprintWhenSameSecretThenSameHmacUnderSameKey() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    List<SecretFinding> f = scan("a=" + token + "\nb=" + token + "\n");
    assertThat(f).hasSize(2);
    assertThat(f.get(0).fingerprint())
        .isEqualTo(f.get(1).fingerprint())
        .isEqualTo(KEY.fingerprint(token));
  }

  @Test
  void columnWhenLineHasMultibyteCharactersThenCountsCodePoints() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    assertThat(scan("\u00e9\u00e9 = '" + token + "'\n"))
        .singleElement()
        .satisfies(f -> assertThat(f.column()).isEqualTo(7));
  }

  @Test
  void invalidUtf8WhenAroundSecretThenSecretStillFound() {
    String token = Corpus.githubStyle(rnd, "ghp_");
    byte[] head = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n'};
    byte[] body = ("k=" + token + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    List<SecretFinding> out = new ArrayList<>();
    new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder())
        .scan(all, all.length, 0, all.length, new LineCursor(1), "bin", out::add);
    assertThat(out).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(2));
  }

  @Test
  void keywordIndexWhenKeywordsOverlapThenReportsEveryOccurrence() {
    KeywordIndex idx = new KeywordIndex(List.of("he", "she", "hers", "his"));
    List<String> hits = new ArrayList<>();
    byte[] text = "USHERS his".getBytes(StandardCharsets.US_ASCII);
    idx.scan(text, 0, text.length, (k, end) -> hits.add(k + "@" + end));
    assertThat(hits).containsExactlyInAnyOrder("1@3", "0@3", "2@5", "3@9");
  }

  @Test
  void entropyWhenUniformThenLog2OfAlphabet() {
    assertThat(Entropy.shannon("abcd")).isEqualTo(2.0);
    assertThat(Entropy.shannon("aaaa")).isEqualTo(0.0);
  }
}
