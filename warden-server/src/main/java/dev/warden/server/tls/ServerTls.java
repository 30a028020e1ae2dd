package dev.warden.server.tls;

import dev.warden.core.error.DeniedException;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.Der;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.pki.SvidVerifier;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.jspecify.annotations.Nullable;

/**
 * TLS for the server's listener with optional client certificates (RFC 8705): the serving
 * certificate comes from files or is issued by the trust domain's own CA and renewed at half-life;
 * client certificates are accepted when they are X.509-SVIDs chaining to the current bundle (or to
 * an extra CA the operator configured), checked again with every handshake so a CA rotation needs
 * no restart.
 */
public final class ServerTls {
  private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());
  private static final String ALIAS = "warden";

  private record Serving(List<X509Certificate> chain, PrivateKey key, Instant renewAt) {}

  private final Clock clock;
  private final Supplier<List<X509Certificate>> trusted;
  private final @Nullable CaManager ca;
  private final List<String> dnsNames;
  private volatile @Nullable Serving serving;

  private ServerTls(
      Clock clock,
      Supplier<List<X509Certificate>> trusted,
      @Nullable CaManager ca,
      List<String> dnsNames,
      @Nullable Serving serving) {
    this.clock = clock;
    this.trusted = trusted;
    this.ca = ca;
    this.dnsNames = dnsNames;
    this.serving = serving;
  }

  /** Serving certificate and key from PEM files (an operator's or a public CA's certificate). */
  public static ServerTls fromFiles(
      Path certFile, Path keyFile, Clock clock, Supplier<List<X509Certificate>> trusted) {
    try {
      List<X509Certificate> chain = Der.certificates(Files.readAllBytes(certFile));
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(certFile + " holds no certificate");
      }
      return new ServerTls(
          clock, trusted, null, List.of(), new Serving(chain, readKey(keyFile), Instant.MAX));
    } catch (IOException e) {
      throw new dev.warden.core.error.ValidationException(
          "tls.cert", "cannot read " + certFile + " or " + keyFile + ": " + e.getMessage());
    }
  }

  /**
   * A serving certificate issued by the trust domain's CA for {@code dnsNames}, renewed at
   * half-life.
   */
  public static ServerTls selfIssued(
      CaManager ca, List<String> dnsNames, Clock clock, Supplier<List<X509Certificate>> trusted) {
    ServerTls t = new ServerTls(clock, trusted, ca, List.copyOf(dnsNames), null);
    t.renewIfDue();
    return t;
  }

  /**
   * Re-issues the self-issued serving certificate when half its life has passed; call on a timer.
   */
  public void renewIfDue() {
    if (ca == null) {
      return;
    }
    Serving s = serving;
    Instant now = clock.instant();
    if (s != null && now.isBefore(s.renewAt())) {
      return;
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      SpiffeId id = new SpiffeId(ca.settings().trustDomain(), "/warden/server");
      Duration ttl = ca.settings().x509SvidTtl();
      IssuedSvid svid =
          ca.current()
              .issue(
                  id,
                  dnsNames,
                  SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()),
                  ttl,
                  now);
      List<X509Certificate> chain = new ArrayList<>();
      svid.chainDer().forEach(d -> chain.add(Der.certificate(d)));
      Instant renewAt = now.plus(Duration.between(now, svid.notAfter()).dividedBy(2));
      serving = new Serving(chain, kp.getPrivate(), renewAt);
      LOG.log(
          System.Logger.Level.INFO,
          "serving certificate for " + dnsNames + " valid until " + svid.notAfter());
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING, "cannot renew the serving certificate: " + e.getMessage());
      if (s == null) {
        throw new IllegalStateException("cannot issue the server's TLS certificate", e);
      }
    }
  }

  public SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {new Keys()}, new TrustManager[] {new ClientTrust()}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the TLS context", e);
    }
  }

  private static PrivateKey readKey(Path keyFile) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(Files.readString(keyFile)))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return conv.getPrivateKey(kp.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo pki) {
        return conv.getPrivateKey(pki);
      }
      throw new dev.warden.core.error.ValidationException(
          "tls.key", keyFile + " is not an unencrypted PEM private key");
    }
  }

  /** Always hands out the current serving certificate, so renewal needs no listener restart. */
  private final class Keys extends X509ExtendedKeyManager {
    @Override
    public String @Nullable [] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return null;
    }

    @Override
    public @Nullable String chooseClientAlias(
        String[] keyType, java.security.Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public @Nullable String chooseServerAlias(
        String keyType, java.security.Principal[] issuers, Socket socket) {
      return matches(keyType) ? ALIAS : null;
    }

    @Override
    public @Nullable String chooseEngineServerAlias(
        String keyType, java.security.Principal[] issuers, SSLEngine engine) {
      return matches(keyType) ? ALIAS : null;
    }

    /** Both factories set a serving certificate before a listener uses this (as before: NPE). */
    private Serving current() {
      return java.util.Objects.requireNonNull(serving, "serving certificate");
    }

    private boolean matches(String keyType) {
      String alg = current().key().getAlgorithm();
      return keyType == null
          || keyType.equalsIgnoreCase(alg)
          || (alg.equals("EC") && keyType.startsWith("EC"));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return current().chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return current().key();
    }
  }

  /** Client certificates must be X.509-SVIDs that chain to what is trusted right now. */
  private final class ClientTrust extends X509ExtendedTrustManager {
    private void check(X509Certificate[] chain) throws CertificateException {
      try {
        SvidVerifier.verify(List.of(chain), trusted.get(), clock.instant());
      } catch (DeniedException e) {
        throw new CertificateException(e.getMessage());
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("the server does not act as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the server does not act as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the server does not act as a TLS client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return trusted.get().toArray(X509Certificate[]::new);
    }
  }
}
