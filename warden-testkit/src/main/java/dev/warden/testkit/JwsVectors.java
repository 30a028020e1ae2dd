package dev.warden.testkit;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Published JWS and ECDSA known answers, typed from the RFCs (base64url without padding, hex in
 * upper case as printed there), shared by the tests of Warden's signer and of both of its
 * verification paths (platform tokens and Warden's own).
 */
public final class JwsVectors {
  private JwsVectors() {}

  /** A signing key and one signature the RFC publishes for it. */
  public record Example(
      String source,
      String alg,
      String d,
      String x,
      @Nullable String y,
      String signingInput,
      String signature) {
    /** The ASCII bytes of {@code header.payload}, what a JWS signature covers. */
    public byte[] signingInputBytes() {
      return signingInput.getBytes(StandardCharsets.US_ASCII);
    }

    /** The public key as a JWK (no {@code d}). */
    public String publicJwk() {
      return y == null
          ? "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + x + "\"}"
          : "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
    }

    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * RFC 7515 appendix A.3: ES256. The signature is one of many valid ones (ECDSA is randomized in
   * the RFC), so it is a verification answer, not a signing one.
   */
  public static final Example RFC7515_A3 =
      new Example(
          "RFC 7515 A.3 (ES256)",
          "ES256",
          "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
          "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
          "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
          "eyJhbGciOiJFUzI1NiJ9"
              + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
          "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");

  /**
   * RFC 8037 appendices A.1 (the key), A.2 (its public half) and A.4 (the JWS of "Example of
   * Ed25519 signing"). Ed25519 is deterministic, so the signature is also a signing answer.
   */
  public static final Example RFC8037_A4 =
      new Example(
          "RFC 8037 A.4 (Ed25519)",
          "EdDSA",
          "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
          "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
          null,
          "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
          "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");

  /** RFC 8037 appendix A.3: the RFC 7638 thumbprint of the A.2 public key. */
  public static final String RFC8037_A3_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

  /** One deterministic ECDSA signature of RFC 6979 appendix A.2.5 (P-256, SHA-256). */
  public record Deterministic(String message, String r, String s) {
    @Override
    public String toString() {
      return "RFC 6979 A.2.5 P-256/SHA-256 \"" + message + "\"";
    }
  }

  /** RFC 6979 appendix A.2.5: the P-256 private key x and public point (Ux, Uy), hex. */
  public static final String RFC6979_P256_X =
      "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";

  public static final String RFC6979_P256_UX =
      "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
  public static final String RFC6979_P256_UY =
      "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

  /**
   * RFC 6979 appendix A.2.5, "With SHA-256": the signatures of "sample" and "test" under that key.
   */
  public static final java.util.List<Deterministic> RFC6979_P256_SHA256 =
      java.util.List.of(
          new Deterministic(
              "sample",
              "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
              "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"),
          new Deterministic(
              "test",
              "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
              "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"));
}
