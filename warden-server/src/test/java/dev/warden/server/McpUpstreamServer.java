package dev.warden.server;

import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * A real MCP server for the gateway's tests: the official MCP Java SDK's streamable HTTP transport
 * (a servlet) in Jetty on a loopback port, with two tools, {@code search_tickets} and {@code
 * delete_ticket}. It records the {@code Authorization} header and the tool called of every request
 * it receives, so a test can see what the gateway sent it.
 */
final class McpUpstreamServer implements AutoCloseable {
  /** The Authorization header of every request received (an empty string when there was none). */
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** The tools actually run. */
  final List<String> toolsRun = new CopyOnWriteArrayList<>();

  private final Server jetty;
  private final McpSyncServer mcp;

  McpUpstreamServer() throws Exception {
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper()))
            .mcpEndpoint("/mcp")
            .build();
    mcp =
        McpServer.sync(transport)
            .serverInfo("tickets", "1.0.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(
                tool("search_tickets", "Finds tickets"), tool("delete_ticket", "Deletes a ticket"))
            .build();
    jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.addServlet(new ServletHolder(transport), "/mcp");
    Filter record =
        (req, res, chain) -> {
          String a = ((jakarta.servlet.http.HttpServletRequest) req).getHeader("Authorization");
          authorizations.add(a == null ? "" : a);
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(record), "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(ctx);
    jetty.start();
  }

  private McpServerFeatures.SyncToolSpecification tool(String name, String description) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name(name)
                .description(description)
                .inputSchema(
                    Map.of(
                        "type", "object", "properties", Map.of("query", Map.of("type", "string"))))
                .build())
        .callHandler(
            (exchange, request) -> {
              toolsRun.add(name);
              return McpSchema.CallToolResult.builder()
                  .addTextContent(name + " ran with " + request.arguments())
                  .build();
            })
        .build();
  }

  /** The streamable HTTP endpoint, e.g. {@code http://127.0.0.1:41234/mcp}. */
  String url() {
    return "http://127.0.0.1:"
        + ((org.eclipse.jetty.server.ServerConnector) jetty.getConnectors()[0]).getLocalPort()
        + "/mcp";
  }

  @Override
  public void close() throws Exception {
    mcp.close();
    jetty.stop();
  }
}
