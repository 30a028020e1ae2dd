package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import org.jspecify.annotations.Nullable;

/**
 * The server-wide body limit and its 413. Each endpoint reads at most its own limit (see {@link
 * Bodies}); the listener's limit sits above the largest of them (the 16 MiB inventory import), so a
 * body over an endpoint's limit reaches that endpoint and gets a 413 naming the endpoint's limit.
 * After such a 413 the listener reads and discards the rest of the body (up to this limit) so that
 * the client sees the answer instead of a reset connection. Bodies declared larger than this limit
 * are refused by the listener before routing, with the same JSON shape.
 */
public final class HttpLimits {
  /** The most the listener reads of one request body: twice the largest endpoint limit. */
  public static final long MAX_PAYLOAD = 32L * 1024 * 1024;

  private HttpLimits() {}

  /**
   * A page for a request the listener refused before routing (400, typically a query character its
   * URI validation refuses), for paths under {@code prefix}; null leaves the default empty answer.
   */
  @FunctionalInterface
  public interface RefusedPage {
    /**
     * @return the HTML page, or null
     */
    byte @Nullable [] render(String path, String message);
  }

  /** Direct handlers that answer the listener's own 413 in JSON naming {@link #MAX_PAYLOAD}. */
  public static DirectHandlers directHandlers() {
    return directHandlers("", null, h -> {});
  }

  /**
   * As {@link #directHandlers()}, and a 400 for a path under {@code prefix} answered with {@code
   * page} (the console's "that address needs encoding"), with the headers {@code headers} adds.
   */
  public static DirectHandlers directHandlers(
      String prefix,
      @Nullable RefusedPage page,
      java.util.function.Consumer<java.util.function.BiConsumer<String, String>> headers) {
    DirectHandler tooLarge =
        (request, type, status, h, message) -> {
          if (page != null
              && status.code() == Status.BAD_REQUEST_400.code()
              && request.path() != null
              && request.path().startsWith(prefix)) {
            byte[] html = page.render(request.path(), message == null ? "" : message);
            if (html != null) {
              DirectHandler.TransportResponse.Builder b =
                  DirectHandler.TransportResponse.builder()
                      .status(Status.BAD_REQUEST_400)
                      .headers(h)
                      .header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                      .keepAlive(false)
                      .entity(html);
              headers.accept((name, value) -> b.header(HeaderNames.create(name), value));
              return b.build();
            }
          }
          return handle(request, type, status, h, message);
        };
    return DirectHandlers.builder()
        .addHandler(DirectHandler.EventType.BAD_REQUEST, tooLarge)
        .addHandler(DirectHandler.EventType.PAYLOAD_TOO_LARGE, tooLarge)
        .build();
  }

  private static DirectHandler.TransportResponse handle(
      DirectHandler.TransportRequest request,
      DirectHandler.EventType type,
      Status status,
      ServerResponseHeaders headers,
      String message) {
    if (status.code() != Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
      return DirectHandler.defaultHandler().handle(request, type, status, headers, message);
    }
    String text =
        "the request body is larger than the limit of "
            + MAX_PAYLOAD
            + " bytes ("
            + readable(MAX_PAYLOAD)
            + ")";
    ObjectNode body = HttpJson.object();
    if (request.path().startsWith("/oauth2/")) {
      body.put("error", "invalid_request");
      body.put("error_description", text);
    } else {
      body.put("error", "too_large");
      body.put("message", text);
    }
    return DirectHandler.TransportResponse.builder()
        .status(Status.REQUEST_ENTITY_TOO_LARGE_413)
        .headers(headers)
        .header(HeaderNames.CONTENT_TYPE, "application/json")
        .header(HeaderNames.CACHE_CONTROL, "no-store")
        .keepAlive(false)
        .entity(HttpJson.bytes(body))
        .build();
  }

  /** 65536 → "64 KiB", 4194304 → "4 MiB", other sizes in bytes. */
  static String readable(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
  }
}
