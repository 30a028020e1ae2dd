package dev.warden.server.http;

import dev.warden.core.dpop.DpopVerifier;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.mcp.McpCredentials;
import dev.warden.core.mcp.McpGateway;
import dev.warden.core.mcp.McpHeaders;
import dev.warden.core.mcp.McpMessage;
import dev.warden.core.mcp.McpRefusal;
import dev.warden.core.model.Resource;
import dev.warden.core.policy.PolicySnapshot;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Warden's MCP gateway over HTTP: {@code /mcp/<resource>} is the streamable HTTP endpoint of the
 * MCP server that resource names ({@code spec.mcp.url}); {@code
 * /.well-known/oauth-protected-resource/mcp/<resource>} (and {@code
 * /mcp/<resource>/.well-known/oauth-protected-resource}) its RFC 9728 metadata.
 *
 * <p>Per request: authenticate the Warden token ({@link McpGateway#authenticate}; a 401 carries the
 * {@code resource_metadata} challenge MCP clients start discovery from), parse the one JSON-RPC
 * message, let core decide and audit it, then forward it with the caller's {@code Authorization}
 * removed and the upstream's own credential added, and stream the answer back as it comes (SSE
 * included). A refusal is a JSON-RPC error the gateway writes itself: nothing reaches the upstream.
 * The upstream's own 401/403 never reaches the agent as such: it would send the agent to the
 * upstream's authorization server, and the agent's token is never for the upstream.
 */
public final class McpGatewayEndpoint {
  private static final System.Logger LOG = System.getLogger(McpGatewayEndpoint.class.getName());
  public static final String PREFIX = "/mcp/";
  public static final String METADATA_PREFIX = "/.well-known/oauth-protected-resource/mcp/";
  private static final String METADATA_SUFFIX = "/.well-known/oauth-protected-resource";

  static final HeaderName SESSION = HeaderNames.create("Mcp-Session-Id");
  static final HeaderName PROTOCOL_VERSION = HeaderNames.create("MCP-Protocol-Version");
  static final HeaderName MCP_METHOD = HeaderNames.create("Mcp-Method");
  static final HeaderName MCP_NAME = HeaderNames.create("Mcp-Name");
  private static final HeaderName TXN_TOKEN = HeaderNames.create("Txn-Token");
  private static final HeaderName DPOP = HeaderNames.create("DPoP");
  private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");

  /**
   * What a client sends that the upstream needs too; anything else (Authorization, cookies) stays
   * here.
   */
  private static final List<String> FORWARDED =
      List.of(
          "Content-Type",
          "Accept",
          "Mcp-Session-Id",
          "MCP-Protocol-Version",
          "Mcp-Method",
          "Mcp-Name",
          "Last-Event-ID",
          "traceparent",
          "tracestate",
          "Txn-Token");

  /** What the upstream answers that the client needs. */
  private static final List<String> RETURNED =
      List.of("Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version", "Cache-Control");

  /** Sessions remembered per node, each with the agent that opened it. */
  private static final int MAX_SESSIONS = 100_000;

  private final McpGateway gateway;
  private final Supplier<PolicySnapshot> policies;
  private final boolean auditBeforeForward;
  private final Duration responseTimeout;
  private final HttpClient upstream;
  private final Map<String, String> sessions = new ConcurrentHashMap<>();

