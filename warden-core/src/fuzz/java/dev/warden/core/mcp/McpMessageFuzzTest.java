package dev.warden.core.mcp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * What an agent posts to the MCP gateway is outside input: parsing a message and checking its
 * mirrored headers either yields a message whose tool name keeps the MCP rules, or throws {@link
 * McpRefusal}, nothing else, whatever the bytes and header values.
 */
class McpMessageFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parseReturnsAValidMessageOrARefusal(FuzzedDataProvider data) {
    String version = data.pickValue(new String[] {"2025-06-18", "2026-07-28", "garbage", ""});
    String method = data.consumeBoolean() ? data.consumeString(40) : null;
    String name = data.consumeBoolean() ? data.consumeString(160) : null;
    byte[] body = data.consumeRemainingAsBytes();
    try {
      McpMessage m = McpMessage.parse(body);
      if (m.isToolCall() && ToolNames.problem(m.name()) != null) {
        throw new IllegalStateException("a tool name outside the rules was accepted");
      }
      if (m.kind() != McpMessage.Kind.RESPONSE && (m.method() == null || m.method().isEmpty())) {
        throw new IllegalStateException("a request without method was accepted");
      }
      new McpHeaders(version.isEmpty() ? null : version, method, name).check(m);
      if (name != null && m.name() != null && !m.name().equals(McpHeaders.decode(name))) {
        throw new IllegalStateException("an Mcp-Name that disagrees with the body was accepted");
      }
    } catch (McpRefusal expected) {
      if (expected.getMessage() == null || expected.getMessage().isEmpty()) {
        throw new IllegalStateException("a refusal without a message", expected);
      }
    }
  }
}
