package dev.warden.core.pki;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.SpiffeId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder;
import org.bouncycastle.operator.bc.BcRSAContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Reads a PKCS#10 certificate signing request from outside and keeps only its public key: the CA
 * decides every other field itself. Anything that asks for more than a SPIFFE leaf is refused, so a
 * caller learns its request was wrong instead of silently getting something else.
 */
public final class Csrs {
  /** A CSR is a few hundred bytes; 16 KiB leaves room for RSA-4096 and stops memory abuse. */
  public static final int MAX_BYTES = 16 * 1024;

  private static final ASN1ObjectIdentifier P256 = new ASN1ObjectIdentifier("1.2.840.10045.3.1.7");
  private static final ASN1ObjectIdentifier P384 = new ASN1ObjectIdentifier("1.3.132.0.34");

  private Csrs() {}

  /**
   * Parses and checks a CSR (DER, or PEM text) for {@code expected}.
   *
   * @return the requested public key, proven held by the requester
   * @throws DeniedException MALFORMED_CSR, CSR_REJECTED or WEAK_KEY with a message naming the
   *     problem
   */
  public static SubjectPublicKeyInfo publicKeyFor(byte[] csrBytes, SpiffeId expected) {
    PKCS10CertificationRequest csr = parse(csrBytes);
    SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
    AsymmetricKeyParameter key = checkKey(spki);
    verifySignature(csr, key);
    checkExtensions(csr, expected);
    return spki;
  }

