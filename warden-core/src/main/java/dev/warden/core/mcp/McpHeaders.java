package dev.warden.core.mcp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The standard headers of MCP's streamable HTTP transport that mirror the body (SEP-2243, protocol
 * revision 2026-07-28): {@code Mcp-Method} (the JSON-RPC method) and {@code Mcp-Name} (the tool,
 * prompt or resource URI). Intermediaries may route on them, so they must say what the body says: a
 * gateway that decided on a header while the upstream acted on the body would be bypassed by a
 * client that sends {@code Mcp-Name: search} with a body calling {@code delete_all}.
 *
 * <p>Clients of revision 2026-07-28 and later must send them; earlier clients may not, and then the
 * body alone decides. Whenever one is sent, it must agree with the body. A value that is not
 * printable ASCII travels as {@code =?base64?<base64 of the UTF-8>?=}.
 *
 * @param protocolVersion the {@code MCP-Protocol-Version} header, or null
 * @param method the {@code Mcp-Method} header, or null
 * @param name the {@code Mcp-Name} header, or null
 */
public record McpHeaders(String protocolVersion, String method, String name) {
  /** The first revision whose clients must send {@code Mcp-Method} and {@code Mcp-Name}. */
  public static final String HEADERS_REQUIRED_FROM = "2026-07-28";

  /**
   * Checks the headers against a parsed message.
   *
   * @throws McpRefusal {@link McpMessage#HEADER_MISMATCH} (HTTP 400) when a header disagrees with
   *     the body, is malformed, or is missing for a client that must send it
   */
  public void check(McpMessage m) {
    boolean required =
        protocolVersion != null
            && protocolVersion.matches("\\d{4}-\\d{2}-\\d{2}")
            && protocolVersion.compareTo(HEADERS_REQUIRED_FROM) >= 0;
    if (m.kind() == McpMessage.Kind.RESPONSE) {
      if (method != null || name != null) {
        throw McpRefusal.headerMismatch(
            null, "a response carries no Mcp-Method or Mcp-Name header");
      }
      return;
    }
    if (method == null) {
      if (required) {
        throw McpRefusal.headerMismatch(
            m.id(),
            "Mcp-Method is required from protocol revision "
                + HEADERS_REQUIRED_FROM
                + " on; send Mcp-Method: "
                + m.method());
      }
    } else if (!method.equals(m.method())) {
      throw McpRefusal.headerMismatch(
          m.id(),
          "Mcp-Method says "
              + ToolNames.printable(method)
              + " but the body's"
              + " method is "
              + m.method());
    }
    boolean mirrored =
        m.isToolCall() || "prompts/get".equals(m.method()) || "resources/read".equals(m.method());
    if (name == null) {
      if (required && mirrored) {
        throw McpRefusal.headerMismatch(
            m.id(),
            "Mcp-Name is required for "
                + m.method()
                + " from protocol revision "
                + HEADERS_REQUIRED_FROM
                + " on");
      }
      return;
    }
    if (m.name() == null) {
      throw McpRefusal.headerMismatch(
          m.id(), "Mcp-Name was sent for " + m.method() + ", which names nothing");
    }
    String decoded = decode(name);
    if (decoded == null) {
      throw McpRefusal.headerMismatch(
          m.id(), "Mcp-Name is neither printable ASCII nor =?base64?…?= of UTF-8");
    }
    if (!decoded.equals(m.name())) {
      throw McpRefusal.headerMismatch(
          m.id(),
          "Mcp-Name says "
              + ToolNames.printable(decoded)
              + " but the body names "
              + ToolNames.printable(m.name()));
    }
  }

  /**
   * The value of a mirrored header: itself when printable ASCII, the decoded text of {@code
   * =?base64?…?=}, else null.
   */
  static String decode(String value) {
    if (value.startsWith("=?base64?") && value.endsWith("?=") && value.length() >= 11) {
      try {
        byte[] bytes = Base64.getDecoder().decode(value.substring(9, value.length() - 2));
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (IllegalArgumentException | CharacterCodingException e) {
        return null;
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return null;
      }
    }
    return value;
  }
}
