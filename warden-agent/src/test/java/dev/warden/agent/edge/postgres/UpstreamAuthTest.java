package dev.warden.agent.edge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The agent's side of the database login, message by message, including every way a database can
 * misbehave.
 */
class UpstreamAuthTest {
  static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void scramMatchesTheRfc7677TestVector() {
    ScramClient c = new ScramClient("pencil", null, false, "user", "rOprNGfwEbeRWgbNEkqO");
    assertThat(new String(c.clientFirst(), StandardCharsets.UTF_8))
        .isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    String serverFirst =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    assertThat(
            new String(
                c.clientFinal(serverFirst.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    c.verifyServerFinal(
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aServerSignatureThatIsWrongIsRefused() {
    ScramClient c = new ScramClient("pencil", null, false, "user", "rOprNGfwEbeRWgbNEkqO");
    c.clientFirst();
    c.clientFinal(
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () ->
                c.verifyServerFinal(
                    "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(PgProtocolException.class)
        .hasMessageContaining("does not know");
    assertThatThrownBy(() -> c.verifyServerFinal("x=1".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(PgProtocolException.class);
  }

  @Test
  void aNonceThatDoesNotExtendTheClientsOrAHugeIterationCountIsRefused() {
    ScramClient c = new ScramClient("pw", null, false, RANDOM);
    c.clientFirst();
    assertThatThrownBy(
            () -> c.clientFinal("r=someoneelse,s=AAAA,i=4096".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("nonce");
    ScramClient d = new ScramClient("pw", null, false, "", "abc");
    d.clientFirst();
    assertThatThrownBy(
            () -> d.clientFinal("r=abcdef,s=AAAA,i=2000000000".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("iterations");
    assertThatThrownBy(
            () -> d.clientFinal("r=abcdef,s=!!!,i=4096".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> d.clientFinal("r=abcdef".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("malformed");
  }

  @Test
  void withTlsTheExchangeIsBoundToTheCertificateWhenOfferedAndSaysSoWhenNot() {
    ScramClient plus = new ScramClient("pw", new byte[] {1, 2, 3}, true, "", "n1");
    assertThat(plus.mechanism()).isEqualTo("SCRAM-SHA-256-PLUS");
    assertThat(new String(plus.clientFirst(), StandardCharsets.UTF_8))
        .startsWith("p=tls-server-end-point,,");
    String fin =
        new String(
            plus.clientFinal("r=n1xyz,s=AAAA,i=1".getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8);
    byte[] cbind = Base64.getDecoder().decode(fin.substring(2, fin.indexOf(',')));
    assertThat(new String(cbind, StandardCharsets.ISO_8859_1))
        .isEqualTo("p=tls-server-end-point,,\1\2\3");
    ScramClient y = new ScramClient("pw", null, true, "", "n2");
    assertThat(new String(y.clientFirst(), StandardCharsets.UTF_8)).startsWith("y,,");
  }

  @Test
  void passwordAndMd5AreSentOnlyOverTlsUnlessAllowed() {
    UpstreamAuth plain = new UpstreamAuth("u", "pw", null, false, RANDOM);
    assertThatThrownBy(() -> plain.on(auth(3))).hasMessageContaining("unencrypted");
    assertThatThrownBy(() -> plain.on(auth(5, 1, 2, 3, 4))).hasMessageContaining("unencrypted");
    UpstreamAuth allowed = new UpstreamAuth("u", "pw", null, true, RANDOM);
    UpstreamAuth.Step s = allowed.on(auth(5, 1, 2, 3, 4));
    byte[] sent = ((UpstreamAuth.Step.Send) s).bytes();
    assertThat(new String(sent, 5, sent.length - 6, StandardCharsets.UTF_8))
        .isEqualTo(UpstreamAuth.md5("u", "pw", new byte[] {1, 2, 3, 4}));
    assertThat(allowed.on(auth(0))).isInstanceOf(UpstreamAuth.Step.Done.class);
  }

  @Test
  void md5FollowsPostgresqlsScheme() {
    // md5(md5("secret" + "alice") + salt): the value libpq computes for this user, password and
    // salt
    assertThat(UpstreamAuth.md5("alice", "secret", new byte[] {0x01, 0x02, 0x03, 0x04}))
        .startsWith("md5")
        .hasSize(35)
        .isEqualTo(UpstreamAuth.md5("alice", "secret", new byte[] {1, 2, 3, 4}))
        .isNotEqualTo(UpstreamAuth.md5("alice", "secret", new byte[] {1, 2, 3, 5}));
  }

  @Test
  void kerberosGssAndUnknownMethodsAreRefusedWithWhatTheAgentSpeaks() {
    UpstreamAuth a = new UpstreamAuth("u", "pw", null, false, RANDOM);
    for (int code : new int[] {2, 7, 9, 42}) {
      assertThatThrownBy(() -> a.on(auth(code))).hasMessageContaining("SCRAM-SHA-256");
    }
  }

  @Test
  void saslOutOfOrderOrWithoutAKnownMechanismIsRefused() {
    UpstreamAuth a = new UpstreamAuth("u", "pw", null, false, RANDOM);
    assertThatThrownBy(() -> a.on(auth(11, 'x'))).hasMessageContaining("never started");
    assertThatThrownBy(() -> a.on(auth(12, 'x'))).hasMessageContaining("never started");
    assertThatThrownBy(() -> a.on(sasl("OTHER-MECH"))).hasMessageContaining("OTHER-MECH");
    UpstreamAuth b = new UpstreamAuth("u", "pw", null, false, RANDOM);
    b.on(sasl("SCRAM-SHA-256"));
    assertThatThrownBy(() -> b.on(sasl("SCRAM-SHA-256"))).hasMessageContaining("twice");
    assertThatThrownBy(() -> b.on(auth(0)))
        .as("AuthenticationOk before the server proved itself")
        .hasMessageContaining("without its final signature");
  }

  @Test
  void aMessageThatIsNotAnAuthenticationRequestIsRefused() {
    UpstreamAuth a = new UpstreamAuth("u", "pw", null, false, RANDOM);
    assertThatThrownBy(() -> a.on(new PgMessages.Backend((byte) 'Z', new byte[] {'I'})))
        .hasMessageContaining("during authentication");
    assertThatThrownBy(() -> a.on(new PgMessages.Backend((byte) 'R', new byte[] {0, 0})))
        .hasMessageContaining("without its code");
  }

  static PgMessages.Backend auth(int code, int... rest) {
    ByteBuffer b = ByteBuffer.allocate(4 + rest.length).putInt(code);
    for (int r : rest) {
      b.put((byte) r);
    }
    return new PgMessages.Backend((byte) 'R', b.array());
  }

  static PgMessages.Backend sasl(String... mechanisms) {
    StringBuilder s = new StringBuilder();
    for (String m : mechanisms) {
      s.append(m).append('\0');
    }
    s.append('\0');
    byte[] names = s.toString().getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(ByteBuffer.allocate(4).putInt(10).array(), 4 + names.length);
    System.arraycopy(names, 0, body, 4, names.length);
    return new PgMessages.Backend((byte) 'R', body);
  }
}