  static PKCS10CertificationRequest parse(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new DeniedException(Reason.MALFORMED_CSR, "the CSR is empty");
    }
    if (bytes.length > MAX_BYTES) {
      throw new DeniedException(
          Reason.MALFORMED_CSR, "the CSR is larger than " + MAX_BYTES + " bytes");
    }
    byte[] der = bytes;
    String head = new String(bytes, 0, Math.min(bytes.length, 40), StandardCharsets.US_ASCII);
    if (head.contains("-----BEGIN")) {
      der = fromPem(new String(bytes, StandardCharsets.US_ASCII));
    }
    try {
      // parse strictly: fromByteArray rejects trailing garbage, which the constructor would ignore
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      return new PKCS10CertificationRequest(p.getEncoded());
    } catch (IOException | RuntimeException e) {
      throw new DeniedException(
          Reason.MALFORMED_CSR,
          "the CSR is not a DER PKCS#10 request: " + e.getClass().getSimpleName());
    }
  }

  private static byte[] fromPem(String text) {
    int b = text.indexOf("-----BEGIN CERTIFICATE REQUEST-----");
    int e = text.indexOf("-----END CERTIFICATE REQUEST-----");
    if (b < 0 || e < b) {
      throw new DeniedException(
          Reason.MALFORMED_CSR,
          "PEM input must be one '-----BEGIN CERTIFICATE REQUEST-----' block");
    }
    String body =
        text.substring(b + "-----BEGIN CERTIFICATE REQUEST-----".length(), e).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException ex) {
      throw new DeniedException(Reason.MALFORMED_CSR, "the PEM block is not valid base64");
    }
  }

  /** EC P-256/P-384 or RSA 2048–8192: what every SPIFFE library verifies. */
  static AsymmetricKeyParameter checkKey(SubjectPublicKeyInfo spki) {
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    AsymmetricKeyParameter key;
    try {
      key = PublicKeyFactory.createKey(spki);
    } catch (IOException | RuntimeException e) {
      throw new DeniedException(
          Reason.MALFORMED_CSR,
          "the CSR's public key cannot be read: " + e.getClass().getSimpleName());
    }
    if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      Object params = spki.getAlgorithm().getParameters();
      if (!(params instanceof ASN1ObjectIdentifier curve)
          || !(curve.equals(P256) || curve.equals(P384))
          || !(key instanceof ECPublicKeyParameters)) {
        throw new DeniedException(
            Reason.WEAK_KEY, "EC keys must be on a named curve P-256 or P-384");
      }
      return key;
    }
    if (alg.equals(PKCSObjectIdentifiers.rsaEncryption) && key instanceof RSAKeyParameters rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048) {
        throw new DeniedException(
            Reason.WEAK_KEY, "RSA keys must be at least 2048 bits, this one has " + bits);
      }
      if (bits > 8192) {
        throw new DeniedException(
            Reason.WEAK_KEY, "RSA keys must be at most 8192 bits, this one has " + bits);
      }
      if (rsa.getExponent().compareTo(BigInteger.valueOf(65537)) < 0) {
        throw new DeniedException(Reason.WEAK_KEY, "RSA public exponent must be at least 65537");
      }
      return key;
    }
    throw new DeniedException(
        Reason.WEAK_KEY,
        "key algorithm "
            + alg.getId()
            + " is not accepted; use EC P-256 (recommended), P-384 or RSA >= 2048 bits");
  }

  private static void verifySignature(PKCS10CertificationRequest csr, AsymmetricKeyParameter key) {
    boolean ok;
    try {
      ContentVerifierProvider vp =
          key instanceof ECPublicKeyParameters
              ? new BcECContentVerifierProviderBuilder(new DefaultDigestAlgorithmIdentifierFinder())
                  .build(key)
              : new BcRSAContentVerifierProviderBuilder(
                      new DefaultDigestAlgorithmIdentifierFinder())
                  .build(key);
      ok = csr.isSignatureValid(vp);
    } catch (Exception e) {
      throw new DeniedException(
          Reason.MALFORMED_CSR,
          "the CSR's signature cannot be checked: " + e.getClass().getSimpleName());
    }
    if (!ok) {
      throw new DeniedException(
          Reason.CSR_REJECTED,
          "the CSR's signature does not verify with its own public key (no proof of possession)");
    }
  }

  private static void checkExtensions(PKCS10CertificationRequest csr, SpiffeId expected) {
    Extensions ext;
    try {
      ext = csr.getRequestedExtensions();
    } catch (RuntimeException e) {
      throw new DeniedException(Reason.MALFORMED_CSR, "the CSR's extension request cannot be read");
    }
    if (ext == null) {
      return;
    }
    try {
      BasicConstraints bc = BasicConstraints.fromExtensions(ext);
      if (bc != null && bc.isCA()) {
        throw new DeniedException(
            Reason.CSR_REJECTED, "the CSR asks for a CA certificate; SVIDs are leaves");
      }
      KeyUsage ku = KeyUsage.fromExtensions(ext);
      if (ku != null && (ku.hasUsages(KeyUsage.keyCertSign) || ku.hasUsages(KeyUsage.cRLSign))) {
        throw new DeniedException(
            Reason.CSR_REJECTED, "the CSR asks for keyCertSign or cRLSign; SVIDs are leaves");
      }
      GeneralNames sans = GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
      if (sans != null) {
        GeneralName[] names = sans.getNames();
        for (GeneralName n : names) {
          if (n.getTagNo() != GeneralName.uniformResourceIdentifier) {
            throw new DeniedException(
                Reason.CSR_REJECTED,
                "the CSR asks for a non-URI subject alternative name; an X.509-SVID carries only its SPIFFE ID");
          }
        }
        if (names.length != 1) {
          throw new DeniedException(
              Reason.CSR_REJECTED,
              "the CSR asks for "
                  + names.length
                  + " URI names; an X.509-SVID has exactly one, its SPIFFE ID");
        }
        String uri = names[0].getName().toString();
        if (!uri.equals(expected.toString())) {
          throw new DeniedException(
              Reason.CSR_REJECTED,
              "the CSR asks for '" + uri + "' but the request is for '" + expected + "'");
        }
      }
    } catch (DeniedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DeniedException(
          Reason.MALFORMED_CSR,
          "the CSR's extension request is malformed: " + e.getClass().getSimpleName());
    }
  }
}
