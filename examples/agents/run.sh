#!/usr/bin/env bash
# AI agents acting for a service, with the chain of who acted for whom provable end to end:
#   1. register a frontend, a planner agent, a researcher sub-agent and the policies
#   2. the frontend gets a token for the orders API
#   3. the planner exchanges it (RFC 8693, actor_token) for a token naming the frontend as subject
#      and itself as actor; the researcher exchanges that one: the act chain nests
#   4. a third hop is refused by policy (at most two actors), and audited in the chain
#   5. a transaction token (txn) carries the order's context; a grant presenting it records its txn
#   6. 'warden audit chain' prints the tree of hops and verifies every hash offline
#   7. 'warden policy explain' shows how a delegated request is decided
#   8. the planner calls an MCP server through Warden's MCP gateway for the frontend: one tool
#      allowed, one denied by policy; the MCP server gets only its own credential (a brokered
#      secret the gateway injects); the tool calls are hops of the verified chain
# Needs: a running 'warden server' at WARDEN_SERVER, its admin token in WARDEN_TOKEN (or a prior
# 'warden login'), bash, curl and base64. WARDEN_CLI overrides the CLI (default: ./warden).
# Exits non-zero at the first step that fails; the build runs it against a fresh server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
warden="${WARDEN_CLI:-$root/warden}"
server="${WARDEN_SERVER:-http://127.0.0.1:8080}"
export WARDEN_SERVER="$server"
work="$(mktemp -d)"
mcp_pid=""
trap 'if [ -n "$mcp_pid" ]; then kill "$mcp_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "agents: FAILED: $*" >&2; exit 1; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$2"; }
claims() {
  local p; p=$(printf '%s' "$1" | cut -d. -f2 | tr '_-' '/+')
  while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
  printf '%s' "$p" | base64 -d
}
td=spiffe://warden.local/ns/agents-demo/sa
jwt=urn:ietf:params:oauth:token-type:jwt
access=urn:ietf:params:oauth:token-type:access_token

step "0. server is up"
curl -fsS "$server/readyz" >/dev/null || fail "no server answers at $server"

step "1. register the workloads, the orders API, the transaction resource and the policies"
"$warden" dev issuer-init --dir "$work/issuer" --issuer https://demo-k8s.warden.local --audience warden \
  > "$work/trust-provider.yaml"
"$warden" apply -f "$work/trust-provider.yaml" -f "$here/identities.yaml" -f "$here/policies.yaml" || fail "apply"
frontend_pt="$("$warden" dev mint --dir "$work/issuer" --kubernetes agents-demo/frontend)"
planner_pt="$("$warden" dev mint --dir "$work/issuer" --kubernetes agents-demo/planner)"
researcher_pt="$("$warden" dev mint --dir "$work/issuer" --kubernetes agents-demo/researcher)"

step "2. the frontend gets a 10-minute token for the orders API"
status=$(curl -sS -o "$work/frontend.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=client_credentials \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$frontend_pt" \
  --data-urlencode resource=https://orders.agents-demo.example.com \
  --data-urlencode "scope=orders:read orders:write")
[ "$status" = 200 ] || { cat "$work/frontend.json"; fail "frontend token: $status"; }
frontend_token=$(field access_token "$work/frontend.json")
root_id=$(claims "$frontend_token" | sed -n 's/.*"jti":"\([^"]*\)".*/\1/p')
echo "frontend token jti (the chain's root): $root_id"

exchange() { # subject_token actor_platform_token scope outfile
  curl -sS -o "$4" -w '%{http_code}' -X POST "$server/oauth2/token" \
    -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$1" -d subject_token_type=$access \
    --data-urlencode "actor_token=$2" -d actor_token_type=$jwt \
    --data-urlencode resource=https://orders.agents-demo.example.com \
    --data-urlencode "scope=$3"
}

