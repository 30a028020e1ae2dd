package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Project Wycheproof's signature vectors (C2SP/wycheproof, {@code testvectors_v1}, Apache 2.0; the
 * files and their licence are under {@code src/test/resources/wycheproof}) through {@link JwsKey},
 * the one component every JWS signature Warden accepts is checked by (decision 021): each public
 * key as its JWK, each message and signature as a JWS signing input and base64url signature. Every
 * vector marked {@code valid} verifies and every one marked {@code invalid} does not — malleated
 * encodings, r or s out of range or zero, wrong lengths, small-order Ed25519 points, RSA padding
 * defects. A key the JWK rules refuse (decision 301) may only be one whose vectors are all invalid.
 */
class WycheproofSignatureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  /** A vector file and the JWS algorithm its keys and signatures are for. */
  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of("ecdsa_secp256r1_sha256_p1363_test.json", "ES256", "publicKeyJwk"),
        Arguments.of("ecdsa_secp384r1_sha384_p1363_test.json", "ES384", "publicKeyJwk"),
        Arguments.of("ecdsa_secp521r1_sha512_p1363_test.json", "ES512", "publicKeyJwk"),
        Arguments.of("ed25519_test.json", "EdDSA", "publicKeyJwk"),
        Arguments.of("rsa_signature_2048_sha256_test.json", "RS256", "keyJwk"),
        Arguments.of("rsa_pss_2048_sha256_mgf1_32_test.json", "PS256", "publicKeyJwk"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("files")
  void everyValidSignatureVerifiesAndNoInvalidOneDoes(String file, String alg, String jwkField)
      throws IOException {
    JsonNode root = read(file);
    int checked = 0;
    int refusedKey = 0;
    List<String> wrong = new ArrayList<>();
    for (JsonNode group : root.get("testGroups")) {
      JwsKey key = keyOrNull(publicJwk(group, jwkField), alg);
      for (JsonNode t : group.get("tests")) {
        String result = t.get("result").asText();
        String id = "tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + ")";
        if (key == null) {
          refusedKey++;
          if (result.equals("valid")) {
            wrong.add(id + ": its key was refused");
          }
          continue;
        }
        boolean verified =
            key.verifies(
                alg,
                HexFormat.of().parseHex(t.get("msg").asText()),
                B64URL.encodeToString(HexFormat.of().parseHex(t.get("sig").asText())));
        checked++;
        if (result.equals("valid") && !verified) {
          wrong.add(id + ": valid, not verified");
        } else if (result.equals("invalid") && verified) {
          wrong.add(id + ": invalid, verified");
        }
        // "acceptable" (a legacy encoding either answer is right for): only that it did not throw
      }
    }
    assertThat(wrong).as(file).isEmpty();
    assertThat(checked + refusedKey)
        .as("every vector of %s was read", file)
        .isEqualTo(root.get("numberOfTests").asInt());
    assertThat(checked).as("vectors that reached the signature check").isGreaterThan(refusedKey);
  }

  /**
   * Wycheproof's JSON Web Signature vectors, as Warden reads a JWS: the protected header by the
   * strict parser, the algorithm against the key's own (the caller's allow-list narrowed to what
   * the key fits), the signature by {@link JwsKey}. Symmetric keys are never accepted (decision
   * 301), so every HMAC vector is refused at the key; every other vector marked invalid — modified
   * signatures, {@code alg} swapped to another family, {@code none}, keys for encryption — is
   * refused at one of these steps, and every one marked valid passes.
   */
  @Test
  void jsonWebSignatureVectorsAreAcceptedOrRefusedAsWycheproofSays() throws IOException {
    JsonNode root = read("json_web_signature_test.json");
    int checked = 0;
    int hmac = 0;
    List<String> wrong = new ArrayList<>();
    for (JsonNode group : root.get("testGroups")) {
      ObjectNode priv = (ObjectNode) group.get("private");
      boolean symmetric = priv.get("kty").asText().equals("oct");
      JwsKey key = symmetric ? null : keyOrNull(withoutPrivateMembers(priv), ASYMMETRIC);
      if (symmetric) {
        assertThat(keyOrNull(priv.toString(), Set.of("HS256", "HS384", "HS512")))
            .as("a symmetric key is refused, whatever it is offered for")
            .isNull();
      }
      for (JsonNode t : group.get("tests")) {
        String id = "tcId " + t.get("tcId").asInt() + " (" + t.get("comment").asText() + ")";
        boolean valid = t.get("result").asText().equals("valid");
        if (symmetric) {
          hmac++;
          continue; // refused at the key, above
        }
        boolean accepted = key != null && accepts(key, t.get("jws").asText());
        checked++;
        if (valid != accepted && !(valid && STRICTER.containsKey(t.get("tcId").asInt()))) {
          wrong.add(id + (valid ? ": valid, refused" : ": invalid, accepted"));
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(checked + hmac).isEqualTo(root.get("numberOfTests").asInt());
    assertThat(checked).as("asymmetric vectors checked").isGreaterThan(100);
  }

  /**
   * Vectors Wycheproof counts valid that Warden refuses on purpose, with the reason: the key, not
   * the signature. Each is still checked to be refused, not merely skipped.
   */
  private static final Map<Integer, String> STRICTER =
      Map.of(
          346,
          "the key's alg is PS256 and the JWS says PS384: a key is used with its own alg only"
              + " (RFC 7517 section 4.4, RFC 8725 section 3.1)",
          350,
          "as 346, the same key and JWS with key_ops",
          347,
          "the key's alg is ES521, which is no JWS algorithm (P-521's is ES512): the key fits none",
          351,
          "as 347, with key_ops",
          349,
          "key_ops is [\"sign, verify\"]: one string that is no RFC 7517 operation, so the key"
              + " does not say it verifies signatures");

  private static final Set<String> ASYMMETRIC =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  /**
   * The valid vectors Warden refuses are refused at the key for the reason given, and their
   * signatures are sound: the same key without its {@code alg} and with a well-formed {@code
   * key_ops} verifies them.
   */
  @Test
  void theVectorsWardenIsStricterOnAreRefusedAtTheKeyNotForTheirSignatures() throws IOException {
    JsonNode root = read("json_web_signature_test.json");
    int seen = 0;
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode t : group.get("tests")) {
        String why = STRICTER.get(t.get("tcId").asInt());
        if (why == null) {
          continue;
        }
        seen++;
        String compact = t.get("jws").asText();
        ObjectNode priv = (ObjectNode) group.get("private");
        JwsKey asGiven = keyOrNull(withoutPrivateMembers(priv), ASYMMETRIC);
        assertThat(asGiven == null || !accepts(asGiven, compact)).as(why).isTrue();
        ObjectNode plain = priv.deepCopy();
        plain.remove("alg");
        plain.remove("key_ops");
        JwsKey relaxed = keyOrNull(withoutPrivateMembers(plain), ASYMMETRIC);
        assertThat(relaxed).isNotNull();
        assertThat(accepts(relaxed, compact)).as("tcId %s's signature", t.get("tcId")).isTrue();
      }
    }
    assertThat(seen).isEqualTo(STRICTER.size());
  }

  /** The group's public key as a JWK: given, or built from the curve point's coordinates. */
  private static String publicJwk(JsonNode group, String field) {
    JsonNode jwk = group.get(field);
    if (jwk != null) {
      return jwk.toString();
    }
    JsonNode pub = group.get("publicKey");
    String crv =
        switch (pub.get("curve").asText()) {
          case "secp256r1" -> "P-256";
          case "secp384r1" -> "P-384";
          case "secp521r1" -> "P-521";
          default -> throw new AssertionError("curve " + pub.get("curve"));
        };
    int size = (pub.get("keySize").asInt() + 7) / 8;
    ObjectNode out = JSON.createObjectNode();
    out.put("kty", "EC");
    out.put("crv", crv);
    out.put("x", B64URL.encodeToString(fixed(pub.get("wx").asText(), size)));
    out.put("y", B64URL.encodeToString(fixed(pub.get("wy").asText(), size)));
    return out.toString();
  }

  /** A big-endian unsigned integer in hex as exactly {@code size} bytes. */
  private static byte[] fixed(String hex, int size) {
    byte[] b = new java.math.BigInteger(hex, 16).toByteArray();
    byte[] out = new byte[size];
    int n = Math.min(b.length, size);
    System.arraycopy(b, b.length - n, out, size - n, n);
    return out;
  }

  private static String withoutPrivateMembers(ObjectNode priv) {
    ObjectNode pub = priv.deepCopy();
    pub.remove(List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k"));
    return pub.toString();
  }

  private static boolean accepts(JwsKey key, String compact) {
    Map<String, Object> header;
    try {
      header = UnverifiedJws.headerOf(compact);
    } catch (RuntimeException e) {
      return false;
    }
    if (!(header.get("alg") instanceof String alg) || !key.algorithms().contains(alg)) {
      return false;
    }
    int last = compact.lastIndexOf('.');
    int first = compact.indexOf('.');
    if (first < 0 || last == first || compact.indexOf('.', first + 1) != last) {
      return false;
    }
    return key.verifies(
        alg,
        compact.substring(0, last).getBytes(StandardCharsets.US_ASCII),
        compact.substring(last + 1));
  }

  private static JwsKey keyOrNull(String jwk, String alg) {
    return keyOrNull(jwk, Set.of(alg));
  }

  private static JwsKey keyOrNull(String jwk, Set<String> allowed) {
    try {
      return JwsKey.parse(jwk, allowed);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static JsonNode read(String file) throws IOException {
    try (InputStream in =
        WycheproofSignatureTest.class.getResourceAsStream("/wycheproof/" + file)) {
      assertThat(in).as("vector file %s", file).isNotNull();
      return JSON.readTree(in);
    }
  }
}
