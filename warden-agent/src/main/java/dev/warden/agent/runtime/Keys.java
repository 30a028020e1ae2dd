package dev.warden.agent.runtime;

import dev.warden.core.model.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Fresh P-256 key pairs and CSRs: every SVID gets a new key that never leaves the agent's memory.
 */
final class Keys {
  private Keys() {}

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no P-256 key generator in this JDK", e);
    }
  }

  /** A CSR carrying only the key (the server sets the SPIFFE ID itself). */
  static byte[] csr(KeyPair kp, @Nullable SpiffeId id) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(
              new X500Principal("O=Warden agent"), kp.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a CSR", e);
    }
  }
}
