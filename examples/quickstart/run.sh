#!/usr/bin/env bash
# The README walkthrough, end to end, against a running server:
#   1. register a trust provider (a demo Kubernetes-style issuer), a workload, a resource, a policy
#   2. obtain a Warden token with curl, using the workload's platform token (no client secret)
#   3. read the audit event of that issuance
# Needs: a running 'warden server' at WARDEN_SERVER (default http://127.0.0.1:8080), its admin
# token in WARDEN_TOKEN (or a prior 'warden login'), bash and curl. WARDEN_CLI overrides the CLI
# (default: ./warden of this checkout). Exits non-zero at the first step that fails.
# The build runs it against a fresh server (ExamplesTest), so it must keep working on any date.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
warden="${WARDEN_CLI:-$root/warden}"
server="${WARDEN_SERVER:-http://127.0.0.1:8080}"
export WARDEN_SERVER="$server"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "quickstart: FAILED: $*" >&2; exit 1; }

step "0. server is up"
curl -fsS "$server/readyz" >/dev/null || fail "no server answers at $server (start it with: ./warden server)"

step "1. register a trust provider, a workload, a resource and a policy"
"$warden" dev issuer-init --dir "$work/issuer" --issuer https://demo-k8s.warden.local --audience warden \
  > "$work/trust-provider.yaml"
"$warden" apply -f "$work/trust-provider.yaml" -f "$here/workload.yaml" -f "$here/resource.yaml" \
  -f "$here/policy.yaml" || fail "apply"
"$warden" apply -f "$work/trust-provider.yaml" -f "$here/" --dry-run > "$work/dry-run.txt" || fail "apply --dry-run"
cat "$work/dry-run.txt"
if grep -v unchanged "$work/dry-run.txt" | grep -q .; then fail "a second apply would change something"; fi

step "2. the workload's platform token (what Kubernetes mounts at /var/run/secrets/tokens/...)"
platform_token="$("$warden" dev mint --dir "$work/issuer" --kubernetes payments/api)"
echo "${platform_token:0:40}..."

step "3. exchange it for a 5-minute Warden token (RFC 7523 client assertion; no client secret)"
status=$(curl -sS -o "$work/token.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=client_credentials \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$platform_token" \
  --data-urlencode resource=https://ledger.example.com \
  -d scope=ledger:write)
cat "$work/token.json"; echo
[ "$status" = 200 ] || fail "token endpoint answered $status"
access_token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$work/token.json")
[ -n "$access_token" ] || fail "no access_token in the response"
payload=$(printf '%s' "$access_token" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
echo "claims: $(printf '%s' "$payload" | base64 -d)"

step "4. a workload the policy does not cover is denied, with a reason"
other_token="$("$warden" dev mint --dir "$work/issuer" --kubernetes payments/unregistered)"
status=$(curl -sS -o "$work/deny.json" -w '%{http_code}' -X POST "$server/oauth2/token" \
  -d grant_type=client_credentials \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$other_token" \
  --data-urlencode resource=https://ledger.example.com)
cat "$work/deny.json"; echo
# RFC 6749 section 5.2: invalid_client is 400, or 401 when the client authenticated over HTTP
case "$status" in 400|401) ;; *) fail "expected 400 or 401 for an unregistered workload, got $status" ;; esac
grep -q '"error":"invalid_client"' "$work/deny.json" || fail "expected error invalid_client"
grep -q 'unknown_workload\|no registered workload' "$work/deny.json" || fail "the denial should say why"

step "5. why was it allowed? (explain assumes the request a real one from here would be)"
explained=0
"$warden" policy explain --workload spiffe://warden.local/ns/payments/sa/api --resource ledger-api \
  --scope ledger:write > "$work/explain.txt" || explained=$?
cat "$work/explain.txt"
[ "$explained" = 0 ] && grep -q '^ALLOW' "$work/explain.txt" || fail "explain should say ALLOW for the request that was allowed"

step "6. the audit log recorded both decisions (newest first)"
"$warden" audit list --limit 3
"$warden" audit list --type token.issued --limit 1 --output json | grep -q '"reason" : "allowed"' \
  || fail "no token.issued audit event"
"$warden" audit verify || fail "audit chain"

step "quickstart passed"
