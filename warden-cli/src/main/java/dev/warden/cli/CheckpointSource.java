package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where {@code warden audit verify --checkpoint} finds a checkpoint: a file or a URL holding the
 * compact JWS itself, the JSON of {@code GET /v1/audit/checkpoints/latest} (or of the list: its
 * newest), or JSON lines from an audit stream (the last checkpoint line wins). Only the JWS is
 * used; the clear fields beside it are not trusted.
 */
final class CheckpointSource {
  /** Largest body read from a URL: a list of checkpoints, not a log. */
  private static final int MAX_URL_BYTES = 4 * 1024 * 1024;

  private CheckpointSource() {}

  /**
   * @param api the server's client: a URL on that server is read with the admin token, any other
   *     URL without it (the token never leaves for another host)
   * @throws CliException (exit 2) when nothing can be read or no checkpoint is in it
   */
  static String read(String where, ApiClient api) {
    if (where.startsWith("http://") || where.startsWith("https://")) {
      return fromText(where, fetch(where, api));
    }
    Path file = Path.of(where);
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      // a stream file can be large: read it line by line and keep the last checkpoint
      StringBuilder whole = new StringBuilder();
      String last = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String jws = fromJsonLine(line);
        if (jws != null) {
          last = jws;
        }
        if (whole.length() < MAX_URL_BYTES) {
          whole.append(line).append('\n');
        }
      }
      return last != null ? last : fromText(file.toString(), whole.toString());
    } catch (IOException e) {
      throw CliException.io("cannot read checkpoint file", file, e);
    }
  }

  private static String fetch(String url, ApiClient api) {
    if (url.startsWith(api.server() + "/")) {
      return api.get(url.substring(api.server().length())).toString();
    }
    try {
      HttpResponse<byte[]> res =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url))
                      .timeout(Duration.ofSeconds(30))
                      .header("User-Agent", ApiClient.USER_AGENT)
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      if (res.statusCode() != 200) {
        throw new CliException(
            2, "cannot read checkpoint from " + url + ": HTTP " + res.statusCode());
      }
      if (res.body().length > MAX_URL_BYTES) {
        throw new CliException(
            2, "cannot read checkpoint from " + url + ": more than " + MAX_URL_BYTES + " bytes");
      }
      return new String(res.body(), StandardCharsets.UTF_8);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(2, "cannot read checkpoint from " + url + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(2, "interrupted");
    }
  }

  /** The JWS in a body that is one JWS, one JSON object, or JSON lines. */
  static String fromText(String where, String text) {
    String t = text.strip();
    if (!t.startsWith("{")) {
      if (t.isEmpty() || t.contains("\n")) {
        throw none(where);
      }
      return t;
    }
    String found = null;
    try {
      JsonNode n = ApiClient.JSON.readTree(t);
      found = jws(n);
    } catch (IOException e) {
      // not one object: JSON lines
      for (String line : t.split("\n")) {
        String jws = fromJsonLine(line);
        if (jws != null) {
          found = jws;
        }
      }
    }
    if (found == null) {
      throw none(where);
    }
    return found;
  }

  private static @Nullable String fromJsonLine(String line) {
    String l = line.strip();
    if (!l.startsWith("{") || !l.contains("\"checkpoint\"")) {
      return null;
    }
    try {
      return jws(ApiClient.JSON.readTree(l));
    } catch (IOException e) {
      return null;
    }
  }

  private static @Nullable String jws(@Nullable JsonNode n) {
    if (n == null) {
      return null;
    }
    if (n.path("checkpoint").isTextual()) {
      return n.path("checkpoint").asText();
    }
    JsonNode list = n.path("checkpoints");
    return list.isArray() && !list.isEmpty() && list.get(0).path("checkpoint").isTextual()
        ? list.get(0).path("checkpoint").asText()
        : null;
  }

  private static CliException none(String where) {
    return new CliException(
        2,
        where
            + " holds no checkpoint: give a compact JWS, the JSON of"
            + " /v1/audit/checkpoints/latest, or audit stream lines with a checkpoint");
  }
}
