#!/usr/bin/env bash
# The secretless edge, end to end, against a running server:
#   1. a PostgreSQL database, a MariaDB database and a Redis key space, each with an admin account
#      Warden uses to create per-workload users (and nothing else)
#   2. Warden gets the admin passwords (write-only), three resources, a workload registered by its
#      Unix uid, and a policy granting it database users on all three
#   3. a Warden agent joins and runs a proxy for each on a Unix socket
#   4. the "application" — psql, the mariadb client and redis-cli, with NO password, no user and no
#      PGPASSWORD/MYSQL_PWD/REDISCLI_AUTH anywhere — reaches all three through the agent, as the
#      users Warden issued to its workload
#   5. the audit log shows each connection with its attested caller and lease; no password in it
# Needs: a running 'warden server' over HTTPS at WARDEN_SERVER (the agent asks for each workload's
# credential with that workload's X.509-SVID over mTLS) with its admin token in WARDEN_TOKEN;
# WARDEN_CA_FILE when its certificate is not publicly trusted (a tls.selfIssued server's bundle);
# bash, curl, psql (PostgreSQL at 127.0.0.1:5432 as postgres, may create databases and roles), the
# mariadb client (MariaDB at 127.0.0.1:3306 as root) and redis-cli (Redis at 127.0.0.1:6379, default
# user). WARDEN_CLI overrides the CLI (default: ./warden of this checkout). Exits non-zero at the
# first step that fails; does not depend on the date; removes what it created.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
warden="${WARDEN_CLI:-$root/warden}"
server="${WARDEN_SERVER:-https://localhost:8443}"
export WARDEN_SERVER="$server"
work="$(mktemp -d)"
sfx="$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')"
pgdb="edge_ledger_$sfx"; pgadmin="edge_admin_$sfx"; pgrole="edge_rw_$sfx"; marker="edge_managed_$sfx"
mydb="edge_shop_$sfx"; myadmin="edge_admin_$sfx"; myrole="edge_rw_$sfx"
rdadmin="edge_admin_$sfx"
agent_pid=""

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "edge example: FAILED: $*" >&2; [ -f "$work/agent.log" ] && tail -30 "$work/agent.log" >&2; exit 1; }
pg() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtAX -d "${2:-postgres}" -c "$1"; }
my() { mariadb --no-defaults -h 127.0.0.1 -P 3306 -u root -N -B -e "$1"; }
rd() { redis-cli -h 127.0.0.1 -p 6379 "$@"; }

cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  for u in $(pg "SELECT u.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = '$marker'" 2>/dev/null || true); do
    pg "DROP ROLE IF EXISTS \"$u\"" >/dev/null 2>&1 || true
  done
  pg "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
  for r in "$marker" "$pgrole" "$pgadmin"; do pg "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
  for u in $(my "SELECT user FROM mysql.user WHERE user LIKE 'e${sfx}\\_%'" 2>/dev/null || true); do
    my "DROP USER IF EXISTS '$u'@'%'" >/dev/null 2>&1 || true
  done
  my "DROP DATABASE IF EXISTS $mydb; DROP ROLE IF EXISTS $myrole; DROP USER IF EXISTS '$myadmin'@'%'" >/dev/null 2>&1 || true
  for u in $(rd ACL USERS 2>/dev/null | grep "^r${sfx}" || true); do rd ACL DELUSER "$u" >/dev/null 2>&1 || true; done
  rd ACL DELUSER "$rdadmin" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "0. the server and the three databases are up"
curl -fsS "$server/readyz" >/dev/null || fail "no server answers at $server"
case "$server" in https://*) ;; *) fail "the agent's proxies need the server over HTTPS (mTLS as each workload)";; esac
for c in psql mariadb redis-cli; do command -v "$c" >/dev/null || fail "$c is not installed"; done
pg "SELECT 1" >/dev/null || fail "PostgreSQL does not answer at 127.0.0.1:5432"
my "SELECT 1" >/dev/null || fail "MariaDB does not answer at 127.0.0.1:3306"
[ "$(rd PING)" = PONG ] || fail "Redis does not answer at 127.0.0.1:6379"

