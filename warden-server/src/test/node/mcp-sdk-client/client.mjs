// The official MCP TypeScript SDK as an unmodified client of an MCP server behind Warden's gateway.
// It discovers Warden from the gateway's 401 (RFC 9728), reads Warden's metadata (RFC 8414) and
// gets its token on its own, then calls one tool the policy allows and one it denies.
//
//   MODE=headless  the agent's platform token as an RFC 7523 client assertion (the MCP
//                  client-credentials extension): ASSERTION, CLIENT_ID (its SPIFFE ID), ISSUER
//   MODE=user      a user lets the client act for them: authorization code + PKCE, the client
//                  identified by its Client ID Metadata Document (CIMD_URL, REDIRECT_URI); the
//                  browser's redirects are followed here, cookies kept, as a browser would
//
// Prints one JSON object per line: {"step": ..., ...}; exits non-zero on an unexpected failure.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StaticPrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const env = process.env;
const mcpUrl = new URL(env.MCP_URL);
const print = (o) => console.log(JSON.stringify(o));

class BrowserUserProvider {
  constructor() {
    this._tokens = undefined;
    this._client = undefined;
    this._verifier = undefined;
    this.code = undefined;
  }
  get redirectUrl() { return env.REDIRECT_URI; }
  get clientMetadataUrl() { return env.CIMD_URL; }
  get clientMetadata() {
    return { client_name: 'Warden interop client', redirect_uris: [env.REDIRECT_URI],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(t) { this._tokens = t; }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  async redirectToAuthorization(url) {
    print({ step: 'authorize', url: url.origin + url.pathname,
      hasPkce: url.searchParams.get('code_challenge_method') === 'S256',
      clientId: url.searchParams.get('client_id'), resource: url.searchParams.get('resource') });
    // a browser: follow redirects, keep cookies per origin, stop at the client's redirect_uri
    const jar = new Map();
    let next = url.toString();
    for (let i = 0; i < 10; i++) {
      if (next.startsWith(env.REDIRECT_URI)) {
        const back = new URL(next);
        print({ step: 'redirected', iss: back.searchParams.get('iss'), hasCode: back.searchParams.has('code'),
          error: back.searchParams.get('error') });
        this.code = back.searchParams.get('code');
        return;
      }
      const origin = new URL(next).origin;
      const res = await fetch(next, { redirect: 'manual', headers: jar.has(origin) ? { cookie: jar.get(origin) } : {} });
      const cookies = res.headers.getSetCookie?.() ?? [];
      if (cookies.length) {
        jar.set(origin, cookies.map((c) => c.split(';')[0]).join('; '));
      }
      const location = res.headers.get('location');
      if (!location) {
        throw new Error(`authorization stopped at ${next}: ${res.status} ${await res.text()}`);
      }
      next = new URL(location, next).toString();
    }
    throw new Error('too many redirects');
  }
}

async function connect(authProvider) {
  const client = new Client({ name: 'warden-interop', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider });
  await client.connect(transport);
  return { client, transport };
}

async function callTools(client) {
  const tools = await client.listTools();
  print({ step: 'tools', names: tools.tools.map((t) => t.name).sort() });
  const allowed = await client.callTool({ name: env.ALLOWED_TOOL, arguments: JSON.parse(env.ALLOWED_ARGS ?? '{}') });
  print({ step: 'allowed', isError: allowed.isError ?? false, content: allowed.content });
  try {
    const denied = await client.callTool({ name: env.DENIED_TOOL, arguments: {} });
    print({ step: 'denied', isError: denied.isError ?? false, content: denied.content });
  } catch (e) {
    print({ step: 'denied', error: e.code ?? null, message: e.message });
  }
}

try {
  let session;
  if (env.MODE === 'headless') {
    const provider = new StaticPrivateKeyJwtProvider({ clientId: env.CLIENT_ID, jwtBearerAssertion: env.ASSERTION,
      clientName: 'headless agent', expectedIssuer: env.ISSUER });
    session = await connect(provider);
    print({ step: 'token', scope: provider.tokens()?.scope ?? null, tokenType: provider.tokens()?.token_type });
  } else {
    const provider = new BrowserUserProvider();
    try {
      session = await connect(provider);
    } catch (e) {
      if (!(e instanceof UnauthorizedError) || !provider.code) {
        throw e;
      }
      const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await first.finishAuth(provider.code);
      session = await connect(provider);
    }
    print({ step: 'token', tokenType: provider.tokens()?.token_type });
  }
  await callTools(session.client);
  await session.client.close();
  print({ step: 'done' });
} catch (e) {
  print({ step: 'failed', message: String(e?.message ?? e), name: e?.name });
  process.exit(1);
}
