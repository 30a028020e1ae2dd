// An MCP server built with the official MCP TypeScript SDK, protected by Warden: it serves its
// RFC 9728 protected-resource metadata naming Warden as its authorization server, and accepts a
// bearer token only if Warden's RFC 7662 introspection says it is active and was issued for this
// server (aud = its URL). Tools: read_note (scope notes:read) and purge_notes (scope notes:admin).
//
//   PORT, WARDEN (Warden's issuer URL), INTROSPECTION_TOKEN (a Warden admin token allowed to introspect)
// Prints {"listening": url} when ready.
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { mcpAuthMetadataRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';

const env = process.env;
const port = Number(env.PORT);
const serverUrl = new URL(`http://127.0.0.1:${port}/mcp`);
const warden = env.WARDEN.replace(/\/$/, '');
const asMetadata = await (await fetch(`${warden}/.well-known/oauth-authorization-server`)).json();

const verifier = {
  async verifyAccessToken(token) {
    const res = await fetch(asMetadata.introspection_endpoint ?? `${warden}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${env.INTROSPECTION_TOKEN}` },
      body: new URLSearchParams({ token }),
    });
    const info = await res.json();
    if (!info.active) {
      throw new InvalidTokenError('the token is not active at Warden');
    }
    const aud = Array.isArray(info.aud) ? info.aud : [info.aud];
    return { token, clientId: info.client_id, scopes: (info.scope ?? '').split(' ').filter(Boolean),
      expiresAt: info.exp, resource: new URL(aud[0]), extra: { sub: info.sub, act: info.act } };
  },
};

function newServer(auth) {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.tool('read_note', { id: z.string() }, async ({ id }) => ({
    content: [{ type: 'text', text: `note ${id} for ${auth.extra.sub} via ${auth.extra.act?.sub}` }],
  }));
  server.tool('purge_notes', {}, async () => {
    if (!auth.scopes.includes('notes:admin')) {
      return { isError: true, content: [{ type: 'text', text: 'insufficient_scope: purge_notes needs notes:admin' }] };
    }
    return { content: [{ type: 'text', text: 'purged' }] };
  });
  return server;
}

const app = express();
app.use(express.json());
app.use(mcpAuthMetadataRouter({ oauthMetadata: asMetadata, resourceServerUrl: serverUrl,
  scopesSupported: ['notes:read'], resourceName: 'Notes' }));
app.post('/mcp', requireBearerAuth({ verifier, expectedResource: serverUrl,
  resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(serverUrl) }), async (req, res) => {
  // stateless: one server and transport per request, as the SDK's examples do
  const server = newServer(req.auth);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ listening: serverUrl.toString() })));