step "1. each target: its data, the role issued users get, an admin that may only create users"
pw_pg="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"; pw_my="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
pw_rd="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
pg "CREATE DATABASE $pgdb"
pg "CREATE ROLE $pgadmin LOGIN CREATEROLE PASSWORD '$pw_pg'; GRANT pg_signal_backend TO $pgadmin; CREATE ROLE $pgrole NOLOGIN"
pg "CREATE TABLE invoices (id INT PRIMARY KEY, amount INT); INSERT INTO invoices VALUES (1, 4200);
    GRANT SELECT ON invoices TO $pgrole" "$pgdb"
my "CREATE DATABASE $mydb; CREATE TABLE $mydb.orders (id INT PRIMARY KEY, item VARCHAR(40));
    INSERT INTO $mydb.orders VALUES (1, 'lamp'); CREATE ROLE $myrole; GRANT SELECT ON $mydb.* TO $myrole;
    CREATE USER '$myadmin'@'%' IDENTIFIED BY '$pw_my';
    GRANT CREATE USER, PROCESS, CONNECTION ADMIN ON *.* TO '$myadmin'@'%';
    GRANT SELECT ON mysql.user TO '$myadmin'@'%'; GRANT $myrole TO '$myadmin'@'%' WITH ADMIN OPTION"
rd ACL SETUSER "$rdadmin" on ">$pw_rd" +acl +client +ping >/dev/null
rd SET "cart:$sfx:1" "2 lamps" >/dev/null
echo "PostgreSQL $pgdb, MariaDB $mydb, Redis keys cart:$sfx:*"

step "2. Warden: the admin passwords (write-only), the resources, the workload and its policy"
for t in pg my rd; do
  v="pw_$t"; PW="${!v}" "$warden" database password set "edge-$t-$sfx" --from-env PW >/dev/null || fail "password $t"
done
uid="$(id -u)"
cat > "$work/edge.yaml" <<YAML
kind: Resource
metadata: {name: edge-ledger-$sfx}
spec:
  audience: postgres://edge-ledger-$sfx
  kind: postgres
  database: {url: "jdbc:postgresql://127.0.0.1:5432/$pgdb", adminUser: $pgadmin, adminPasswordSecret: edge-pg-$sfx,
             roles: [$pgrole], markerRole: $marker}
---
kind: Resource
metadata: {name: edge-shop-$sfx}
spec:
  audience: mariadb://edge-shop-$sfx
  kind: mariadb
  database: {url: "jdbc:mariadb://127.0.0.1:3306/$mydb", adminUser: $myadmin, adminPasswordSecret: edge-my-$sfx,
             roles: [$myrole], usernameTemplate: "e${sfx}_{workload}_{random}"}
---
kind: Resource
metadata: {name: edge-cache-$sfx}
spec:
  audience: redis://edge-cache-$sfx
  kind: redis
  database: {url: "redis://127.0.0.1:6379", adminUser: $rdadmin, adminPasswordSecret: edge-rd-$sfx,
             acl: ["~cart:$sfx:*", "+get", "+set", "+ping", "+acl|whoami"], usernameTemplate: "r${sfx}_{workload}_{random}"}
---
kind: Workload
spec:
  spiffeId: spiffe://warden.local/edge-demo-$sfx/app
  selectors: ["unix:uid=$uid"]
  nodeSelectors: ["node:demo=$sfx"]
  owner: edge-demo@example.org
