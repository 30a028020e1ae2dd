package dev.warden.core.token;

import java.util.Base64;

/** Unpadded base64url, as JOSE requires. */
final class Base64Url {
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();

  private Base64Url() {}

  static String encode(byte[] b) {
    return ENC.encodeToString(b);
  }

  static byte[] encodeBytes(byte[] b) {
    return ENC.encode(b);
  }

  static byte[] decode(String s) {
    return DEC.decode(s);
  }
}
