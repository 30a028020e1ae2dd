package dev.warden.server.oauth;

import dev.warden.core.oauth.ClientMetadataFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * Fetches Client ID Metadata Documents without letting a client_id URL reach what it should not
 * (server-side request forgery). The URL arrives in an unauthenticated request, so:
 *
 * <ul>
 *   <li>https only, on any port; no user info;
 *   <li>the host is resolved once, and refused when any of its addresses is loopback, private (RFC
 *       1918), carrier-grade NAT, link-local, unique-local, multicast, unspecified or otherwise not
 *       globally routable — unless it lies in a network the operator allowed ({@code
 *       oauth.clientMetadata.allowedNetworks}); the connection goes to the checked address, so a
 *       second DNS answer cannot move it (DNS rebinding);
 *   <li>TLS verifies the certificate for the URL's host name (SNI set), against the JDK's trust
 *       store plus {@code oauth.clientMetadata.trustedCas};
 *   <li>one GET over HTTP/1.1, {@code Connection: close}; only 200 is a success; a redirect is
 *       refused, never followed;
 *   <li>the body is at most {@link #MAX_BYTES} bytes and the headers at most 16 KiB; the content
 *       type is JSON; connecting may take {@link #CONNECT_TIMEOUT}, the whole exchange {@link
 *       #TOTAL_TIMEOUT} (a server that trickles bytes is cut off).
 * </ul>
 *
 * The response's {@code Cache-Control} sets how long the document is reused: {@code no-store} or
 * {@code no-cache} not at all, {@code max-age} up to {@link #MAX_CACHE}, {@link #DEFAULT_CACHE}
 * without.
 *
 * <p>The response is read byte by byte within those limits by {@link HttpResponseReader}.
 */
public final class ClientMetadataHttpFetcher implements ClientMetadataFetcher {
  public static final int MAX_BYTES = 5 * 1024;
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(4);
  public static final Duration DEFAULT_CACHE = Duration.ofMinutes(5);
  public static final Duration MAX_CACHE = Duration.ofHours(1);
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  private final SSLContext tls;
  private final List<Network> allowed;
  private final Duration connectTimeout;
  private final Duration totalTimeout;

  /**
   * @param tls the trust used to verify the client's server
   * @param allowedNetworks CIDR ranges fetched even though not public, e.g. {@code 10.1.0.0/16}
   * @throws IllegalArgumentException naming a CIDR that does not parse
   */
  public ClientMetadataHttpFetcher(SSLContext tls, List<String> allowedNetworks) {
    this(tls, allowedNetworks, CONNECT_TIMEOUT, TOTAL_TIMEOUT);
  }

  /**
   * Checks {@code oauth.clientMetadata.allowedNetworks} before anything is built with it.
   *
   * @throws IllegalArgumentException naming the first CIDR that does not parse
   */
  public static void checkNetworks(List<String> allowedNetworks) {
    allowedNetworks.forEach(Network::parse);
  }

  ClientMetadataHttpFetcher(
      SSLContext tls, List<String> allowedNetworks, Duration connectTimeout, Duration total) {
    this.tls = tls;
    this.allowed = allowedNetworks.stream().map(Network::parse).toList();
    this.connectTimeout = connectTimeout;
    this.totalTimeout = total;
  }

  @Override
  public Fetched fetch(URI url) throws IOException {
    if (!"https".equals(url.getScheme()) || url.getHost() == null || url.getRawUserInfo() != null) {
      throw new IOException("only https URLs without user info are fetched");
    }
    String host = url.getHost();
    String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = url.getPort() == -1 ? 443 : url.getPort();
    InetAddress target = resolve(bareHost);
    long deadline = System.nanoTime() + totalTimeout.toNanos();
    try (Socket raw = new Socket()) {
      // the deadline holds whatever TLS does while reading or closing: at it, the socket is closed
      // under it
      Thread watchdog =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      Thread.sleep(Math.max(1, remainingMillis(deadline)));
                      raw.close();
                    } catch (InterruptedException | IOException e) {
                      // finished in time, or already closed
                    }
                  });
      try {
        return exchange(url, raw, target, port, bareHost, deadline);
      } catch (IOException e) {
        if (remainingMillis(deadline) <= 0) {
          throw new IOException("no complete answer within " + totalTimeout.toMillis() + " ms");
        }
        throw e;
      } finally {
        watchdog.interrupt();
      }
    }
  }

  private Fetched exchange(
      URI url, Socket raw, InetAddress target, int port, String bareHost, long deadline)
      throws IOException {
    String host = url.getHost();
    try {
      raw.connect(new InetSocketAddress(target, port), (int) connectTimeout.toMillis());
      raw.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
      try (SSLSocket s =
          (SSLSocket) tls.getSocketFactory().createSocket(raw, bareHost, port, true)) {
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(bareHost)) {
          p.setServerNames(List.of(new SNIHostName(IDN.toASCII(bareHost))));
        }
        s.setSSLParameters(p);
        s.startHandshake();
        String path =
            (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String request =
            "GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + url.getRawAuthority()
                + "\r\nAccept: application/json"
                + "\r\nUser-Agent: "
                + dev.warden.core.WardenVersion.userAgent("server")
                + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(new HttpResponseReader.DeadlineInput(s.getInputStream(), s, deadline));
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("no complete answer within " + totalTimeout.toMillis() + " ms");
    } catch (javax.net.ssl.SSLException e) {
      if (remainingMillis(deadline) <= 0) {
        throw new IOException("no complete answer within " + totalTimeout.toMillis() + " ms");
      }
      throw new IOException("TLS with " + host + " failed: " + e.getMessage());
    }
  }

  /** Resolves once; every address must be public or in an allowed network. */
  private InetAddress resolve(String host) throws IOException {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("the host " + host + " does not resolve");
    }
    for (InetAddress a : all) {
      if (!isPublic(a) && allowed.stream().noneMatch(n -> n.contains(a))) {
        throw new IOException(
            "the host "
                + host
                + " resolves to "
                + a.getHostAddress()
                + ", a loopback, private,"
                + " link-local or otherwise non-public address; such addresses are fetched only when the operator allows"
                + " their network (oauth.clientMetadata.allowedNetworks)");
      }
    }
    return all[0];
  }

  /** Globally routable unicast only. */
  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress()
        || a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (b.length == 4) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      return !(b0 == 0
          || b0 >= 240 // this network, reserved and broadcast
          || b0 == 100 && b1 >= 64 && b1 < 128 // carrier-grade NAT, RFC 6598
          || b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0 // IETF protocol assignments
          || b0 == 198 && (b1 == 18 || b1 == 19)); // benchmarking, RFC 2544
    }
    int b0 = b[0] & 0xff;
    if ((b0 & 0xfe) == 0xfc) {
      return false; // unique local fc00::/7
    }
    if (a instanceof Inet6Address && isMappedOrCompatible(b)) {
      try {
        return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return (b0 & 0xe0) == 0x20; // global unicast 2000::/3 only
  }

  private static boolean isMappedOrCompatible(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  static long remainingMillis(long deadline) {
    return (deadline - System.nanoTime()) / 1_000_000;
  }

  private static Fetched read(InputStream in) throws IOException {
    String head = HttpResponseReader.head(in, MAX_HEADER_BYTES);
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("the answer is not HTTP/1.1");
    }
    int code;
    try {
      code = Integer.parseInt(status[1]);
    } catch (NumberFormatException e) {
      throw new IOException("the answer has no status code");
    }
    long length = -1;
    boolean chunked = false;
    String type = null;
    String cacheControl = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("the answer has a malformed Content-Length");
          }
        }
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "content-type" -> type = value.toLowerCase(Locale.ROOT);
        case "cache-control" ->
            cacheControl = cacheControl == null ? value : cacheControl + "," + value;
        default -> {}
      }
    }
    if (code >= 300 && code < 400) {
      throw new IOException(
          "the server answered with a redirect (HTTP "
              + code
              + "); redirects are not followed:"
              + " the client_id must be the document's own URL");
    }
    if (code != 200) {
      throw new IOException("HTTP " + code);
    }
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim();
    if (!mediaType.equals("application/json")
        && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      throw new IOException(
          "the content type is "
              + (type == null ? "missing" : "'" + mediaType + "'")
              + "; a metadata document is application/json");
    }
    if (length > MAX_BYTES) {
      throw new IOException("the document is larger than " + MAX_BYTES + " bytes");
    }
    byte[] body =
        chunked
            ? HttpResponseReader.chunked(in, MAX_BYTES)
            : HttpResponseReader.body(in, length, MAX_BYTES);
    return new Fetched(body, cacheAge(cacheControl));
  }

  /** How long a document may be reused, from Cache-Control, bounded by {@link #MAX_CACHE}. */
  static Duration cacheAge(@Nullable String cacheControl) {
    if (cacheControl == null) {
      return DEFAULT_CACHE;
    }
    Duration age = DEFAULT_CACHE;
    for (String d : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
      String directive = d.trim();
      if (directive.equals("no-store") || directive.equals("no-cache")) {
        return Duration.ZERO;
      }
      if (directive.startsWith("max-age=")) {
        try {
          long s =
              Long.parseLong(directive.substring("max-age=".length()).replace("\"", "").trim());
          age = Duration.ofSeconds(Math.max(0, Math.min(s, MAX_CACHE.toSeconds())));
        } catch (NumberFormatException e) {
          return Duration.ZERO;
        }
      }
    }
    return age;
  }

  /** One CIDR range. */
  record Network(byte[] prefix, int bits) {
    static Network parse(String cidr) {
      int slash = cidr.indexOf('/');
      // checked first: InetAddress.getByName would look a host name up in DNS
      if (!cidr.trim().matches("[0-9a-fA-F:.]+(/[0-9]+)?")) {
        throw new IllegalArgumentException(
            "'" + cidr + "' is not an address range like 10.0.0.0/8 or fd00::/8");
      }
      try {
        InetAddress a =
            InetAddress.getByName(slash < 0 ? cidr.trim() : cidr.substring(0, slash).trim());
        byte[] bytes = a.getAddress();
        int bits =
            slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1).trim());
        if (bits < 0 || bits > bytes.length * 8) {
          throw new IllegalArgumentException("'" + cidr + "': the prefix length is out of range");
        }
        return new Network(bytes, bits);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + cidr + "' is not an address range like 10.0.0.0/8 or fd00::/8");
      }
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (prefix[full] & mask);
    }
  }
}
