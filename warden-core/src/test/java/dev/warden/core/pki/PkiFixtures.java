package dev.warden.core.pki;

import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyState;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** In-memory stores and CSR building for the PKI tests. */
final class PkiFixtures {
  private PkiFixtures() {}

  static final class MemoryAuthorities implements AuthorityStore {
    final Map<String, AuthorityRecord> byId = new LinkedHashMap<>();
    long counter;

    @Override
    public synchronized List<AuthorityRecord> list() {
      return List.copyOf(byId.values());
    }

    @Override
    public synchronized void insert(AuthorityRecord a) {
      if (byId.putIfAbsent(a.id(), a) != null) {
        throw new ConflictException("exists");
      }
      counter++;
    }

    @Override
    public synchronized boolean update(AuthorityRecord a, KeyState expected) {
      AuthorityRecord cur = byId.get(a.id());
      if (cur == null || cur.state() != expected) {
        return false;
      }
      byId.put(a.id(), a);
      counter++;
      return true;
    }

    @Override
    public synchronized long changeCounter() {
      return counter;
    }
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** A CSR over {@code kp}, with optional requested extensions. */
  static byte[] csr(KeyPair kp, ExtensionsGenerator ext) throws Exception {
    JcaPKCS10CertificationRequestBuilder b =
        new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=test"), kp.getPublic());
    if (ext != null) {
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
    }
    String alg =
        switch (kp.getPrivate().getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> "Ed25519";
        };
    return b.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())).getEncoded();
  }

  static byte[] csr(KeyPair kp) throws Exception {
    return csr(kp, null);
  }

  static ExtensionsGenerator sans(org.bouncycastle.asn1.x509.GeneralName... names)
      throws Exception {
    ExtensionsGenerator g = new ExtensionsGenerator();
    g.addExtension(
        Extension.subjectAlternativeName,
        false,
        new org.bouncycastle.asn1.x509.GeneralNames(names));
    return g;
  }
}
