package dev.warden.core.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.Reason;
import dev.warden.core.error.WardenException;

/**
 * A message the MCP gateway answers itself, with a JSON-RPC error and never forwards: malformed, a
 * bad tool name, headers that disagree with the body, or a call the policy refuses. The message is
 * safe to show the agent: it names the rule, never a credential.
 */
public final class McpRefusal extends WardenException {
  private static final long serialVersionUID = 1L;

  /** The JSON-RPC error code. */
  private final int code;

  /**
   * The HTTP status of the answer: 400 for a message the transport rejects, 200 for an answered
   * request.
   */
  private final int status;

  private final Reason reason;
  private final transient JsonNode id;

  /** For a bad tool name: the name as it may be logged ({@link ToolNames#printable}). */
  private final String tool;

  McpRefusal(int code, int status, Reason reason, JsonNode id, String message, String tool) {
    super(message);
    this.code = code;
    this.status = status;
    this.reason = reason;
    this.id = id;
    this.tool = tool;
  }

  static McpRefusal malformed(int code, JsonNode id, String message) {
    return new McpRefusal(code, 400, Reason.MALFORMED_MESSAGE, id, message, null);
  }

  static McpRefusal badToolName(JsonNode id, String name, String problem) {
    return new McpRefusal(
        McpMessage.INVALID_PARAMS,
        200,
        Reason.INVALID_TOOL_NAME,
        id,
        problem,
        ToolNames.printable(name));
  }

  /**
   * A POST whose body is not declared {@code application/json}, as the streamable HTTP transport
   * requires.
   */
  public static McpRefusal notJson() {
    return malformed(
        McpMessage.INVALID_REQUEST,
        null,
        "send the JSON-RPC message as Content-Type: application/json");
  }

  static McpRefusal headerMismatch(JsonNode id, String message) {
    return new McpRefusal(
        McpMessage.HEADER_MISMATCH, 400, Reason.HEADER_MISMATCH, id, message, null);
  }

  /**
   * A call the policy refused; answered with HTTP 200, because MCP clients treat other statuses as
   * transport failures.
   */
  public static McpRefusal forbidden(JsonNode id, Reason reason, String message) {
    return new McpRefusal(McpMessage.FORBIDDEN, 200, reason, id, message, null);
  }

  public int code() {
    return code;
  }

  public int status() {
    return status;
  }

  public Reason reason() {
    return reason;
  }

  /** The id of the request refused, or null when there was none or it could not be read. */
  public JsonNode id() {
    return id;
  }

  /** The tool name as it may be logged, for a bad tool name; else null. */
  public String tool() {
    return tool;
  }
}
