package dev.warden.agent.edge.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/**
 * The proofs checked the way the servers check them (sql/password.c, caching_sha2_password), and
 * the login state machine through each path a server can take.
 */
class MysqlUpstreamLoginTest {
  static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
  static final byte[] NONCE2 = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
  static final String PW = "issued-pw";

  static byte[] sha(String alg, byte[]... parts) throws Exception {
    MessageDigest d = MessageDigest.getInstance(alg);
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] o = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      o[i] = (byte) (a[i] ^ b[i]);
    }
    return o;
  }

  @Test
  void theNativeScrambleIsWhatTheServerAcceptsForTheStoredHash() throws Exception {
    byte[] stored =
        sha("SHA-1", sha("SHA-1", PW.getBytes(StandardCharsets.UTF_8))); // mysql.user's hash
    byte[] proof = Scramble.nativePassword(PW.getBytes(StandardCharsets.UTF_8), NONCE);
    // the server: SHA1(proof XOR SHA1(nonce + stored)) must equal stored
    assertThat(sha("SHA-1", xor(proof, sha("SHA-1", NONCE, stored)))).isEqualTo(stored);
    assertThat(Scramble.nativePassword("other".getBytes(StandardCharsets.UTF_8), NONCE))
        .isNotEqualTo(proof);
  }

  @Test
  void theCachingSha2ScrambleIsWhatTheServerAcceptsForItsCachedHash() throws Exception {
    byte[] cached = sha("SHA-256", sha("SHA-256", PW.getBytes(StandardCharsets.UTF_8)));
    byte[] proof = Scramble.cachingSha2(PW.getBytes(StandardCharsets.UTF_8), NONCE);
    // the server: SHA256(proof XOR SHA256(cached + nonce)) must equal cached
    assertThat(sha("SHA-256", xor(proof, sha("SHA-256", cached, NONCE)))).isEqualTo(cached);
  }

  @Test
  void theRsaPasswordDecryptsWithTheServersKeyToThePasswordXoredWithTheNonce() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(kp.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    byte[] sealed = Scramble.rsaPassword(PW.getBytes(StandardCharsets.UTF_8), NONCE, pem);
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
    c.init(Cipher.DECRYPT_MODE, kp.getPrivate());
    byte[] opened = c.doFinal(sealed);
    for (int i = 0; i < opened.length; i++) {
      opened[i] ^= NONCE[i % NONCE.length];
    }
    assertThat(new String(opened, StandardCharsets.UTF_8)).isEqualTo(PW + "\0");
    assertThatThrownBy(() -> Scramble.rsaPassword(new byte[1], NONCE, "not a key"))
        .isInstanceOf(MysqlException.class)
        .hasMessageContaining("RSA key");
  }

  @Test
  void nativeLoginEndsWithTheTargetsOk() {
    MysqlUpstreamLogin l = new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    assertThat(l.first())
        .isEqualTo(Scramble.nativePassword(PW.getBytes(StandardCharsets.UTF_8), NONCE));
    byte[] ok = {0, 0, 0, 2, 0, 0, 0};
    assertThat(l.on(ok))
        .isEqualTo(new MysqlUpstreamLogin.Step.Ok(ok))
        .isInstanceOf(MysqlUpstreamLogin.Step.Ok.class);
  }

  @Test
  void anUnknownDefaultMethodStartsNativeAndASwitchToCachingSha2AnswersWithTheNewNonce() {
    MysqlUpstreamLogin l = new MysqlUpstreamLogin(PW, "client_ed25519", NONCE, false, false);
    assertThat(l.plugin()).isEqualTo("mysql_native_password");
    l.first();
    MysqlUpstreamLogin.Step s = l.on(switchTo("caching_sha2_password", NONCE2));
    assertThat(((MysqlUpstreamLogin.Step.Send) s).payload())
        .isEqualTo(Scramble.cachingSha2(PW.getBytes(StandardCharsets.UTF_8), NONCE2));
    assertThat(l.on(new byte[] {1, 3}))
        .isInstanceOf(MysqlUpstreamLogin.Step.Wait.class); // fast path: OK follows
    assertThat(l.on(new byte[] {0, 0, 0, 2, 0})).isInstanceOf(MysqlUpstreamLogin.Step.Ok.class);
  }

  @Test
  void fullAuthenticationSendsThePasswordOverTlsOnly() {
    MysqlUpstreamLogin tls =
        new MysqlUpstreamLogin(PW, "caching_sha2_password", NONCE, true, false);
    tls.first();
    assertThat(((MysqlUpstreamLogin.Step.Send) tls.on(new byte[] {1, 4})).payload())
        .isEqualTo((PW + "\0").getBytes(StandardCharsets.UTF_8));
    MysqlUpstreamLogin plain =
        new MysqlUpstreamLogin(PW, "caching_sha2_password", NONCE, false, false);
    plain.first();
    assertThatThrownBy(() -> plain.on(new byte[] {1, 4}))
        .isInstanceOf(MysqlException.class)
        .hasMessageContaining("set upstream-tls (or allow-weak-auth=true");
  }

  @Test
  void fullAuthenticationWithoutTlsAsksForTheKeyOnlyWhenWeakAuthIsAllowed() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(kp.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    MysqlUpstreamLogin l = new MysqlUpstreamLogin(PW, "caching_sha2_password", NONCE, false, true);
    l.first();
    assertThat(((MysqlUpstreamLogin.Step.Send) l.on(new byte[] {1, 4})).payload())
        .containsExactly(2);
    byte[] keyPacket = ("\1" + pem).getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = ((MysqlUpstreamLogin.Step.Send) l.on(keyPacket)).payload();
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
    c.init(Cipher.DECRYPT_MODE, kp.getPrivate());
    byte[] opened = c.doFinal(sealed);
    for (int i = 0; i < opened.length; i++) {
      opened[i] ^= NONCE[i % NONCE.length];
    }
    assertThat(Arrays.copyOf(opened, opened.length - 1))
        .isEqualTo(PW.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void unsupportedMethodsASecondSwitchAndTheTargetsErrorAreReported() {
    MysqlUpstreamLogin l = new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    l.first();
    assertThatThrownBy(() -> l.on(switchTo("client_ed25519", NONCE2)))
        .hasMessageContaining("client_ed25519");
    MysqlUpstreamLogin clear =
        new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    clear.first();
    assertThatThrownBy(() -> clear.on(switchTo("mysql_clear_password", new byte[0])))
        .hasMessageContaining("without TLS");
    MysqlUpstreamLogin twice =
        new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    twice.first();
    twice.on(switchTo("mysql_native_password", NONCE2));
    assertThatThrownBy(() -> twice.on(switchTo("mysql_native_password", NONCE)))
        .hasMessageContaining("twice");
    MysqlUpstreamLogin denied =
        new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    denied.first();
    byte[] err =
        ("\u00ff\u0015\u0004#28000Access denied for user 'x'")
            .getBytes(StandardCharsets.ISO_8859_1);
    MysqlUpstreamLogin.Step.Refused r = (MysqlUpstreamLogin.Step.Refused) denied.on(err);
    assertThat(r.code()).isEqualTo(1045);
    assertThat(r.message()).isEqualTo("Access denied for user 'x'");
    MysqlUpstreamLogin sha2Data =
        new MysqlUpstreamLogin(PW, "mysql_native_password", NONCE, false, false);
    sha2Data.first();
    assertThatThrownBy(() -> sha2Data.on(new byte[] {1, 3}))
        .hasMessageContaining("more authentication data");
  }

  static byte[] switchTo(String plugin, byte[] nonce) {
    byte[] name = plugin.getBytes(StandardCharsets.US_ASCII);
    byte[] p = new byte[1 + name.length + 1 + nonce.length + 1];
    p[0] = (byte) 0xfe;
    System.arraycopy(name, 0, p, 1, name.length);
    System.arraycopy(nonce, 0, p, name.length + 2, nonce.length);
    return p;
  }
}