step "3a. the planner acts for the frontend: token exchange with actor_token, down-scoped to orders:read"
status=$(exchange "$frontend_token" "$planner_pt" "orders:read" "$work/planner.json")
[ "$status" = 200 ] || { cat "$work/planner.json"; fail "planner exchange: $status"; }
planner_token=$(field access_token "$work/planner.json")
claims "$planner_token"; echo
claims "$planner_token" | grep -q "\"sub\":\"$td/frontend\"" || fail "the planner's token does not name the frontend"
claims "$planner_token" | grep -q "\"act\":{\"sub\":\"$td/planner\"}" || fail "no act claim naming the planner"

step "3b. the planner cannot widen what it was given (orders:write is not in its token)"
status=$(exchange "$planner_token" "$researcher_pt" "orders:write" "$work/wider.json")
cat "$work/wider.json"; echo
[ "$status" = 400 ] && grep -q invalid_scope "$work/wider.json" || fail "a wider scope was not refused"

step "3c. the researcher acts for the frontend through the planner: the chain nests"
status=$(exchange "$planner_token" "$researcher_pt" "orders:read" "$work/researcher.json")
[ "$status" = 200 ] || { cat "$work/researcher.json"; fail "researcher exchange: $status"; }
researcher_token=$(field access_token "$work/researcher.json")
claims "$researcher_token"; echo
claims "$researcher_token" | grep -q "\"act\":{\"sub\":\"$td/researcher\",\"act\":{\"sub\":\"$td/planner\"}}" \
  || fail "the act chain does not nest researcher over planner"

step "4. a third hop is refused: the policy allows at most two actors"
status=$(exchange "$researcher_token" "$planner_pt" "orders:read" "$work/third.json")
cat "$work/third.json"; echo
[ "$status" = 400 ] && grep -q access_denied "$work/third.json" || fail "a third hop was not refused"

