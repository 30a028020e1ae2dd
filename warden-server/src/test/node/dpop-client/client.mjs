// openid-client (panva), unmodified, as a DPoP client (RFC 9449) of Warden: it discovers Warden
// from its RFC 8414 metadata, gets a token with the client credentials grant and a DPoP proof of
// its own key pair, and calls the MCP gateway with it (Authorization: DPoP + a proof with ath).
// Then what must fail: the same token as a Bearer token, and with proofs by another key.
//
//   ISSUER     Warden's issuer
//   CLIENT_ID  the workload's SPIFFE ID
//   ASSERTION  the workload's platform token, sent as an RFC 7523 client assertion
//   RESOURCE   the MCP gateway's URL (its audience)
//
// Prints one JSON object per line: {"step": ..., ...}; exits non-zero on an unexpected failure.
import * as client from 'openid-client';

const env = process.env;
const print = (o) => console.log(JSON.stringify(o));
const resource = new URL(env.RESOURCE);

// Warden has no client secrets: the client authenticates with its platform token
const platformAssertion = (as, c, body) => {
  body.set('client_id', c.client_id);
  body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  body.set('client_assertion', env.ASSERTION);
};

const config = await client.discovery(new URL(env.ISSUER), env.CLIENT_ID, undefined, platformAssertion, {
  algorithm: 'oauth2',
  execute: [client.allowInsecureRequests],
});
print({ step: 'discovered', dpopAlgs: config.serverMetadata().dpop_signing_alg_values_supported });

const keyPair = await client.randomDPoPKeyPair('ES256');
const DPoP = client.getDPoPHandle(config, keyPair);
const tokens = await client.clientCredentialsGrant(config, { resource: resource.href }, { DPoP });
const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
print({ step: 'token', tokenType: tokens.token_type, jkt: claims.cnf?.jkt ?? null });

const initialize = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'openid-client', version: '6' } },
});
const mcpHeaders = () => new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });

const ok = await client.fetchProtectedResource(config, tokens.access_token, resource, 'POST', initialize, mcpHeaders(), { DPoP });
const okBody = await ok.text();
print({ step: 'called', status: ok.status, initialized: okBody.includes('"result"') });

// the same token without its key: as a Bearer token
const bearer = await fetch(resource, {
  method: 'POST', body: initialize,
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens.access_token}` },
});
print({ step: 'bearer', status: bearer.status, challenge: bearer.headers.get('www-authenticate') });

// the same token with proofs by another key: openid-client reports the resource's DPoP challenge
const stranger = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
try {
  const r = await client.fetchProtectedResource(config, tokens.access_token, resource, 'POST', initialize, mcpHeaders(), { DPoP: stranger });
  print({ step: 'otherKey', status: r.status, challenge: r.headers.get('www-authenticate') });
} catch (e) {
  print({ step: 'otherKey', error: e.code ?? e.name, status: e.response?.status ?? e.status ?? null,
    challenge: e.response?.headers?.get('www-authenticate') ?? null, message: e.message });
}
print({ step: 'done' });
