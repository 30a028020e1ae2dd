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
      String crv = alg.equals("ES512") ? "P-521" : "P-256";
      return y == null
          ? "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + x + "\"}"
          : "{\"kty\":\"EC\",\"crv\":\"" + crv + "\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
    }

    /** The compact serialization: signing input, '.', signature. */
    public String compact() {
      return signingInput + "." + signature;
    }

    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * The JWS Payload of RFC 7515 appendices A.1 to A.3, base64url: the JWT claims {@code
   * {"iss":"joe",CRLF "exp":1300819380,CRLF "http://example.com/is_root":true}}.
   */
  public static final String RFC7515_JWT_PAYLOAD =
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

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
          "eyJhbGciOiJFUzI1NiJ9." + RFC7515_JWT_PAYLOAD,
          "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");

  /**
   * RFC 7515 appendix A.1: HS256 under a 64-byte symmetric key ({@code k}). Warden verifies no HMAC
   * JWS (a JWKS is public, decision 301), so this is a vector of the parser and of a refusal.
   */
  public static final String RFC7515_A1_KEY =
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

  /** RFC 7515 appendix A.1: the JWS, header {@code {"typ":"JWT",CRLF "alg":"HS256"}}. */
  public static final String RFC7515_A1_JWS =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
          + RFC7515_JWT_PAYLOAD
          + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

  /**
   * An RSA key and the PKCS #1 v1.5 signature the RFC publishes for it; the primes are given so the
   * private key can be rebuilt (the CRT exponents follow from them).
   */
  public record RsaExample(
      String source,
      String alg,
      String n,
      String e,
      String d,
      String p,
      String q,
      String signingInput,
      String signature) {
    /** The ASCII bytes of {@code header.payload}. */
    public byte[] signingInputBytes() {
      return signingInput.getBytes(StandardCharsets.US_ASCII);
    }

    /** The public key as a JWK. */
    public String publicJwk() {
      return "{\"kty\":\"RSA\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"}";
    }

    /** The compact serialization. */
    public String compact() {
      return signingInput + "." + signature;
    }

    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * RFC 7515 appendix A.2: RS256 under a 2048-bit key. RSASSA-PKCS1-v1_5 is deterministic, so the
   * signature is a signing answer too.
   */
  public static final RsaExample RFC7515_A2 =
      new RsaExample(
          "RFC 7515 A.2 (RS256)",
          "RS256",
          "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
          "AQAB",
          "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
          "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
          "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
          "eyJhbGciOiJSUzI1NiJ9." + RFC7515_JWT_PAYLOAD,
          "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw");

  /**
   * RFC 7515 appendix A.4: ES512 (P-521) over the payload "Payload". A verification answer (ECDSA
   * is randomized in the RFC); its halves are 66 bytes, the signature 132.
   */
  public static final Example RFC7515_A4 =
      new Example(
          "RFC 7515 A.4 (ES512)",
          "ES512",
          "AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53vM9mE15j2C",
          "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
          "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2",
          "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA",
          "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn");

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
