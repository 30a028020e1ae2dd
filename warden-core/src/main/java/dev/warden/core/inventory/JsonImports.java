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
      throw new ValidationException("content", "cannot read the JSON (" + e.getClass().getSimpleName() + ")");
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

  /** Where the JSON broke, without Jackson's own message. */
  static String malformed(JsonProcessingException e) {
    return e.getLocation() == null ? "malformed JSON"
        : "malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
