package dev.warden.scan.internal.verify;

import dev.warden.scan.Verification;
import dev.warden.scan.Verified;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A test {@code AUTH} at a Redis resource, over TLS (with host name verification) when the
 * resource's URL is {@code rediss://}. Nothing but {@code AUTH} and {@code QUIT} is sent.
 */
final class RedisLogin implements Login {
  private static final int MAX_REPLY = 1024;
  private final int timeoutMillis;

  RedisLogin(int timeoutSeconds) {
    this.timeoutMillis = timeoutSeconds * 1000;
  }

  @Override
  public Verification attempt(Target t, DatabaseCredential c) {
    String where =
        "test AUTH at resource " + t.resource() + (c.user() == null ? "" : " as " + c.user());
    boolean tls = URI.create(t.url()).getScheme().equalsIgnoreCase("rediss");
    try (Socket s = open(t, tls)) {
      OutputStream out = s.getOutputStream();
      out.write(
          c.user() == null
              ? command("AUTH", c.password())
              : command("AUTH", c.user(), c.password()));
      out.flush();
      String reply = line(new BufferedInputStream(s.getInputStream()));
      out.write(command("QUIT"));
      out.flush();
      if (reply.equals("+OK")) {
        return new Verification(Verified.TRUE, where + " succeeded");
      }
      if (reply.startsWith("-WRONGPASS")
          || reply.startsWith("-ERR invalid")
          || reply.startsWith("-ERR AUTH")
          || reply.startsWith("-ERR Client sent AUTH")) {
        return new Verification(Verified.FALSE, where + " refused");
      }
      return new Verification(Verified.UNKNOWN, where + ": unexpected reply");
    } catch (IOException e) {
      return new Verification(Verified.UNKNOWN, where + " failed: " + e.getClass().getSimpleName());
    }
  }

  private Socket open(Target t, boolean tls) throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress(t.host(), t.port()), timeoutMillis);
    plain.setSoTimeout(timeoutMillis);
    if (!tls) {
      return plain;
    }
    SSLSocket s =
        (SSLSocket)
            ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(plain, t.host(), t.port(), true);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  static byte[] command(String... args) {
    StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String a : args) {
      sb.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One reply line, without CRLF, at most {@link #MAX_REPLY} bytes. */
  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n' && sb.length() < MAX_REPLY; b = in.read()) {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