step "5. a transaction token for placing an order, then a grant that presents it"
status=$(curl -sS -o "$work/txn.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
  -d requested_token_type=urn:ietf:params:oauth:token-type:txn_token \
  -d audience=warden.local -d scope=order.place \
  --data-urlencode "subject_token=$frontend_token" -d subject_token_type=$access \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$frontend_pt" \
  --data-urlencode 'request_details={"action":"place","sku":"B-42","quantity":2}')
[ "$status" = 200 ] || { cat "$work/txn.json"; fail "transaction token: $status"; }
grep -q '"token_type":"N_A"' "$work/txn.json" || fail "a Txn-Token response has token_type N_A"
txn_token=$(field access_token "$work/txn.json")
claims "$txn_token"; echo
txn=$(claims "$txn_token" | sed -n 's/.*"txn":"\([^"]*\)".*/\1/p')
[ -n "$txn" ] || fail "no txn in the transaction token"
status=$(curl -sS -o "$work/downstream.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -H "Txn-Token: $txn_token" -H "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" \
  -d grant_type=client_credentials \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$frontend_pt" \
  --data-urlencode resource=https://orders.agents-demo.example.com -d scope=orders:write)
[ "$status" = 200 ] || { cat "$work/downstream.json"; fail "grant under the transaction: $status"; }

step "6. the chain of hops from the frontend's token, every hash re-checked here"
"$warden" audit chain "$root_id" --verify | tee "$work/chain.txt" || fail "the chain does not verify"
grep -q "DENY" "$work/chain.txt" || fail "the refused third hop is not in the chain"
"$warden" audit chain "$txn" --verify || fail "the transaction's chain does not verify"

step "7. how a delegated request is decided"
"$warden" policy explain --workload "$td/researcher" --resource agents-demo-orders \
  --on-behalf-of "$td/frontend" --through "$td/planner" --scope orders:read || fail "explain: not allowed"

step "8a. a demo MCP server that accepts only its own key, and Warden's gateway in front of it"
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/upstream.key"
"$warden" dev mcp-server --url-file "$work/mcp.url" --tools search_orders,cancel_order \
  --require-bearer-file "$work/upstream.key" > "$work/mcp.log" 2>&1 &
mcp_pid=$!
for _ in $(seq 1 100); do [ -s "$work/mcp.url" ] && break; sleep 0.2; done
[ -s "$work/mcp.url" ] || { cat "$work/mcp.log"; fail "the demo MCP server did not start"; }
mcp_url=$(cat "$work/mcp.url")
# the MCP server's key is a brokered secret: the gateway injects it, no agent ever holds it
"$warden" secret put agents-demo-orders-mcp-key --cas 0 --owner ai-platform@example.com \
  --value-file "$work/upstream.key" >/dev/null || fail "store the MCP server's key"
gateway="${server%/}/mcp/agents-demo-orders-mcp"
sed -e "s#GATEWAY#$gateway#" -e "s#UPSTREAM#$mcp_url#" "$here/mcp.yaml" > "$work/mcp.yaml"
"$warden" apply -f "$work/mcp.yaml" || fail "apply the gateway"

step "8b. the frontend's token for the gateway, exchanged by the planner (it acts for the frontend)"
status=$(curl -sS -o "$work/fe-mcp.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=client_credentials \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$frontend_pt" --data-urlencode "resource=$gateway")
[ "$status" = 200 ] || { cat "$work/fe-mcp.json"; fail "frontend token for the gateway: $status"; }
fe_mcp_token=$(field access_token "$work/fe-mcp.json")
mcp_root=$(claims "$fe_mcp_token" | sed -n 's/.*"jti":"\([^"]*\)".*/\1/p')
status=$(curl -sS -o "$work/planner-mcp.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
  --data-urlencode "subject_token=$fe_mcp_token" -d subject_token_type=$access \
  --data-urlencode "actor_token=$planner_pt" -d actor_token_type=$jwt --data-urlencode "resource=$gateway")
[ "$status" = 200 ] || { cat "$work/planner-mcp.json"; fail "planner exchange for the gateway: $status"; }
planner_mcp_token=$(field access_token "$work/planner-mcp.json")

mcp() { # body -> prints the response; the agent's token is for the gateway only
  curl -sS -X POST "$gateway" -H "Authorization: Bearer $planner_mcp_token" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2025-06-18' --data "$1"
}

step "8c. without a token the gateway answers 401 and points at its protected-resource metadata"
curl -sS -o /dev/null -D "$work/401.txt" -X POST "$gateway" -H 'Content-Type: application/json' \
  --data '{"jsonrpc":"2.0","id":1,"method":"ping"}'
grep -i '^www-authenticate: Bearer.*resource_metadata=' "$work/401.txt" || fail "no RFC 9728 challenge"

step "8d. initialize, then the allowed tool through the gateway"
mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"planner","version":"1"}}}' \
  > "$work/init.json"
grep -q '"serverInfo"' "$work/init.json" || { cat "$work/init.json"; fail "initialize through the gateway"; }
mcp '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_orders","arguments":{"sku":"B-42"}}}' \
  | tee "$work/allowed.json"; echo
grep -q 'search_orders ran with' "$work/allowed.json" || fail "the allowed tool did not run"

step "8e. the denied tool: refused by policy, never forwarded"
mcp '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"cancel_order","arguments":{"id":"o-1"}}}' \
  | tee "$work/denied.json"; echo
grep -q '"error"' "$work/denied.json" || fail "the denied tool was not refused"

step "8f. the tool calls are hops of the frontend token's chain, verified here"
"$warden" audit chain "$mcp_root" --verify | tee "$work/mcp-chain.txt" || fail "the chain does not verify"
grep -q "mcp.tool_call" "$work/mcp-chain.txt" && grep -q "mcp.tool_denied" "$work/mcp-chain.txt" \
  || fail "the tool calls are not in the chain"
echo
echo "agents: OK"
