package dev.warden.scan.internal.verify;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * What --verify reads from scanned files: a database login around a found password and the public
 * half of a found private key. Any input gives a value or nothing; never an exception.
 */
class VerifyParsersFuzzTest {
  private static final String[] RULES = {
    "uri-postgres", "uri-mysql", "uri-redis", "jdbc-password", "pgpass-password"
  };

  @FuzzTest(maxDuration = "20s")
  void databaseCredential(FuzzedDataProvider data) {
    String rule = RULES[data.consumeInt(0, RULES.length - 1)];
    String secret = data.consumeString(64);
    String line = data.consumeRemainingAsString();
    DatabaseCredential.read(rule, line, secret)
        .ifPresent(
            c -> {
              if (c.port() < 1 || c.port() > 65535) {
                throw new IllegalStateException("port out of range: " + c.port());
              }
            });
  }

  @FuzzTest(maxDuration = "20s")
  void privateKey(byte[] body) {
    PrivateKeys.publicKeySha256(
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(body)
            + "\n-----END PRIVATE KEY-----");
    PrivateKeys.publicKeySha256(
        "-----BEGIN EC PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(body)
            + "\n-----END EC PRIVATE KEY-----");
  }
}
