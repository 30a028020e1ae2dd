package dev.warden.core.policy;

import java.util.Map;
import java.util.Objects;

/**
 * What an MCP message through Warden's MCP gateway asks for, as policy conditions see it ({@code
 * request.mcp}). Outside the gateway (token grants, credentials) every field is empty, so a
 * condition written for tool calls reads {@code request.mcp.method != "tools/call" || …}.
 *
 * @param method the JSON-RPC method, e.g. {@code tools/call}
 * @param name the name the method acts on: the tool of {@code tools/call}, the prompt of {@code
 *     prompts/get}, the URI of {@code resources/read}; empty for other methods
 * @param arguments the {@code arguments} of a {@code tools/call} or {@code prompts/get} (JSON
 *     values: maps, lists, strings, numbers, booleans), empty for others; what the agent sent, not
 *     verified by anyone
 */
public record McpRequest(String method, String name, Map<String, Object> arguments) {
  /** What conditions see outside the MCP gateway. */
  public static final McpRequest NONE = new McpRequest("", "", Map.of());

  public McpRequest {
    method = Objects.requireNonNullElse(method, "");
    name = Objects.requireNonNullElse(name, "");
    arguments = arguments == null ? Map.of() : arguments;
  }

  /** The tool of a {@code tools/call}; empty for any other method. */
  public String tool() {
    return "tools/call".equals(method) ? name : "";
  }
}
