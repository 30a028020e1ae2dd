package dev.warden.agent.edge.postgres;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: the user name is
 * the startup message's, so the SCRAM one is empty. With TLS the proxy binds the exchange to the
 * server's certificate ({@code tls-server-end-point}, SCRAM-SHA-256-PLUS) when the database offers
 * it, and otherwise says it could have ({@code y}), so a man in the middle cannot strip the
 * binding. The server's final signature is verified: a database that does not know the password is
 * refused.
 */
final class ScramClient {
  static final String MECHANISM = "SCRAM-SHA-256";
  static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";

  /** A server asking for more would make each connection cost seconds of CPU: refused. */
  static final int MAX_ITERATIONS = 1_000_000;

  private final String password;
  private final String gs2Header;
  private final byte @Nullable [] bindingData;
  private final String clientNonce;
  private final String user;

  /** Set by {@link #clientFirst}; the empty string before. */
  private String clientFirstBare = "";

  /** Set by {@link #clientFinal}; null before, which {@link #verifyServerFinal} refuses. */
  private byte @Nullable [] expectedServerSignature;

  /**
   * @param endPoint the tls-server-end-point hash of the server's certificate when the exchange is
   *     to be bound to it (PLUS); null otherwise
   * @param tls the connection is TLS (so, without binding, the header says the client supports it)
   */
  ScramClient(String password, byte @Nullable [] endPoint, boolean tls, SecureRandom random) {
    this(password, endPoint, tls, "", nonce(random));
  }

  /** With a given user name and nonce: the RFC's test vectors. */
  ScramClient(String password, byte @Nullable [] endPoint, boolean tls, String user, String nonce) {
    if (password.isEmpty()) {
      throw new PgProtocolException("28P01", "the credential has an empty password");
    }
    this.password = password;
    this.bindingData = endPoint;
    this.gs2Header = endPoint != null ? "p=tls-server-end-point,," : tls ? "y,," : "n,,";
    this.user = user;
    this.clientNonce = nonce;
  }

  private static String nonce(SecureRandom random) {
    byte[] n = new byte[18];
    random.nextBytes(n);
    return Base64.getEncoder().encodeToString(n);
  }

  String mechanism() {
    return bindingData != null ? MECHANISM_PLUS : MECHANISM;
  }

  byte[] clientFirst() {
    // PostgreSQL takes the user from the startup message and ignores this one (empty, as libpq
    // sends)
    clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
  }

  byte[] clientFinal(byte[] serverFirstBytes) {
    String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
    String nonce = null;
    String salt = null;
    String iterations = null;
    for (String attr : serverFirst.split(",")) {
      if (attr.startsWith("r=")) {
        nonce = attr.substring(2);
      } else if (attr.startsWith("s=")) {
        salt = attr.substring(2);
      } else if (attr.startsWith("i=")) {
        iterations = attr.substring(2);
      } else if (attr.startsWith("m=")) {
        throw new PgProtocolException(
            "08P01", "the database asked for a SCRAM extension the proxy does not support");
      }
    }
    if (nonce == null || salt == null || iterations == null) {
      throw new PgProtocolException(
          "08P01", "the database sent a malformed SCRAM server-first message");
    }
    if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
      throw new PgProtocolException(
          "08P01", "the database's SCRAM nonce does not extend the proxy's");
    }
    int i;
    byte[] saltBytes;
    try {
      i = Integer.parseInt(iterations);
      saltBytes = Base64.getDecoder().decode(salt);
    } catch (IllegalArgumentException e) {
      throw new PgProtocolException(
          "08P01", "the database sent a malformed SCRAM salt or iteration count");
    }
    if (i < 1 || i > MAX_ITERATIONS || saltBytes.length == 0) {
      throw new PgProtocolException(
          "08P01",
          "the database asked for " + i + " SCRAM iterations (1.." + MAX_ITERATIONS + " accepted)");
    }
    byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
    byte[] cbind = bindingData == null ? header : concat(header, bindingData);
    String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + nonce;
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] salted = hi(password, saltBytes, i);
    byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.UTF_8));
    byte[] storedKey = sha256(clientKey);
    byte[] clientSignature = hmac(storedKey, authMessage);
    byte[] proof = new byte[clientKey.length];
    for (int k = 0; k < proof.length; k++) {
      proof[k] = (byte) (clientKey[k] ^ clientSignature[k]);
    }
    expectedServerSignature =
        hmac(hmac(salted, "Server Key".getBytes(StandardCharsets.UTF_8)), authMessage);
    return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks the server's signature: only a server that knows the password's verifier can produce it.
   */
  void verifyServerFinal(byte[] serverFinalBytes) {
    if (expectedServerSignature == null) {
      throw new PgProtocolException(
          "08P01", "the database ended SCRAM before the proxy sent its proof");
    }
    String serverFinal = new String(serverFinalBytes, StandardCharsets.UTF_8);
    if (serverFinal.startsWith("e=")) {
      throw new PgProtocolException(
          "28P01", "the database refused the SCRAM proof: " + serverFinal.substring(2));
    }
    String v = null;
    for (String attr : serverFinal.split(",")) {
      if (attr.startsWith("v=")) {
        v = attr.substring(2);
      }
    }
    byte[] got;
    try {
      got = v == null ? null : Base64.getDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      got = null;
    }
    if (got == null || !MessageDigest.isEqual(got, expectedServerSignature)) {
      throw new PgProtocolException(
          "08P01",
          "the database's SCRAM signature is wrong: it does not know this "
              + "user's password (is the proxy talking to the right server?)");
    }
  }

  static byte[] hi(String password, byte[] salt, int iterations) {
    try {
      // PBKDF2 with HMAC-SHA-256 is Hi(); the JDK encodes the password as UTF-8, as SCRAM wants
      SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      return f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
