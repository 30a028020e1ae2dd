#!/usr/bin/env bash
# Dynamic PostgreSQL users, end to end, against a running server:
#   1. a database with a table, an admin role that may only create roles, and an application role
#   2. Warden gets the admin password (write-only) and a postgres resource, a workload and a policy
#   3. the workload, with only its platform token, gets a user that did not exist a second earlier
#   4. it reads the table with psql; a session stays open
#   5. the lease is revoked: the user is dropped, its open session is killed, new logins fail
# Needs: a running 'warden server' at WARDEN_SERVER (default http://127.0.0.1:8080) with its admin
# token in WARDEN_TOKEN (or a prior 'warden login'), bash, curl, and psql reaching PostgreSQL at
# PGHOST:PGPORT (default 127.0.0.1:5432) as PGUSER (default postgres) with the right to create
# databases and roles. WARDEN_CLI overrides the CLI (default: ./warden of this checkout).
# Exits non-zero at the first step that fails. The build runs it against a fresh server
# (ExamplesTest), so it must keep working on any date; it cleans up what it created.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
warden="${WARDEN_CLI:-$root/warden}"
server="${WARDEN_SERVER:-http://127.0.0.1:8080}"
export WARDEN_SERVER="$server"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
work="$(mktemp -d)"
suffix="$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')"
db="demo_ledger_$suffix"
admin="demo_warden_admin_$suffix"
app="demo_ledger_rw_$suffix"
marker="demo_warden_managed_$suffix"
session_pid=""

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "database example: FAILED: $*" >&2; exit 1; }
sql() { psql -v ON_ERROR_STOP=1 -qtAX -d "${2:-postgres}" -c "$1"; }
role_exists() { [ "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = '$1'")" = 1 ]; }

cleanup() {
  [ -n "$session_pid" ] && kill "$session_pid" 2>/dev/null || true
  if command -v psql >/dev/null 2>&1; then
    for u in $(sql "SELECT u.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = '$marker'" 2>/dev/null || true); do
      sql "DROP ROLE IF EXISTS \"$u\"" >/dev/null 2>&1 || true
    done
    sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    for r in "$marker" "$app" "$admin"; do sql "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "0. the server and PostgreSQL are up"
curl -fsS "$server/readyz" >/dev/null || fail "no server answers at $server (start it with: ./warden server)"
command -v psql >/dev/null || fail "psql is not installed (apt-get install postgresql-client)"
sql "SELECT 1" >/dev/null || fail "PostgreSQL does not answer at $PGHOST:$PGPORT as $PGUSER"

step "1. a database, an admin role that may only create roles, and the role issued users get"
admin_password="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
sql "CREATE DATABASE $db"
sql "CREATE ROLE $admin LOGIN CREATEROLE PASSWORD '$admin_password'"
sql "CREATE ROLE $app NOLOGIN"
sql "CREATE TABLE invoices (id INT PRIMARY KEY, amount INT); INSERT INTO invoices VALUES (1, 4200), (2, 1337);
     GRANT SELECT ON invoices TO $app" "$db"
echo "database $db, admin $admin (CREATEROLE only), role $app (SELECT on invoices)"

step "2. give Warden the admin password (write-only: it comes back only as a fingerprint)"
ADMIN_PASSWORD="$admin_password" "$warden" database password set "ledger-admin-$suffix" --from-env ADMIN_PASSWORD \
  || fail "database password set"
"$warden" database password list | grep -q "ledger-admin-$suffix" || fail "the password is not listed"
"$warden" database password list | grep -q "$admin_password" && fail "the password itself was printed"

step "3. a trust provider, the workload, the postgres resource and a policy granting database users"
"$warden" dev issuer-init --dir "$work/issuer" --issuer https://demo-db-k8s.warden.local --name demo-db-k8s \
  --audience warden > "$work/trust-provider.yaml"
cat > "$work/ledger.yaml" <<YAML
apiVersion: warden.dev/v1
kind: Workload
spec:
  spiffeId: spiffe://warden.local/ns/billing/sa/reports
  selectors: [k8s:ns=billing, k8s:sa=reports, trust:provider=demo-db-k8s]
  owner: bob@example.com
---
apiVersion: warden.dev/v1
kind: Resource
metadata: {name: billing-db}
spec:
  audience: postgres://$PGHOST:$PGPORT/$db
  kind: postgres
  sensitivity: high
  database:
    url: jdbc:postgresql://$PGHOST:$PGPORT/$db
    adminUser: $admin
    adminPasswordSecret: ledger-admin-$suffix
    roles: [$app]
    markerRole: $marker
    maxTtl: 15m
    maxLeasesPerWorkload: 3
---
apiVersion: warden.dev/v1
kind: AccessPolicy
metadata: {name: reports-read-billing}
spec:
  workloads: {spiffeIds: [spiffe://warden.local/ns/billing/sa/reports]}
  resources: [billing-db]
  credentialKind: database_user
  maxTtl: 10m
YAML
"$warden" apply -f "$work/trust-provider.yaml" -f "$work/ledger.yaml" || fail "apply"
"$warden" get resource billing-db --output json | grep -q "$admin_password" && fail "the password is in the resource"

step "4. the workload asks for a user with only its platform token (no secret of its own)"
before="$(sql "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'w\\_ns\\_billing\\_sa\\_reports\\_%'")"
echo "users of this workload in PostgreSQL before: $before"
platform_token="$("$warden" dev mint --dir "$work/issuer" --kubernetes billing/reports)"
status=$(curl -sS -o "$work/credential.json" -D "$work/headers.txt" -w '%{http_code}' -X POST "$server/v1/credentials" \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  --data-urlencode "client_assertion=$platform_token" \
  -d resource=billing-db)
[ "$status" = 200 ] || { cat "$work/credential.json"; fail "/v1/credentials answered $status"; }
grep -qi '^cache-control: no-store' "$work/headers.txt" || fail "the answer must not be cached"
field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$work/credential.json"; }
user="$(field username)"; password="$(field password)"; lease="$(field lease_id)"
[ -n "$user" ] && [ -n "$password" ] || fail "no username or password in the answer"
echo "issued user $user (lease $lease), expires $(field expires_at); password: ${#password} characters, not shown"
role_exists "$user" || fail "$user does not exist in PostgreSQL"
[ "$before" = 0 ] || fail "a user of this workload existed before"

step "5. it reads the table as that user (psql); a second session stays open"
PGPASSWORD="$password" psql -v ON_ERROR_STOP=1 -U "$user" -d "$db" -tAc \
  "SELECT current_user, count(*), sum(amount) FROM invoices" || fail "psql as $user"
PGPASSWORD="$password" psql -U "$user" -d "$db" -tAc "SELECT pg_sleep(120)" > "$work/session.log" 2>&1 &
session_pid=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$user'")" -ge 1 ] && break; sleep 0.1
done
[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$user'")" -ge 1 ] || fail "no live session of $user"
"$warden" database leases --state active | grep "$user" || fail "the lease is not listed as active"

step "6. revoke the lease: Warden drops the user and kills its live session"
"$warden" database revoke "$lease" || fail "revoke"
for _ in $(seq 1 100); do role_exists "$user" || break; sleep 0.2; done
role_exists "$user" && fail "$user still exists 20 s after revocation"
echo "$user is gone"
for _ in $(seq 1 50); do kill -0 "$session_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$session_pid" 2>/dev/null && fail "the open session of $user is still running"
session_status=0; wait "$session_pid" || session_status=$?; session_pid=""
[ "$session_status" != 0 ] || fail "the open session ended normally instead of being terminated"
echo "its open session was terminated: $(tr '\n' ' ' < "$work/session.log" | cut -c1-120)"
if PGPASSWORD="$password" psql -U "$user" -d "$db" -tAc "SELECT 1" >/dev/null 2>&1; then
  fail "$user can still log in"
fi
echo "a new login as $user is refused"
"$warden" database leases --state revoked | grep -q "$user" || fail "the lease is not listed as revoked"

step "7. the audit log has the issuance and the removal, and no password"
"$warden" audit list --type credential.removed --limit 5 --output json | grep -q "$user" \
  || fail "no credential.removed event for $user"
"$warden" audit list --limit 50 --output json | grep -q "$password" && fail "the password is in the audit log"
"$warden" audit verify || fail "audit chain"

step "database example passed"
