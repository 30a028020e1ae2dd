package dev.warden.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Known-answer vectors for the credential fingerprint (HMAC-SHA256 of the credential's UTF-8 bytes,
 * lowercase hex) that the server and the scanner must both compute: one file, read by both modules'
 * tests, so the two implementations cannot drift apart unnoticed.
 */
public final class FingerprintVectors {
  private FingerprintVectors() {}

  /** One vector: the key, the credential as text, and its expected fingerprint. */
  public record Vector(byte[] key, String credential, String fingerprint) {
    @Override
    public String toString() {
      return "key " + key.length + " bytes, credential of " + credential.length() + " chars";
    }
  }

  /**
   * Every vector; those whose key is exactly {@code keyLength} bytes when {@code keyLength} > 0.
   */
  public static List<Vector> load(int keyLength) {
    try (InputStream in =
        FingerprintVectors.class.getResourceAsStream("hmac-fingerprint-vectors.tsv")) {
      if (in == null) {
        throw new IllegalStateException(
            "hmac-fingerprint-vectors.tsv is missing from warden-testkit");
      }
      List<Vector> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        byte[] key = HexFormat.of().parseHex(f[0]);
        if (keyLength > 0 && key.length != keyLength) {
          continue;
        }
        out.add(
            new Vector(
                key, new String(HexFormat.of().parseHex(f[1]), StandardCharsets.UTF_8), f[2]));
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
