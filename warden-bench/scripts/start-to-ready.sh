#!/usr/bin/env bash
# Start-to-ready and resident memory of 'warden server' on the embedded store.
# Usage: warden-bench/scripts/start-to-ready.sh [runs=5]
# Each run starts the server (the first run on an empty data directory, the others on the same
# one, as a restart), polls /readyz every 20 ms, and prints the milliseconds from process start
# to the first 200 and the server's RSS at that moment (from /proc/<pid>/status).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-5}"
data="$(mktemp -d)"
port=$((20000 + RANDOM % 10000))
"$root/warden" --version >/dev/null   # builds the jar if needed (the server's class-data archive is
                                      # written when the first run below is stopped)
trap 'rm -rf "$data"' EXIT
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  (cd "$data" && exec "$root/warden" server --port "$port" --data-dir "$data/warden-data" >"$data/log.$i" 2>&1) &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    sleep 0.02
    kill -0 "$pid" 2>/dev/null || { echo "server exited; see $data/log.$i" >&2; cat "$data/log.$i" >&2; exit 1; }
  done
  end=$(date +%s%N)
  jpid=$(pgrep -f "warden.jar server --port $port" | head -n1)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$jpid/status")
  printf 'run %d: ready in %d ms, RSS %d MB%s\n' "$i" $(( (end - start) / 1000000 )) $(( rss / 1024 )) \
    "$([ "$i" = 1 ] && echo ' (first start: creates keys, master key, bootstrap token)')"
  kill "$jpid"; wait "$pid" 2>/dev/null || true
done
