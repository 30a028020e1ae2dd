#!/usr/bin/env bash
# Runs Warden's OCI image on a machine without a container runtime: unpacks it (unpack-oci.py) and
# starts its entrypoint in a chroot, in a mount namespace of its own with /proc and /dev as a runtime
# would give them, as the image's user and with its environment. Checks that
#   1. `--version` prints the version,
#   2. `server` (embedded store) becomes ready and writes its data directory as that user,
#   3. `agent run --help` and `scan --help` parse.
# Needs root (chroot, unshare, mount) and python3. Exit 0 when all hold.
#   deploy/image/check-image.sh [warden-cli/target/warden-image.tar]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${1:-warden-cli/target/warden-image.tar}
work=$(mktemp -d /tmp/warden-image-check.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 "$here/unpack-oci.py" "$image" "$work/rootfs" > "$work/config.json"
mkdir -p "$work/rootfs/proc" "$work/rootfs/dev"
cfg() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; exec(sys.argv[2])' "$work/config.json" "$1"; }
user=$(cfg 'print(c.get("User") or "0:0")')
mapfile -t entrypoint < <(cfg 'print("\n".join(c["Entrypoint"]))')
mapfile -t image_env < <(cfg 'print("\n".join(c.get("Env", [])))')
chroot_bin=$(command -v chroot); mount_bin=$(command -v mount)

# in_image [VAR=value...] -- ARGS...: the entrypoint with ARGS, as the image runs it
in_image() {
  local extra=()
  while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
  env -i "${image_env[@]}" "${extra[@]}" unshare --mount --fork --kill-child -- /bin/sh -c \
    "$mount_bin -t proc proc '$work/rootfs/proc' && $mount_bin --rbind /dev '$work/rootfs/dev' && exec \"\$@\"" sh \
    "$chroot_bin" --userspec="$user" "$work/rootfs" "${entrypoint[@]}" "$@"
}

echo "image: $image ($(du -h "$image" | cut -f1)), user $user, entrypoint: ${entrypoint[*]}"
version=$(in_image -- --version)
echo "1. --version: $version"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
in_image WARDEN_SERVER_HOST=127.0.0.1 WARDEN_SERVER_PORT="$port" -- server > "$work/server.out" 2>&1 &
server_pid=$!
ready=
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" > "$work/readyz" 2>/dev/null; then ready=yes; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then echo "2. server did not become ready:"; cat "$work/server.out"; exit 1; fi
owner=$(stat -c '%u:%g %a' "$work/rootfs/var/lib/warden/master.key")
echo "2. server: ready on 127.0.0.1:$port, /readyz $(cat "$work/readyz"); master.key $owner"
grep -m1 "is ready on port" "$work/server.out"
[ "${owner%% *}" = "$user" ] || { echo "master.key is owned by $owner, not the image's user $user"; exit 1; }
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

in_image -- agent run --help > /dev/null
in_image -- scan --help > /dev/null
echo "3. agent run --help, scan --help: ok"
echo "image check passed"
