package dev.warden.agent.runtime;

import dev.warden.agent.workloadapi.IdentityException;
import dev.warden.agent.workloadapi.X509Svid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Writes one {@link FileSink}'s files and runs its command. */
final class SinkWriter {
  private static final System.Logger LOG = System.getLogger(SinkWriter.class.getName());

  interface JwtFetcher {
    String fetch(String audience) throws IdentityException;
  }

  private SinkWriter() {}

  static void write(FileSink sink, X509Svid svid, List<X509Certificate> bundle, JwtFetcher jwt)
      throws IOException, IdentityException {
    AtomicFiles.write(
        sink.directory().resolve("svid_key.pem"),
        pem("PRIVATE KEY", List.of(svid.privateKey().getEncoded())),
        AtomicFiles.PRIVATE);
    AtomicFiles.write(
        sink.directory().resolve("svid.pem"),
        pem("CERTIFICATE", ders(svid.chain())),
        AtomicFiles.PUBLIC);
    AtomicFiles.write(
        sink.directory().resolve("bundle.pem"),
        pem("CERTIFICATE", ders(bundle)),
        AtomicFiles.PUBLIC);
    for (String aud : sink.jwtAudiences()) {
      AtomicFiles.write(
          sink.directory().resolve(FileSink.jwtFileName(aud)),
          jwt.fetch(aud).getBytes(StandardCharsets.US_ASCII),
          AtomicFiles.PRIVATE);
    }
    if (!sink.command().isEmpty()) {
      run(sink);
    }
  }

  private static void run(FileSink sink) {
    try {
      Process p =
          new ProcessBuilder(sink.command())
              .directory(sink.directory().toFile())
              .inheritIO()
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        LOG.log(
            System.Logger.Level.WARNING,
            "renewal command " + sink.command() + " did not finish in 30 s; killed");
      } else if (p.exitValue() != 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            "renewal command " + sink.command() + " exited with " + p.exitValue());
      }
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot run renewal command " + sink.command() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<byte[]> ders(List<X509Certificate> certs) {
    List<byte[]> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      try {
        out.add(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private static byte[] pem(String label, List<byte[]> ders) {
    return dev.warden.core.pki.Der.pem(label, ders).getBytes(StandardCharsets.US_ASCII);
  }
}
