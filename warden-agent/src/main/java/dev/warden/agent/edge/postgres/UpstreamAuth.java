package dev.warden.agent.edge.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Answers the database's authentication requests with the credential Warden issued: SCRAM-SHA-256
 * (bound to the TLS certificate when offered), MD5 or cleartext — the last two only when the
 * connection is encrypted or the operator allowed them in plaintext, because they would put the
 * password (or a replayable hash) on the wire. Free of I/O so that every branch can be tested.
 */
final class UpstreamAuth {
  /** What to do after a message: send these bytes, or authentication is complete. */
  sealed interface Step {
    record Send(byte[] bytes) implements Step {}

    /** Nothing to send: the next message completes authentication. */
    record Wait() implements Step {}

    record Done() implements Step {}
  }

  private final String user;
  private final String password;
  private final @Nullable X509Certificate serverCertificate;
  private final boolean allowWeakInPlaintext;
  private final SecureRandom random;

  /** The SCRAM exchange under way; null before SASL starts and once it is verified. */
  private @Nullable ScramClient scram;

  /**
   * @param serverCertificate the database's certificate when the connection is TLS, else null
   * @param allowWeakInPlaintext cleartext and MD5 allowed on an unencrypted connection
   */
  UpstreamAuth(
      String user,
      String password,
      @Nullable X509Certificate serverCertificate,
      boolean allowWeakInPlaintext,
      SecureRandom random) {
    this.user = user;
    this.password = password;
    this.serverCertificate = serverCertificate;
    this.allowWeakInPlaintext = allowWeakInPlaintext;
    this.random = random;
  }

  Step on(PgMessages.Backend m) {
    if (m.type() != PgMessages.AUTHENTICATION) {
      throw new PgProtocolException(
          "08P01", "the database sent message '" + (char) m.type() + "' during authentication");
    }
    byte[] body = m.body();
    int code = m.authCode();
    switch (code) {
      case PgMessages.AUTH_OK -> {
        if (scram != null) {
          throw new PgProtocolException(
              "08P01", "the database ended SCRAM without its final signature");
        }
        // also without any request (trust authentication): the user Warden created exists either
        // way
        return new Step.Done();
      }
      case PgMessages.AUTH_CLEARTEXT -> {
        requireProtectedOrAllowed("a cleartext password");
        return new Step.Send(PgMessages.password(password));
      }
      case PgMessages.AUTH_MD5 -> {
        requireProtectedOrAllowed("an MD5 password hash");
        if (body.length != 8) {
          throw new PgProtocolException(
              "08P01", "the database sent an MD5 request without its 4-byte salt");
        }
        return new Step.Send(
            PgMessages.password(md5(user, password, java.util.Arrays.copyOfRange(body, 4, 8))));
      }
      case PgMessages.AUTH_SASL -> {
        if (scram != null) {
          throw new PgProtocolException("08P01", "the database started SASL twice");
        }
        List<String> mechanisms = PgMessages.saslMechanisms(body);
        X509Certificate cert = serverCertificate;
        boolean tls = cert != null;
        if (cert != null && mechanisms.contains(ScramClient.MECHANISM_PLUS)) {
          scram = new ScramClient(password, endPoint(cert), true, random);
        } else if (mechanisms.contains(ScramClient.MECHANISM)) {
          scram = new ScramClient(password, null, tls, random);
        } else {
          throw new PgProtocolException(
              "28000",
              "the database offers SASL mechanisms "
                  + mechanisms
                  + "; the Warden agent speaks SCRAM-SHA-256");
        }
        return new Step.Send(
            PgMessages.saslInitialResponse(scram.mechanism(), scram.clientFirst()));
      }
      case PgMessages.AUTH_SASL_CONTINUE -> {
        if (scram == null) {
          throw new PgProtocolException(
              "08P01", "the database continued a SASL exchange that never started");
        }
        return new Step.Send(PgMessages.saslResponse(scram.clientFinal(rest(body))));
      }
      case PgMessages.AUTH_SASL_FINAL -> {
        if (scram == null) {
          throw new PgProtocolException(
              "08P01", "the database ended a SASL exchange that never started");
        }
        scram.verifyServerFinal(rest(body));
        scram = null; // verified: the AuthenticationOk that follows is now expected
        return new Step.Wait();
      }
      default ->
          throw new PgProtocolException(
              "28000",
              "the database asks for authentication method "
                  + code
                  + " (Kerberos, GSSAPI or SSPI); the Warden agent answers SCRAM-SHA-256, MD5 or password");
    }
  }

  private void requireProtectedOrAllowed(String what) {
    if (serverCertificate == null && !allowWeakInPlaintext) {
      throw new PgProtocolException(
          "28000",
          "the database asks for "
              + what
              + " over an unencrypted connection; "
              + "the agent refuses to send it (use TLS to the database, SCRAM, or allow it for this proxy)");
    }
  }

  private static byte[] rest(byte[] body) {
    return java.util.Arrays.copyOfRange(body, 4, body.length);
  }

  /** PostgreSQL's MD5 scheme: "md5" + md5(md5(password + user) + salt), hex. */
  static String md5(String user, String password, byte[] salt) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      String inner =
          HexFormat.of().formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
      md.update(inner.getBytes(StandardCharsets.US_ASCII));
      md.update(salt);
      return "md5" + HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * RFC 5929 tls-server-end-point: the certificate's hash with its signature's hash algorithm,
   * SHA-256 when that is MD5 or SHA-1.
   */
  static byte[] endPoint(X509Certificate c) {
    String alg = c.getSigAlgName().toUpperCase(Locale.ROOT);
    String hash =
        alg.contains("SHA384") ? "SHA-384" : alg.contains("SHA512") ? "SHA-512" : "SHA-256";
    try {
      return MessageDigest.getInstance(hash).digest(c.getEncoded());
    } catch (java.security.NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
