package dev.warden.core.pki;

import java.io.OutputStream;
import java.math.BigInteger;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.operator.ContentSigner;

/**
 * ecdsa-with-SHA256 through BouncyCastle's lightweight API with deterministic nonces (RFC 6979):
 * several times faster here than the JCA path, and signing certificates is the issuance hot path.
 * One instance per certificate (it holds the running digest).
 */
final class EcContentSigner implements ContentSigner {
  private static final AlgorithmIdentifier ALG =
      new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);

  private final ECPrivateKeyParameters key;
  private final SHA256Digest digest = new SHA256Digest();
  private final OutputStream out =
      new OutputStream() {
        @Override
        public void write(int b) {
          digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          digest.update(b, off, len);
        }
      };

  EcContentSigner(ECPrivateKeyParameters key) {
    this.key = key;
  }

  @Override
  public AlgorithmIdentifier getAlgorithmIdentifier() {
    return ALG;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  @Override
  public byte[] getSignature() {
    byte[] hash = new byte[32];
    digest.doFinal(hash, 0);
    ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    s.init(true, key);
    BigInteger[] rs = s.generateSignature(hash);
    try {
      return StandardDSAEncoding.INSTANCE.encode(key.getParameters().getN(), rs[0], rs[1]);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode ECDSA signature", e);
    }
  }
}
