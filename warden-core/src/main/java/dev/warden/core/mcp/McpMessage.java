package dev.warden.core.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;

/**
 * One JSON-RPC 2.0 message a client posts to an MCP server (streamable HTTP transport): a request,
 * a notification, or a response to a request the server sent. Parsed strictly, because the gateway
 * decides on what it reads here and the upstream then acts on the same bytes: a duplicate key,
 * trailing data or a batch could make the two read different things, so each is refused.
 *
 * <p>Batches (a JSON array) are refused: MCP removed them in revision 2025-06-18, and a gateway
 * that decides per tool must not let one call ride along with another.
 *
 * @param id the request's {@code id} as sent (a string or an integer), null for a notification
 * @param method the method, null for a response
 * @param name what a named method acts on: {@code params.name} of {@code tools/call} and {@code
 *     prompts/get}, {@code params.uri} of {@code resources/read}, {@code resources/subscribe} and
 *     {@code resources/unsubscribe}; null for others
 * @param arguments {@code params.arguments} of {@code tools/call} and {@code prompts/get} as plain
 *     Java values (maps, lists, strings, numbers, booleans), empty when absent
 * @param argumentsJson the same arguments as compact JSON, or null when absent
 */
public record McpMessage(
    Kind kind,
    JsonNode id,
    String method,
    String name,
    Map<String, Object> arguments,
    String argumentsJson) {

  /** Largest body the gateway reads: tool arguments can carry documents, but not unbounded ones. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  static final int MAX_METHOD_LENGTH = 128;
  static final int MAX_NAME_LENGTH = 2048;

  /** The three shapes a client's message has. */
  public enum Kind {
    REQUEST,
    NOTIFICATION,
    RESPONSE
  }

  /** JSON-RPC 2.0 error codes the gateway answers with. */
  public static final int PARSE_ERROR = -32700;

  public static final int INVALID_REQUEST = -32600;
  public static final int INVALID_PARAMS = -32602;

  /** MCP (SEP-2243): a standard header is missing, malformed or disagrees with the body. */
  public static final int HEADER_MISMATCH = -32020;

  /** Warden's own, in the implementation-defined server range: the policy refused the call. */
  public static final int FORBIDDEN = -32003;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(64)
                          .maxStringLength(MAX_BYTES)
                          .maxNumberLength(64)
                          .build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * True for a request, which the upstream answers; notifications and responses get 202 and no
   * body.
   */
  public boolean expectsAnswer() {
    return kind == Kind.REQUEST;
  }

  /** True for {@code tools/call}, the one method decided per tool and always audited. */
  public boolean isToolCall() {
    return "tools/call".equals(method);
  }

  /**
   * True for a method that acts on something named (a tool, a prompt, a resource): decided and
   * audited on that name.
   */
  public boolean isNamed() {
    return name != null;
  }

  /**
   * Parses one message.
   *
   * @throws McpRefusal {@link #PARSE_ERROR} for bytes that are not one strict JSON value (invalid
   *     UTF-8, duplicate keys, trailing data, too deep), {@link #INVALID_REQUEST} for a batch or a
   *     value that is not a JSON-RPC 2.0 message, {@link #INVALID_PARAMS} for a named method
   *     without its name, and ({@link dev.warden.core.error.Reason#INVALID_TOOL_NAME}) for a tool
   *     name outside the MCP rules; the refusal carries the request's id when it could be read
   */
  public static McpMessage parse(byte[] body) {
    if (body.length > MAX_BYTES) {
      throw McpRefusal.malformed(
          INVALID_REQUEST, null, "the message is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw McpRefusal.malformed(
          PARSE_ERROR,
          null,
          "the body is not one well-formed JSON value (strict UTF-8, no"
              + " duplicate keys, nothing after it)");
    }
    if (root == null || root.isMissingNode()) {
      throw McpRefusal.malformed(
          PARSE_ERROR, null, "the body is empty; send one JSON-RPC 2.0 message");
    }
    if (root.isArray()) {
      throw McpRefusal.malformed(
          INVALID_REQUEST,
          null,
          "JSON-RPC batches are not accepted (MCP removed them in"
              + " 2025-06-18); send one message per POST");
    }
    if (!root.isObject()) {
      throw McpRefusal.malformed(INVALID_REQUEST, null, "a JSON-RPC message is an object");
    }
    JsonNode id = root.get("id");
    JsonNode validId =
        id != null && (id.isTextual() && id.asText().length() <= 256 || id.isIntegralNumber())
            ? id
            : null;
    if (!"2.0".equals(text(root, "jsonrpc"))) {
      throw McpRefusal.malformed(INVALID_REQUEST, validId, "jsonrpc must be \"2.0\"");
    }
    if (id != null && validId == null) {
      throw McpRefusal.malformed(
          INVALID_REQUEST,
          null,
          "id must be a string (at most 256 characters) or an" + " integer, never null (MCP)");
    }
    JsonNode m = root.get("method");
    if (m == null) {
      if (id == null || root.has("result") == root.has("error")) {
        throw McpRefusal.malformed(
            INVALID_REQUEST,
            validId,
            "a message without method is a response: an id and" + " either result or error");
      }
      return new McpMessage(Kind.RESPONSE, id, null, null, Map.of(), null);
    }
    if (!m.isTextual() || !isMethod(m.asText())) {
      throw McpRefusal.malformed(
          INVALID_REQUEST,
          validId,
          "method must be a string of at most "
              + MAX_METHOD_LENGTH
              + " printable ASCII characters");
    }
    String method = m.asText();
    if (root.has("result") || root.has("error")) {
      throw McpRefusal.malformed(INVALID_REQUEST, validId, "a request has no result or error");
    }
    JsonNode params = root.get("params");
    if (params != null && !params.isObject()) {
      throw McpRefusal.malformed(INVALID_PARAMS, validId, "params must be an object (MCP)");
    }
    Kind kind = id == null ? Kind.NOTIFICATION : Kind.REQUEST;
    String nameField =
        switch (method) {
          case "tools/call", "prompts/get" -> "name";
          case "resources/read", "resources/subscribe", "resources/unsubscribe" -> "uri";
          default -> null;
        };
    if (nameField == null) {
      return new McpMessage(kind, id, method, null, Map.of(), null);
    }
    JsonNode n = params == null ? null : params.get(nameField);
    if (n == null || !n.isTextual()) {
      throw McpRefusal.malformed(
          INVALID_PARAMS, validId, method + " needs params." + nameField + " as a string");
    }
    String name = n.asText();
    if (method.equals("tools/call")) {
      String problem = ToolNames.problem(name);
      if (problem != null) {
        throw McpRefusal.badToolName(validId, name, problem);
      }
    } else if (name.isEmpty()
        || name.length() > MAX_NAME_LENGTH
        || name.chars().anyMatch(Character::isISOControl)) {
      throw McpRefusal.malformed(
          INVALID_PARAMS,
          validId,
          "params."
              + nameField
              + " must be 1 to "
              + MAX_NAME_LENGTH
              + " characters without control characters");
    }
    JsonNode args = params.get("arguments");
    Map<String, Object> arguments = Map.of();
    String argumentsJson = null;
    if (args != null && !args.isNull() && nameField.equals("name")) {
      if (!args.isObject()) {
        throw McpRefusal.malformed(INVALID_PARAMS, validId, "params.arguments must be an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> a = JSON.convertValue(args, Map.class);
      arguments = a;
      argumentsJson = args.toString();
    }
    return new McpMessage(kind, id, method, name, arguments, argumentsJson);
  }

  private static boolean isMethod(String s) {
    if (s.isEmpty() || s.length() > MAX_METHOD_LENGTH) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
