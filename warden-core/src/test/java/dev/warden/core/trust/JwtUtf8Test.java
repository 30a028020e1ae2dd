package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.testkit.FixedClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decision 301 promises strict UTF-8 for the header and the payload of every JWT. Each token here
 * is correctly signed by the provider's key; the only fault is the encoding of one string, in the
 * header or in the payload. Raw malformed byte sequences were already refused; escaped lone
 * surrogates ({@code "\\ud800"}) were accepted in both parts and are the regression.
 */
class JwtUtf8Test {
  static final String ISSUER = "https://k8s.utf8.example";
  static final Ed25519PrivateKeyParameters KEY =
      new Ed25519PrivateKeyParameters(new SecureRandom());
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static final String JWKS =
      "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"utf8-1\",\"use\":\"sig\","
          + "\"alg\":\"EdDSA\",\"x\":\""
          + B64.encodeToString(KEY.generatePublicKey().getEncoded())
          + "\"}]}";

  /** The payload below was issued at DEFAULT_INSTANT for one hour. */
  static final FixedClock CLOCK = FixedClock.at(FixedClock.DEFAULT_INSTANT.plusSeconds(30));

  static final TrustProviders PROVIDERS =
      TrustProviders.build(
          List.of(
              new TrustProviderSpec(
                  "cluster",
                  ProviderType.KUBERNETES,
                  ISSUER,
                  null,
                  JWKS,
                  List.of("warden"),
                  List.of("EdDSA"),
                  Duration.ofHours(2),
                  null,
                  Map.of(),
                  List.of())),
          uri -> {
            throw new IOException("offline");
          },
          CLOCK);

  static final String HEADER = "{\"alg\":\"EdDSA\",\"kid\":\"utf8-1\",\"note\":\"%s\"}";
  static final String PAYLOAD =
      "{\"iss\":\""
          + ISSUER
          + "\",\"sub\":\"system:serviceaccount:a:b\",\"aud\":\"warden\","
          + "\"iat\":1735689600,\"exp\":1735693200,\"kubernetes.io\":{\"namespace\":\"a\",\"serviceaccount\":"
          + "{\"name\":\"b\"}},\"note\":\"%s\"}";

  /** A signed token whose header or payload holds {@code bytes} inside the "note" string. */
  static String token(boolean inHeader, byte[] bytes) {
    byte[] header =
        fill(String.format(HEADER, inHeader ? "\u0000" : "ok"), inHeader ? bytes : null);
    byte[] payload =
        fill(String.format(PAYLOAD, inHeader ? "ok" : "\u0000"), inHeader ? null : bytes);
    String input = B64.encodeToString(header) + "." + B64.encodeToString(payload);
    byte[] in = input.getBytes(StandardCharsets.US_ASCII);
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, KEY);
    s.update(in, 0, in.length);
    return input + "." + B64.encodeToString(s.generateSignature());
  }

  /** The template's UTF-8 bytes with the NUL placeholder replaced by {@code bytes}. */
  private static byte[] fill(String template, byte[] bytes) {
    byte[] t = template.getBytes(StandardCharsets.UTF_8);
    if (bytes == null) {
      return t;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : t) {
      if (b == 0) {
        out.writeBytes(bytes);
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h);
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> malformed() {
    Stream<Arguments> cases =
        Stream.of(
            Arguments.of("overlong '/' (C0 AF)", hex("c0af")),
            Arguments.of("overlong NUL, modified UTF-8 (C0 80)", hex("c080")),
            Arguments.of("overlong three-byte '/' (E0 80 AF)", hex("e080af")),
            Arguments.of("overlong four-byte (F0 80 80 AF)", hex("f08080af")),
            Arguments.of("encoded high surrogate, CESU-8 (ED A0 80)", hex("eda080")),
            Arguments.of("encoded low surrogate (ED B0 80)", hex("edb080")),
            Arguments.of("surrogate pair encoded as two (ED A0 BD ED B8 80)", hex("eda0bdedb880")),
            Arguments.of("truncated two-byte sequence (C3)", hex("c3")),
            Arguments.of("truncated three-byte sequence (E2 82)", hex("e282")),
            Arguments.of("truncated four-byte sequence (F0 9F 98)", hex("f09f98")),
            Arguments.of("lone continuation byte (80)", hex("80")),
            Arguments.of("0xFF", hex("ff")),
            Arguments.of("0xFE", hex("fe")),
            Arguments.of("above U+10FFFF (F4 90 80 80)", hex("f4908080")),
            Arguments.of("five-byte form (F8 88 80 80 80)", hex("f888808080")),
            Arguments.of("escaped lone high surrogate", text("\\ud800")),
            Arguments.of("escaped lone low surrogate", text("\\udc00")),
            Arguments.of("escaped pair in the wrong order", text("\\udc00\\ud800")),
            Arguments.of("escaped high surrogate before a letter", text("\\ud83dx")),
            Arguments.of("escaped high surrogate at the end of a string", text("x\\ud83d")));
    return cases.flatMap(
        a ->
            Stream.of(
                Arguments.of("header", a.get()[0], a.get()[1]),
                Arguments.of("payload", a.get()[0], a.get()[1])));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("malformed")
  void malformedUnicodeInASignedTokenIsAMalformedToken(String part, String name, byte[] bytes) {
    String token = token(part.equals("header"), bytes);
    assertThatThrownBy(() -> PROVIDERS.verify(token))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.MALFORMED_TOKEN);
              assertThat(e.getMessage()).contains("the token " + part).contains("UTF-8");
            });
    assertThatThrownBy(() -> UnverifiedJws.parse(token)).isInstanceOf(DeniedException.class);
  }

  static Stream<Arguments> wellFormed() {
    return Stream.of(
        Arguments.of("ASCII", text("plain")),
        Arguments.of("two-byte 'é' (C3 A9)", hex("c3a9")),
        Arguments.of("three-byte snowman (E2 98 83)", hex("e29883")),
        Arguments.of("four-byte emoji (F0 9F 98 80)", hex("f09f9880")),
        Arguments.of("escaped surrogate pair", text("\\ud83d\\ude00")),
        Arguments.of("escaped non-surrogate", text("\\u00e9")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormed")
  void wellFormedUnicodeInBothPartsVerifies(String name, byte[] bytes) {
    assertThat(PROVIDERS.verify(token(false, bytes)).subject())
        .isEqualTo("system:serviceaccount:a:b");
    assertThat(PROVIDERS.verify(token(true, bytes)).subject())
        .isEqualTo("system:serviceaccount:a:b");
  }
}
