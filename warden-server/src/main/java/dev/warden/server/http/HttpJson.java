package dev.warden.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The one JSON mapper of the server. */
public final class HttpJson {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private HttpJson() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * @throws BadRequestException when the bytes are not one JSON value
   */
  public static JsonNode parse(byte[] body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw new BadRequestException("the request body must be JSON");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's message quotes the offending token, which can be a secret: say where, not what
      var at = e.getLocation();
      throw new BadRequestException(
          "the request body is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (IOException e) {
      throw new BadRequestException("the request body is not valid JSON");
    }
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