---
kind: AccessPolicy
metadata: {name: edge-app-$sfx}
spec:
  workloads: {spiffeIds: [spiffe://warden.local/edge-demo-$sfx/app]}
  resources: [edge-ledger-$sfx, edge-shop-$sfx, edge-cache-$sfx]
  credentialKind: database_user
  maxTtl: 15m
YAML
"$warden" apply -f "$work/edge.yaml" || fail "apply"

step "3. an agent joins and runs a proxy per target, each on a Unix socket"
join="$("$warden" agent token create --selector "node:demo=$sfx" 2>/dev/null)"
ca=(); [ -n "${WARDEN_CA_FILE:-}" ] && ca=(--server-ca "$WARDEN_CA_FILE")
"$warden" agent run --server "$server" "${ca[@]}" --join-token "$join" --data-dir "$work/agent" \
  --socket "$work/agent/workload.sock" \
  --proxy "postgres:resource=edge-ledger-$sfx,listen=unix:$work/pg/.s.PGSQL.5432,upstream-tls=disable" \
  --proxy "mysql:resource=edge-shop-$sfx,listen=unix:$work/mysql.sock,upstream-tls=disable" \
  --proxy "redis:resource=edge-cache-$sfx,listen=unix:$work/redis.sock,upstream-tls=disable" \
  > "$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 150); do
  [ -S "$work/redis.sock" ] && grep -q "redis proxy for resource" "$work/agent.log" && break
  kill -0 "$agent_pid" 2>/dev/null || fail "the agent exited"
  sleep 0.2
done
grep -q "redis proxy for resource" "$work/agent.log" || fail "the agent's proxies did not start"
grep "proxy for resource" "$work/agent.log"
echo "(the databases here take local connections without TLS, hence upstream-tls=disable; the default is verify-full)"

step "4. the application: no password, no user, no secret in its environment"
unset PGPASSWORD PGUSER MYSQL_PWD REDISCLI_AUTH || true
pguser="$(psql -h "$work/pg" -p 5432 -d anything -qtAX -c "SELECT current_user")" || fail "psql through the agent"
[ "$(psql -h "$work/pg" -p 5432 -d anything -qtAX -c "SELECT amount FROM invoices WHERE id = 1")" = 4200 ] \
  || fail "psql did not read the table"
echo "PostgreSQL: logged in as $pguser, read invoice 1"
case "$pguser" in w_*) ;; *) fail "not a user Warden issued: $pguser";; esac
myuser="$(mariadb --no-defaults --socket="$work/mysql.sock" -N -B -e "SELECT CURRENT_USER()")" || fail "mariadb through the agent"
myuser="${myuser%@*}"
[ "$(mariadb --no-defaults --socket="$work/mysql.sock" -N -B -e "SELECT item FROM $mydb.orders WHERE id = 1")" = lamp ] \
  || fail "mariadb did not read the table"
echo "MariaDB: logged in as $myuser, read order 1"
case "$myuser" in e${sfx}_*) ;; *) fail "not a user Warden issued: $myuser";; esac
rduser="$(redis-cli -s "$work/redis.sock" ACL WHOAMI)" || fail "redis-cli through the agent"
[ "$(redis-cli -s "$work/redis.sock" GET "cart:$sfx:1")" = "2 lamps" ] || fail "redis-cli did not read the key"
echo "Redis: logged in as $rduser, read cart:$sfx:1"
case "$rduser" in r${sfx}_*) ;; *) fail "not a user Warden issued: $rduser";; esac
[ "$(redis-cli -s "$work/redis.sock" GET "other:key" 2>&1 | grep -c NOPERM)" = 1 ] \
  || fail "the issued Redis user reached a key outside its ACL"

step "5. the audit log: each connection with its attested caller and lease, and no password"
for _ in $(seq 1 10); do
  events="$("$warden" audit list --type connection.proxied --limit 50 --output json)"
  echo "$events" | grep -q "$pguser" && echo "$events" | grep -q "$rduser" && echo "$events" | grep -q "$myuser" && break
  sleep 1
done
for u in "$pguser" "$myuser" "$rduser"; do echo "$events" | grep -q "$u" || fail "no connection.proxied event for $u"; done
echo "$events" | grep -q '"caller.path"' || fail "the events do not name the calling executable"
"$warden" audit list --limit 200 --output json | grep -q -e "$pw_pg" -e "$pw_my" -e "$pw_rd" \
  && fail "an admin password is in the audit log"
"$warden" audit verify || fail "audit chain"
echo "edge example: OK"
