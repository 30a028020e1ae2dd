package dev.warden.core.trust;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON for token headers and payloads: UTF-8 only (malformed bytes refused: overlong forms,
 * encoded surrogates, truncated sequences, bytes that start nothing), and no string, member name
 * included, that is not valid Unicode once its escapes are read (an escaped surrogate with no
 * partner: RFC 8259 section 8.2 leaves its meaning to the parser, and RFC 7493 forbids it), one
 * object and nothing after it, no duplicate member names (a classic source of parser
 * differentials), nesting at most {@value #MAX_DEPTH} deep and numbers at most 64 digits long. The
 * result is immutable: maps and lists cannot be changed, numbers are {@link Long}, {@link
 * java.math.BigInteger} or {@link Double}; JSON null is kept as {@code null}.
 */
final class StrictJson {
  static final int MAX_DEPTH = 32;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  .maxNumberLength(64)
                  .maxStringLength(64 * 1024)
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private StrictJson() {}

  /** Why a text is not acceptable JSON; the message quotes no input beyond a character. */
  static final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String message) {
      super(message, null, false, false);
    }
  }

  /** Decodes strict UTF-8 and parses one JSON object. */
  static Map<String, Object> parseObject(byte[] utf8) throws MalformedJsonException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedJsonException("is not valid UTF-8");
    }
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedJsonException("is not a JSON object");
      }
      Map<String, Object> m = readObject(p);
      if (p.nextToken() != null) {
        throw new MalformedJsonException("has content after the JSON object");
      }
      return m;
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException("is not valid JSON (" + Msg.q(e.getOriginalMessage()) + ")");
    } catch (LoneSurrogate e) {
      throw new MalformedJsonException("is not valid UTF-8 (a string escapes a lone surrogate)");
    } catch (IOException | RuntimeException e) {
      throw new MalformedJsonException("cannot be read as JSON");
    }
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = wellFormed(p.currentName());
      p.nextToken();
      m.put(name, readValue(p));
    }
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("unexpected end of object");
    }
    return Collections.unmodifiableMap(m);
  }

  /** A JSON string escaped half of a surrogate pair; the text has no Unicode meaning. */
  private static final class LoneSurrogate extends IOException {
    private static final long serialVersionUID = 1L;

    LoneSurrogate() {
      super(null, null);
    }
  }

  /** {@code s}, if every surrogate in it is half of a pair in the right order. */
  private static String wellFormed(String s) throws LoneSurrogate {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new LoneSurrogate();
      }
    }
    return s;
  }

  private static Object readValue(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("unexpected end of input");
    }
    return switch (t) {
      case START_OBJECT -> readObject(p);
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(readValue(p));
        }
        yield Collections.unmodifiableList(l);
      }
      case VALUE_STRING -> wellFormed(p.getText());
      case VALUE_NUMBER_INT ->
          p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? p.getBigIntegerValue()
              : Long.valueOf(p.getLongValue());
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected token " + t);
    };
  }
}
