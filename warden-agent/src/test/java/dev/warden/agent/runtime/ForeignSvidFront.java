package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between the agent and a real Warden server and passes everything through, except that each
 * answer to {@code POST /v1/agent/x509-svids} that carries SVIDs gets one more, first in the list:
 * a copy of the server's first SVID labelled with an id the agent did not ask about (what a
 * confused or hostile server could send).
 */
final class ForeignSvidFront implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FORWARDED = List.of("Authorization", "Content-Type");

  private final HttpServer front;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String upstream;
  private final String foreignId;
  private final AtomicInteger foreignAnswers = new AtomicInteger();

  private ForeignSvidFront(HttpServer front, String upstream, String foreignId) {
    this.front = front;
    this.upstream = upstream;
    this.foreignId = foreignId;
    front.createContext("/", this::forward);
    front.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    front.start();
  }

  static ForeignSvidFront inFrontOf(int serverPort, String foreignId) throws IOException {
    return new ForeignSvidFront(
        HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0),
        "http://127.0.0.1:" + serverPort,
        foreignId);
  }

  String url() {
    return "http://127.0.0.1:" + front.getAddress().getPort();
  }

  /** How many answers got the foreign SVID. */
  int foreignAnswers() {
    return foreignAnswers.get();
  }

  private void forward(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
              .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : FORWARDED) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          b.header(h, v);
        }
      }
      HttpResponse<byte[]> res;
      try {
        res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      byte[] out = res.body();
      if (ex.getRequestURI().getPath().equals("/v1/agent/x509-svids") && res.statusCode() == 200) {
        out = withForeignSvid(out);
      }
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(res.statusCode(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream o = ex.getResponseBody()) {
          o.write(out);
        }
      }
    }
  }

  private byte[] withForeignSvid(byte[] answer) throws IOException {
    JsonNode doc = JSON.readTree(answer);
    JsonNode svids = doc.path("svids");
    if (!svids.isArray() || svids.isEmpty()) {
      return answer;
    }
    ObjectNode foreign = ((ObjectNode) svids.get(0)).deepCopy();
    foreign.put("spiffe_id", foreignId);
    ((ArrayNode) svids).insert(0, foreign);
    foreignAnswers.incrementAndGet();
    return JSON.writeValueAsBytes(doc);
  }

  @Override
  public void close() {
    front.stop(0);
  }
}
