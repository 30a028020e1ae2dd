package dev.warden.server.oauth;

import dev.warden.core.error.ValidationException;
import dev.warden.core.pki.Der;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The TLS trust for fetching from outside servers: the JDK's trust store, plus the CAs of an
 * operator's PEM file when one is configured (an internal CA, or a test CA). A certificate is
 * accepted when either trusts it; host names are checked by the caller's endpoint identification.
 */
public final class FetchTrust {
  private FetchTrust() {}

  /**
   * @param extraCas a PEM file of CA certificates, or null for the JDK's trust store alone
   * @throws ValidationException naming {@code key} when the file cannot be read as PEM certificates
   */
  public static SSLContext context(@Nullable Path extraCas, String key) {
    try {
      List<X509TrustManager> managers = new ArrayList<>();
      managers.add(trustManager(null));
      if (extraCas != null) {
        List<X509Certificate> certs;
        try {
          certs = Der.certificates(Files.readAllBytes(extraCas));
        } catch (IOException | IllegalArgumentException e) {
          throw new ValidationException(
              key, "cannot read " + extraCas + " as PEM certificates: " + e.getMessage());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < certs.size(); i++) {
          ks.setCertificateEntry("ca-" + i, certs.get(i));
        }
        managers.add(trustManager(ks));
      }
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, new TrustManager[] {new AnyOf(managers)}, null);
      return c;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager trustManager(@Nullable KeyStore ks)
      throws GeneralSecurityException {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(ks);
    for (TrustManager t : f.getTrustManagers()) {
      if (t instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /** Trusts a server chain when any of its managers does. */
  private record AnyOf(List<X509TrustManager> managers) implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("not used for client certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      CertificateException last = null;
      for (X509TrustManager m : managers) {
        try {
          m.checkServerTrusted(chain, authType);
          return;
        } catch (CertificateException e) {
          last = e;
        }
      }
      throw last != null ? last : new CertificateException("no trust anchors");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return managers.stream()
          .flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers()))
          .toArray(X509Certificate[]::new);
    }
  }
}