  /**
   * @param auditBeforeForward forward a call only once its audit event is durable, else write it
   *     while the upstream works and answer once it is durable
   */
  public McpGatewayEndpoint(
      McpGateway gateway,
      Supplier<PolicySnapshot> policies,
      boolean auditBeforeForward,
      Duration responseTimeout) {
    this.gateway = gateway;
    this.policies = policies;
    this.auditBeforeForward = auditBeforeForward;
    this.responseTimeout = responseTimeout;
    this.upstream =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * {@code /.well-known/oauth-protected-resource/mcp/<resource>}: the RFC 9728 metadata of one
   * gateway.
   */
  public void metadata(ServerRequest req, ServerResponse res) {
    String name = req.path().rawPath().substring(METADATA_PREFIX.length());
    Resource r = gatewayResource(name);
    if (r == null) {
      McpAnswers.notFound(res, name);
      return;
    }
    McpAnswers.metadata(r, gateway.issuer(), res);
  }

  /** Everything under {@code /mcp/}. */
  public void handle(ServerRequest req, ServerResponse res) {
    String rest = req.path().rawPath().substring(PREFIX.length());
    boolean meta = rest.endsWith(METADATA_SUFFIX);
    String name = meta ? rest.substring(0, rest.length() - METADATA_SUFFIX.length()) : rest;
    Resource r = gatewayResource(name);
    if (r == null) {
      McpAnswers.notFound(res, name);
      return;
    }
    if (meta) {
      if (req.prologue().method() != Method.GET) {
        res.status(405).header(HeaderNames.ALLOW, "GET").send();
        return;
      }
      McpAnswers.metadata(r, gateway.issuer(), res);
      return;
    }
    Method m = req.prologue().method();
    if (m != Method.POST && m != Method.GET && m != Method.DELETE) {
      res.status(405).header(HeaderNames.ALLOW, "POST, GET, DELETE").send();
      return;
    }
    String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    DpopVerifier.Scheme scheme =
        authorization != null && authorization.regionMatches(true, 0, "DPoP ", 0, 5)
            ? DpopVerifier.Scheme.DPOP
            : DpopVerifier.Scheme.BEARER;
    McpGateway.Request request =
        new McpGateway.Request(
            r,
            PresentedToken.accessToken(authorization),
            PresentedToken.thumbprint(req),
            TokenEndpoint.address(req.remotePeer().address()),
            req.headers().first(TXN_TOKEN).orElse(null),
            req.headers()
                .first(TRACEPARENT)
                .map(dev.warden.core.audit.Traceparent::validOrNull)
                .orElse(null),
            scheme,
            req.headers().all(DPOP, List::of),
            m.text());
    McpGateway.Caller caller;
    try {
      caller = gateway.authenticate(request);
    } catch (DeniedException e) {
      McpAnswers.unauthorized(res, r, request.bearer() == null ? null : e, scheme);
      return;
    } catch (UnavailableException e) {
      McpAnswers.plainError(res, 503, e.getMessage());
      return;
    }
    String session = req.headers().first(SESSION).orElse(null);
    if (session != null) {
      String owner = sessions.get(session);
      if (owner != null && !owner.equals(caller.sessionOwner())) {
        // a session belongs to the agent that opened it; MCP clients answer 404 by starting a new
        // one
        McpAnswers.plainError(
            res, 404, "no such MCP session for this caller; initialize a new one");
        return;
      }
    }
    try {
      if (m == Method.POST) {
        post(req, res, r, request, caller);
      } else {
        // GET (the server's stream of an older protocol revision) and DELETE (end of a session)
        // carry no message to decide: the token for this gateway is what admits them
        McpCredentials.Injected credential = gateway.admitStream(caller, request);
        forward(req, res, r, m, null, credential, null, caller);
      }
    } catch (McpRefusal e) {
      McpAnswers.rpcError(res, e.status(), e.id(), e.code(), e.getMessage(), e.reason());
    } catch (UnavailableException e) {
      McpAnswers.plainError(res, 503, e.getMessage() + "; retry later");
    }
  }

  private void post(
      ServerRequest req,
      ServerResponse res,
      Resource r,
      McpGateway.Request request,
      McpGateway.Caller caller) {
    byte[] body;
    try {
      body = Bodies.read(req, McpMessage.MAX_BYTES);
    } catch (BadRequestException e) {
      McpAnswers.plainError(res, e.status(), e.getMessage());
      return;
    }
    McpMessage message;
    McpGateway.Admission admission;
    try {
      String type = Bodies.mediaType(req);
      if (!"application/json".equals(type)) {
        throw McpRefusal.notJson();
      }
      message = McpMessage.parse(body);
      admission =
          gateway.admit(
              caller,
              request,
              message,
              new McpHeaders(
                  req.headers().first(PROTOCOL_VERSION).orElse(null),
                  req.headers().first(MCP_METHOD).orElse(null),
                  req.headers().first(MCP_NAME).orElse(null)));
    } catch (McpRefusal e) {
      if (e.reason() == Reason.MALFORMED_MESSAGE || e.reason() == Reason.INVALID_TOOL_NAME) {
        gateway.refused(caller, request, e);
      }
      McpAnswers.rpcError(res, e.status(), e.id(), e.code(), e.getMessage(), e.reason());
      return;
    }
    if (auditBeforeForward) {
      admission.awaitDurable();
    }
    forward(req, res, r, Method.POST, body, admission.credential(), admission, caller);
  }

  private void forward(
      ServerRequest req,
      ServerResponse res,
      Resource r,
      Method method,
      byte @Nullable [] body,
      McpCredentials.Injected credential,
      McpGateway.@Nullable Admission admission,
      McpGateway.Caller caller) {
    // gatewayResource serves only resources that name their MCP server
    String url = Objects.requireNonNull(r.mcp(), "an MCP resource's server").url();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(responseTimeout);
    for (String h : FORWARDED) {
      req.headers().first(HeaderNames.create(h)).ifPresent(v -> b.header(h, v));
    }
    if (credential != null) {
      b.setHeader(credential.header(), credential.value().reveal());
    }
    b.method(
        method.text(),
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<InputStream> up;
    try {
      up = upstream.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      awaitThen(
          admission,
          res,
          () ->
              McpAnswers.plainError(
                  res,
                  502,
                  "the MCP server behind resource '"
                      + r.name()
                      + "' cannot be reached: "
                      + e.getClass().getSimpleName()));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      McpAnswers.plainError(res, 502, "interrupted while calling the MCP server");
      return;
    }
    try (InputStream in = up.body()) {
      if (admission != null && !auditBeforeForward) {
        admission.awaitDurable();
      }
      int status = up.statusCode();
      if (status == 401 || status == 403) {
        // the upstream refused Warden's credential, not the agent: never pass its challenge on
        LOG.log(
            System.Logger.Level.WARNING,
            "MCP server of resource '"
                + r.name()
                + "' answered "
                + status
                + " to the gateway's credential");
        McpAnswers.plainError(
            res,
            502,
            "the MCP server behind resource '"
                + r.name()
                + "' refused the gateway's credential"
                + " (HTTP "
                + status
                + "); an operator must check the resource's spec.mcp.credential");
        return;
      }
      res.status(status);
      for (String h : RETURNED) {
        up.headers().firstValue(h).ifPresent(v -> res.header(h, v));
      }
      up.headers().firstValue("Mcp-Session-Id").ifPresent(s -> remember(s, caller.sessionOwner()));
      if (method == Method.DELETE && status < 300) {
        req.headers().first(SESSION).ifPresent(sessions::remove);
      }
      byte[] buf = new byte[8192];
      try (OutputStream out = res.outputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          // SSE events must reach the client as they come, not when a buffer fills
          out.flush();
        }
      }
    } catch (UnavailableException e) {
      McpAnswers.plainError(res, 503, e.getMessage() + "; the call was not answered, retry later");
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "MCP response stream ended: " + e.getMessage());
    }
  }

  private static void awaitThen(
      McpGateway.@Nullable Admission admission, ServerResponse res, Runnable then) {
    if (admission != null) {
      try {
        admission.awaitDurable();
      } catch (UnavailableException e) {
        McpAnswers.plainError(res, 503, e.getMessage());
        return;
      }
    }
    then.run();
  }

  private void remember(String session, String agent) {
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.clear();
    }
    sessions.putIfAbsent(session, agent);
  }

  private @Nullable Resource gatewayResource(String name) {
    if (name.isEmpty() || name.length() > 128 || name.indexOf('/') >= 0 || name.indexOf('%') >= 0) {
      return null;
    }
    Resource r = policies.get().resource(name);
    return r != null && Resource.MCP.equals(r.kind()) && r.mcp() != null ? r : null;
  }

  /** True for the paths this endpoint serves. */
  public static boolean handles(String rawPath) {
    return rawPath.startsWith(PREFIX)
        || rawPath.toLowerCase(Locale.ROOT).startsWith(METADATA_PREFIX);
  }
}
