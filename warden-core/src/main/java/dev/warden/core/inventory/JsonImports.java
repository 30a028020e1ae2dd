package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.util.Set;

/**
 * JSON reading the JSON-based importers share. Jackson's own messages never reach an error: they
 * quote the offending token ("Unrecognized token 'sk_live_…'"), which in an import may be a secret
 * value; only the place is reported.
 */
final class JsonImports {
  static final ObjectMapper JSON = new ObjectMapper();

  private JsonImports() {}

  /** What reads one streamed JSON input. */
  @FunctionalInterface
  interface Body {
    void read(JsonParser p) throws IOException;
  }

  /**
   * Streams {@code text} to {@code body}; malformed JSON becomes one error at its line.
   *
   * @throws ValidationException when the text cannot be read at all
   */
  static void stream(String text, ImportRows out, Body body) {
    try (JsonParser p = JSON.createParser(text)) {
      body.read(p);
    } catch (JsonProcessingException e) {
      out.error(e.getLocation() == null ? 0 : e.getLocation().getLineNr(), malformed(e));
    } catch (IOException e) {
      throw new ValidationException(
          "content", "cannot read the JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The whole text as a tree. @throws ValidationException saying where the JSON broke */
  static JsonNode tree(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ValidationException("content", malformed(e));
    }
  }

  /**
   * Moves {@code p} to the start of the list: the top-level array, or the value of the first of
   * {@code fields} in a top-level object. Returns the current token (START_ARRAY when found).
   */
  static JsonToken toArray(JsonParser p, Set<String> fields) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        t = p.nextToken();
        if (fields.contains(f)) {
          break;
        }
        p.skipChildren();
      }
    }
    return t;
  }

  /**
   * What takes one listed JSON value (an object, or whatever else stood in the list) and its line.
   */
  @FunctionalInterface
  interface Listed {
    void accept(JsonNode value, int line);
  }

  /**
   * Streams every listed value of {@code text} to {@code each}: the text may be one object, an
   * array of them, an object wrapping the array under one of {@code wrappers} (a REST API's {@code
   * {"keys": [...]}}), several of these one after another (a shell loop's output) or an array of
   * arrays ({@code jq -s}). Malformed JSON becomes one error at its line.
   *
   * @throws ValidationException when the text holds no JSON value at all
   */
  static void listed(String text, ImportRows out, Set<String> wrappers, String what, Listed each) {
    stream(
        text,
        out,
        p -> {
          JsonToken t;
          int roots = 0;
          while ((t = p.nextToken()) != null) {
            roots++;
            listed(p, t, wrappers, each, 0);
          }
          if (roots == 0) {
            throw new ValidationException("content", "the input is empty; send " + what);
          }
        });
  }

  private static void listed(
      JsonParser p, JsonToken t, Set<String> wrappers, Listed each, int depth) throws IOException {
    int line = p.currentTokenLocation().getLineNr();
    if (t == JsonToken.START_ARRAY && depth < 2) {
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new com.fasterxml.jackson.core.JsonParseException(p, "unclosed array");
        }
        listed(p, t, wrappers, each, depth + 1);
      }
      return;
    }
    JsonNode read = p.readValueAsTree();
    JsonNode v = read == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : read;
    if (v.isObject()) {
      for (String w : wrappers) {
        JsonNode list = v.get(w);
        if (list != null && list.isArray()) {
          list.forEach(x -> each.accept(x, line));
          return;
        }
      }
    }
    each.accept(v, line);
  }

  /** Where the JSON broke, without Jackson's own message. */
  static String malformed(JsonProcessingException e) {
    return e.getLocation() == null
        ? "malformed JSON"
        : "malformed JSON at line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr();
  }
}
