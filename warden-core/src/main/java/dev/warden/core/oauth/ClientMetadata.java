package dev.warden.core.oauth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A validated OAuth Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document): the
 * client's {@code client_id} is the https URL of this document, which says the client's name and
 * where authorization responses may be sent. Only {@link #parse} makes one, so holding a {@code
 * ClientMetadata} means every rule below was checked.
 *
 * <p>Rules: the body is strict UTF-8 JSON, one object, no duplicate members; {@code client_id}
 * equals the URL it was fetched from, character for character; {@code client_name} is a non-empty
 * string; {@code redirect_uris} is a non-empty array of absolute URIs without fragment, each https
 * or http on a loopback host (the MCP authorization specification allows nothing else); {@code
 * token_endpoint_auth_method}, when present, is {@code none} (Warden takes CIMD clients as public
 * clients, protected by PKCE: decision 601); no {@code client_secret} or {@code
 * client_secret_expires_at} (the draft forbids shared secrets in a public document); {@code
 * grant_types}, when present, includes {@code authorization_code}.
 *
 * @param clientId the document's URL, its {@code client_id}
 * @param clientName what the user is shown
 * @param redirectUris where the client may receive codes, compared exactly
 */
public record ClientMetadata(String clientId, String clientName, List<String> redirectUris) {
  /** The most redirect URIs one document may list. */
  public static final int MAX_REDIRECT_URIS = 32;

  private static final int MAX_URL = 2048;
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(16)
                      .maxNumberLength(32)
                      .maxStringLength(16 * 1024)
                      .build())
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
              .build());

  public ClientMetadata {
    redirectUris = List.copyOf(redirectUris);
  }

  /**
   * Checks that {@code clientId} can name a metadata document: an absolute https URL with a path
   * other than {@code /}, no fragment, no user info, no {@code .} or {@code ..} path segment, at
   * most 2048 characters.
   *
   * @return the URL as a URI
   * @throws DeniedException {@code invalid_client_metadata} naming the rule broken
   */
  public static URI checkClientId(@Nullable String clientId) {
    if (clientId == null || clientId.isEmpty()) {
      throw invalid("client_id is required: the https URL of the client's metadata document");
    }
    if (clientId.length() > MAX_URL) {
      throw invalid("client_id is longer than " + MAX_URL + " characters");
    }
    URI u;
    try {
      u = new URI(clientId);
    } catch (URISyntaxException e) {
      throw invalid("client_id is not a URL");
    }
    if (!"https".equals(u.getScheme()) || u.getRawAuthority() == null || u.getHost() == null) {
      throw invalid(
          "client_id must be an https URL naming the client's metadata document (a Client ID Metadata"
              + " Document); Warden has no other registered clients");
    }
    if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
      throw invalid("client_id must not contain user info or a fragment");
    }
    String path = u.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw invalid("client_id must have a path, e.g. https://app.example.com/oauth/client.json");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid("client_id must not contain '.' or '..' path segments");
      }
    }
    return u;
  }

  /**
   * Parses and validates the document fetched from {@code clientId}.
   *
   * @param clientId the URL the document was fetched from (already {@link #checkClientId checked})
   * @throws DeniedException {@code invalid_client_metadata} naming the rule broken; never quotes
   *     more of the document than a short member value
   */
  public static ClientMetadata parse(String clientId, byte[] body) {
    JsonNode doc = readObject(body);
    JsonNode id = doc.get("client_id");
    if (id == null || !id.isTextual()) {
      throw invalid("the metadata document has no client_id string");
    }
    if (!id.textValue().equals(clientId)) {
      throw invalid(
          "the metadata document's client_id is not the URL it was fetched from, "
              + quote(clientId));
    }
    JsonNode name = doc.get("client_name");
    if (name == null
        || !name.isTextual()
        || name.textValue().isBlank()
        || name.textValue().length() > 200) {
      throw invalid("the metadata document needs a client_name string of 1 to 200 characters");
    }
    if (doc.has("client_secret") || doc.has("client_secret_expires_at")) {
      throw invalid(
          "the metadata document must not contain client_secret or client_secret_expires_at: a public"
              + " document cannot hold a shared secret");
    }
    JsonNode method = doc.get("token_endpoint_auth_method");
    if (method != null && !(method.isTextual() && method.textValue().equals("none"))) {
      throw invalid(
          "token_endpoint_auth_method must be none (or left out): Warden takes clients identified by a"
              + " metadata document as public clients protected by PKCE");
    }
    JsonNode grants = doc.get("grant_types");
    if (grants != null) {
      if (!grants.isArray() || !contains(grants, "authorization_code")) {
        throw invalid("grant_types must be an array that includes authorization_code");
      }
    }
    JsonNode redirects = doc.get("redirect_uris");
    if (redirects == null || !redirects.isArray() || redirects.isEmpty()) {
      throw invalid("the metadata document needs a non-empty redirect_uris array");
    }
    if (redirects.size() > MAX_REDIRECT_URIS) {
      throw invalid("redirect_uris lists more than " + MAX_REDIRECT_URIS + " URIs");
    }
    List<String> uris = new ArrayList<>();
    for (JsonNode r : redirects) {
      if (!r.isTextual()) {
        throw invalid("every redirect_uris entry must be a string");
      }
      checkRedirectUri(r.textValue());
      uris.add(r.textValue());
    }
    return new ClientMetadata(clientId, name.textValue(), uris);
  }

  /**
   * True when {@code redirectUri} is one of this client's, compared exactly (RFC 9700 section
   * 4.1.3).
   */
  public boolean allowsRedirect(String redirectUri) {
    return redirectUri != null && redirectUris.contains(redirectUri);
  }

  private static void checkRedirectUri(String s) {
    if (s.length() > MAX_URL) {
      throw invalid("a redirect URI is longer than " + MAX_URL + " characters");
    }
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      throw invalid("redirect URI " + quote(s) + " is not a URI");
    }
    if (!u.isAbsolute()
        || u.getHost() == null
        || u.getRawFragment() != null
        || u.getRawUserInfo() != null) {
      throw invalid(
          "redirect URI "
              + quote(s)
              + " must be absolute, with a host, without fragment or user info");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    boolean loopback =
        "http".equals(scheme) && LOOPBACK.contains(u.getHost().toLowerCase(Locale.ROOT));
    if (!"https".equals(scheme) && !loopback) {
      throw invalid(
          "redirect URI " + quote(s) + " must use https, or http on localhost, 127.0.0.1 or [::1]");
    }
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) {
      if (n.isTextual() && n.textValue().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode readObject(byte[] body) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw invalid("the metadata document is not valid UTF-8");
    }
    JsonNode doc;
    try (var parser = JSON.createParser(text)) {
      doc = JSON.readTree(parser);
      if (doc != null && parser.nextToken() != null) {
        throw invalid("the metadata document has content after its JSON object");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof DeniedException d) {
        throw d;
      }
      throw invalid("the metadata document is not valid JSON");
    }
    if (doc == null || !doc.isObject()) {
      throw invalid("the metadata document is not a JSON object");
    }
    return doc;
  }

  private static String quote(String s) {
    String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
    StringBuilder sb = new StringBuilder("'");
    cut.codePoints()
        .forEach(
            c ->
                sb.append(
                    c >= 0x20 && c < 0x7f
                        ? String.valueOf((char) c)
                        : String.format(Locale.ROOT, "U+%04X", c)));
    return sb.append('\'').toString();
  }

  private static DeniedException invalid(String message) {
    return new DeniedException(Reason.INVALID_CLIENT_METADATA, message);
  }
}
