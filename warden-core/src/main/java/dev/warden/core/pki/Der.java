package dev.warden.core.pki;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** DER and PEM plumbing for certificates. */
public final class Der {
  private Der() {}

  /** Parses concatenated DER certificates (self-delimiting, as the Workload API sends them). */
  public static List<X509Certificate> certificates(byte[] concatenatedDer) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : cf.generateCertificates(new ByteArrayInputStream(concatenatedDer))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a DER certificate sequence: " + e.getMessage(), e);
    }
  }

  public static X509Certificate certificate(byte[] der) {
    List<X509Certificate> l = certificates(der);
    if (l.size() != 1) {
      throw new IllegalArgumentException("expected one certificate, found " + l.size());
    }
    return l.getFirst();
  }

  public static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  public static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode certificate", e);
    }
  }

  /** PEM text of DER blocks with the given label (CERTIFICATE, PRIVATE KEY …). */
  public static String pem(String label, List<byte[]> ders) {
    StringBuilder sb = new StringBuilder();
    Base64.Encoder enc = Base64.getMimeEncoder(64, new byte[] {'\n'});
    for (byte[] d : ders) {
      sb.append("-----BEGIN ")
          .append(label)
          .append("-----\n")
          .append(enc.encodeToString(d))
          .append("\n-----END ")
          .append(label)
          .append("-----\n");
    }
    return sb.toString();
  }

  public static String pemCertificates(List<X509Certificate> certs) {
    return pem("CERTIFICATE", certs.stream().map(Der::encoded).toList());
  }
}
