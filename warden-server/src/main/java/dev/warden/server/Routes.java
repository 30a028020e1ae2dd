package dev.warden.server;

import static dev.warden.server.config.ServerKeys.FEDERATION_ALGORITHM;
import static dev.warden.server.config.ServerKeys.KEYS_ALGORITHM;
import static dev.warden.server.config.ServerKeys.SERVER_HOST;
import static dev.warden.server.config.ServerKeys.SERVER_PORT;
import static dev.warden.server.config.ServerKeys.TOKENS_MAX_ASSERTION_BYTES;
import static dev.warden.server.config.ServerKeys.TOKENS_MAX_REQUEST_BYTES;

import dev.warden.core.token.TokenIntrospector;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.http.ApiRouter;
import dev.warden.server.http.HttpLimits;
import dev.warden.server.http.IntrospectionEndpoint;
import dev.warden.server.http.TokenEndpoint;
import dev.warden.server.http.WellKnown;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import javax.net.ssl.SSLContext;

/**
 * Every route of a node, registered by hand, and the listener that serves them: the OAuth and
 * discovery endpoints, health and metrics, and {@code /v1/*} through {@link ApiRouter}, which
 * registers each API unit under its own path prefixes.
 */
final class Routes {
  private Routes() {}

  /** Builds the endpoints over {@code w} and starts listening. */
  static WebServer serve(Wiring w) {
    ServerConfig cfg = w.cfg;
    Runnable reloadNow = w::reloadNow;
    ApiRouter api =
        ApiRouter.builder(w.adminTokens, w.metrics)
            .configuration(w.config, w.state::policies, w.state::disabledReason, reloadNow, w.clock)
            .audit(w.store.audit(), w.checkpoints)
            .keys(w.keys, w.jwtSvidKeys, w.federationKeys, w.checkpointKeys)
            .federation(
                w.store,
                w.federationKeys,
                cfg.issuer(),
                cfg.get(FEDERATION_ALGORITHM).name(),
                w.audit,
                w.clock)
            .leases(w.leases, w.impact)
            .scan(w.leaks, w.exposure, w.resources, w.fingerprintKey, w.fingerprintKeyId)
            .inventory(w.inventory, w.impact, w.fingerprinter, reloadNow)
            .recertification(w.recert, reloadNow)
            .secrets(w.secrets, w.clock)
            .agents(
                w.agents, w.agentLeases, w.ca, w.jwtSvidKeys, w.store.signingKeys()::changeCounter)
            .build();
    TokenEndpoint token =
        new TokenEndpoint(
            w.tokens,
            w.metrics,
            cfg.get(TOKENS_MAX_REQUEST_BYTES),
            cfg.get(TOKENS_MAX_ASSERTION_BYTES),
            w.codeGrant == null
                ? null
                : new dev.warden.server.http.AuthorizationCodeGrant(w.codeGrant, w.metrics),
            w.dpop,
            cfg.issuer() + dev.warden.server.http.WellKnown.TOKEN_PATH);
    // Wiring sets the login and the two parts beside it together (login.provider)
    var login = w.login;
    var clients = w.clients;
    var authorizations = w.authorizations;
    dev.warden.server.http.AuthorizeEndpoint authorize =
        login == null || clients == null || authorizations == null
            ? null
            : new dev.warden.server.http.AuthorizeEndpoint(
                clients, authorizations, login, w.box, cfg.issuer(), w.clock);
    IntrospectionEndpoint introspection =
        new IntrospectionEndpoint(
            new TokenIntrospector(w.keys, w.store.leases(), w.clock, cfg.issuer()), w.adminTokens);
    WellKnown wellKnown =
        new WellKnown(
            cfg.issuer(),
            cfg.get(KEYS_ALGORITHM).name(),
            w.keys,
            cfg.tls(),
            w.federationKeys,
            cfg.get(FEDERATION_ALGORITHM).name(),
            authorize != null);
    Health health =
        new Health(w.store, w.metrics, w.state::disabled, w.changes::status, w.audit::health);
    dev.warden.server.http.DatabaseApi databaseApi =
        new dev.warden.server.http.DatabaseApi(
            w.adminTokens, w.databases, w.store.targetLeases(), w.reaper, w.metrics);
    dev.warden.server.http.CredentialsEndpoint credentials =
        new dev.warden.server.http.CredentialsEndpoint(
            w.tokens,
            new dev.warden.core.grant.OwnLeases(w.tokens, w.store.leases(), w.store.targetLeases()),
            w.metrics,
            cfg.get(TOKENS_MAX_REQUEST_BYTES),
            cfg.get(TOKENS_MAX_ASSERTION_BYTES));

    dev.warden.server.http.McpGatewayEndpoint mcp =
        new dev.warden.server.http.McpGatewayEndpoint(
            w.mcpGateway,
            w.state::policies,
            cfg.get(dev.warden.server.config.ServerKeys.MCP_AUDIT_BEFORE_FORWARD),
            cfg.get(dev.warden.server.config.ServerKeys.MCP_RESPONSE_TIMEOUT));

    dev.warden.server.console.Console console =
        !cfg.get(dev.warden.server.config.ServerKeys.CONSOLE_ENABLED)
            ? null
            : new dev.warden.server.console.Console(
                new dev.warden.server.console.ConsoleServices(
                    cfg,
                    w.clock,
                    w.adminTokens,
                    w.audit,
                    w.store.audit(),
                    w.chainWatch,
                    w.config,
                    w.state::policies,
                    w.state::trust,
                    w.state::disabledReason,
                    reloadNow,
                    w.leases,
                    w.reaper::counts,
                    w.reaper,
                    w.inventory,
                    w.impact,
                    w.recert,
                    w.federationKeys == null
                        ? java.util.List.of(w.keys, w.jwtSvidKeys)
                        : java.util.List.of(w.keys, w.jwtSvidKeys, w.federationKeys),
                    w.ca),
                cfg.get(dev.warden.server.config.ServerKeys.CONSOLE_IDLE_TIMEOUT),
                cfg.get(dev.warden.server.config.ServerKeys.CONSOLE_MAX_SESSION),
                w.tls != null);

    WebServerConfig.Builder http = WebServer.builder();
    if (w.tls != null) {
      SSLContext ssl = w.tls.sslContext();
      http.tls(t -> t.sslContext(ssl).clientAuth(TlsClientAuth.OPTIONAL));
    }
    return http.host(cfg.get(SERVER_HOST))
        .port(cfg.get(SERVER_PORT))
        .shutdownHook(false)
        // the MCP gateway flushes each SSE event as it comes; with Nagle's algorithm a small
        // segment waits for the client's delayed ACK (~40 ms) before the next goes out
        .connectionOptions(o -> o.tcpNoDelay(true))
        // above every endpoint's own limit (tokens.maxRequestBytes is at most 16 MiB), so that each
        // endpoint answers an over-limit body with its own 413; see HttpLimits
        .maxPayloadSize(HttpLimits.MAX_PAYLOAD)
        .directHandlers(
            console == null
                ? HttpLimits.directHandlers()
                : HttpLimits.directHandlers(
                    dev.warden.server.console.Console.PREFIX + "/",
                    console::refusedAddress,
                    dev.warden.server.console.Console::securityHeaders))
        .routing(
            r -> {
              if (authorize != null) {
                r.get(WellKnown.AUTHORIZE_PATH, authorize::authorize)
                    .get(
                        dev.warden.server.http.AuthorizeEndpoint.CALLBACK_PATH,
                        authorize::callback);
              }
              if (console != null) {
                r.any(dev.warden.server.console.Console.PREFIX, console::handle)
                    .any(dev.warden.server.console.Console.PREFIX + "/*", console::handle)
                    .get(
                        "/",
                        (req, res) -> {
                          res.status(303);
                          res.header("Location", dev.warden.server.console.Console.PREFIX + "/");
                          res.send();
                        });
              }
              r.post(WellKnown.TOKEN_PATH, token::handle)
                  .post(WellKnown.INTROSPECT_PATH, introspection::handle)
                  .get(WellKnown.JWKS_PATH, wellKnown::jwks)
                  .get("/.well-known/openid-configuration", wellKnown::openidConfiguration)
                  .get("/.well-known/oauth-authorization-server", wellKnown::oauthMetadata)
                  .get("/healthz", health::live)
                  .get("/readyz", health::ready)
                  .get("/metrics", health::metrics)
                  .get("/.well-known/spiffe-bundle", api::spiffeBundle)
                  .get(
                      dev.warden.server.http.McpGatewayEndpoint.METADATA_PREFIX + "*",
                      mcp::metadata)
                  .any(dev.warden.server.http.McpGatewayEndpoint.PREFIX + "*", mcp::handle)
                  .any(
                      "/v1/*",
                      (req, res) -> {
                        // workload-facing credentials and database administration keep their own
                        // handlers
                        String path = req.path().rawPath();
                        if (dev.warden.server.http.CredentialsEndpoint.handles(path)) {
                          credentials.handle(req, res);
                        } else if (dev.warden.server.http.DatabaseApi.handles(path)) {
                          databaseApi.handle(req, res);
                        } else {
                          api.handle(req, res);
                        }
                      });
            })
        .build()
        .start();
  }
}
