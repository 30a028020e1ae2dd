package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden dev mcp-server}: a small MCP server (streamable HTTP, JSON responses) with demo
 * tools, to try the MCP gateway locally. It accepts a call only with the bearer credential it was
 * started with ({@code --require-bearer-file}), which the gateway injects: the agent never has it.
 * Not for production.
 */
@SuppressForbidden(
    "the JDK's own HTTP server (module jdk.httpserver, in every OpenJDK) is enough for a demo")
@Command(
    name = "mcp-server",
    mixinStandardHelpOptions = true,
    description = {
      "Run a demo MCP server on loopback whose tools echo their arguments.",
      "It is for trying the MCP gateway locally (streamable HTTP, JSON responses). With --require-bearer-file it",
      "answers 401 unless the request carries that bearer credential, which the gateway injects from a brokered",
      "secret. Stops on SIGTERM. Not for production.",
      ""
    },
    footer = {
      "",
      "Example:",
      "  warden dev mcp-server --port 0 --url-file /tmp/mcp.url --tools search_tickets,delete_ticket \\",
      "      --require-bearer-file /tmp/upstream.key &"
    })
final class DevMcpServer implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", description = "TCP port on 127.0.0.1 (0 picks a free one) [0]")
  int port;

  @Option(names = "--url-file", description = "write the server's URL here once it listens")
  @Nullable Path urlFile;

  @Option(names = "--tools", split = ",", description = "tool names [search_tickets,delete_ticket]")
  List<String> tools = List.of("search_tickets", "delete_ticket");

  @Option(
      names = "--require-bearer-file",
      paramLabel = "FILE",
      description = "answer 401 unless Authorization is 'Bearer <the file's content>'")
  @Nullable Path bearerFile;

  @Override
  public Integer call() throws Exception {
    byte[] required =
        bearerFile == null
            ? null
            : ("Bearer " + Files.readString(bearerFile, StandardCharsets.UTF_8).trim())
                .getBytes(StandardCharsets.UTF_8);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.createContext(
        "/mcp",
        ex -> {
          try (ex) {
            handle(ex, required);
          }
        });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
    if (urlFile != null) {
      Files.writeString(urlFile, url + "\n", StandardCharsets.UTF_8);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("demo MCP server listening at " + url + " with tools " + tools);
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(0);
                  stop.countDown();
                }));
    stop.await();
    return 0;
  }

  private void handle(HttpExchange ex, byte @Nullable [] required) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Allow", "POST");
      ex.sendResponseHeaders(405, -1);
      return;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (required != null
        && (auth == null
            || !MessageDigest.isEqual(required, auth.getBytes(StandardCharsets.UTF_8)))) {
      send(ex, 401, error(null, -32001, "this MCP server accepts only its own credential"));
      return;
    }
    JsonNode msg;
    try (InputStream in = ex.getRequestBody()) {
      msg = JSON.readTree(in.readNBytes(1 << 20));
    } catch (IOException e) {
      send(ex, 400, error(null, -32700, "parse error"));
      return;
    }
    if (msg == null || !msg.isObject() || !msg.has("method")) {
      send(ex, 400, error(null, -32600, "invalid request"));
      return;
    }
    JsonNode id = msg.get("id");
    if (id == null) {
      ex.sendResponseHeaders(202, -1);
      return;
    }
    String method = msg.path("method").asText();
    ObjectNode result = JSON.createObjectNode();
    switch (method) {
      case "initialize" -> {
        result.put(
            "protocolVersion", msg.path("params").path("protocolVersion").asText("2025-06-18"));
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "warden-demo-mcp").put("version", "1.0.0");
      }
      case "ping" -> {}
      case "tools/list" -> {
        ArrayNode list = result.putArray("tools");
        for (String t : tools) {
          ObjectNode tool = list.addObject();
          tool.put("name", t);
          tool.put("description", "demo tool: echoes its arguments");
          tool.putObject("inputSchema").put("type", "object");
        }
      }
      case "tools/call" -> {
        String name = msg.path("params").path("name").asText();
        if (!tools.contains(name)) {
          send(ex, 200, error(id, -32602, "unknown tool " + name));
          return;
        }
        result
            .putArray("content")
            .addObject()
            .put("type", "text")
            .put("text", name + " ran with " + msg.path("params").path("arguments"));
        result.put("isError", false);
      }
      default -> {
        send(ex, 200, error(id, -32601, "method not found: " + method));
        return;
      }
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    send(ex, 200, response);
  }

  private static ObjectNode error(@Nullable JsonNode id, int code, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("jsonrpc", "2.0");
    if (id != null) {
      o.set("id", id);
    } else {
      o.putNull("id");
    }
    o.putObject("error").put("code", code).put("message", message);
    return o;
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }
}
