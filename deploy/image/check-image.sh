#!/usr/bin/env bash
# Runs Warden's OCI image on a machine without a container runtime: unpacks it (unpack-oci.py) and
# starts its entrypoint in a chroot, in a mount namespace of its own with /proc and /dev as a runtime
# would give them, as the image's user and with its environment. Checks that
#   1. `--version` prints the version,
#   2. `server` (embedded store) becomes ready and writes its data directory as that user,
#   3. `agent run --help` and `scan --help` parse,
#   4. the agent, started with the command and arguments of deploy/kubernetes/agent-daemonset.yaml
#      (a join token from that server instead of the projected token, paths under /tmp), attests,
#      serves the Workload API socket and answers /readyz.
# Needs root (chroot, unshare, mount), python3 with PyYAML, curl. Exit 0 when all hold.
#   deploy/image/check-image.sh [warden-cli/target/warden-image.tar]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${1:-warden-cli/target/warden-image.tar}
work=$(mktemp -d /tmp/warden-image-check.XXXXXX)
server_pid=
agent_pid=
# a background run is a process group of its own (setsid): unshare --fork ignores SIGTERM, so the
# whole group — unshare, the shell, the JVM — is signalled, and waited for before the files go
stop() { [ -n "$1" ] || return 0; kill -TERM -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
cleanup() { stop "$agent_pid"; stop "$server_pid"; rm -rf "$work"; }
trap cleanup EXIT

python3 "$here/unpack-oci.py" "$image" "$work/rootfs" > "$work/config.json"
mkdir -p "$work/rootfs/proc" "$work/rootfs/dev"
cfg() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; exec(sys.argv[2])' "$work/config.json" "$1"; }
user=$(cfg 'print(c.get("User") or "0:0")')
mapfile -t entrypoint < <(cfg 'print("\n".join(c["Entrypoint"]))')
mapfile -t image_env < <(cfg 'print("\n".join(c.get("Env", [])))')
chroot_bin=$(command -v chroot); mount_bin=$(command -v mount)

# as_image USER [VAR=value...] -- COMMAND...: COMMAND in the image's root, with its environment
as_image() {
  local uid=$1 extra=()
  shift
  while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
  # EXEC=exec for a background run: the job's pid is then the group's (setsid does not fork)
  ${EXEC:-} setsid env -i "${image_env[@]}" "${extra[@]}" unshare --mount --fork --kill-child -- /bin/sh -c \
    "$mount_bin -t proc proc '$work/rootfs/proc' && $mount_bin --rbind /dev '$work/rootfs/dev' && exec \"\$@\"" sh \
    "$chroot_bin" --userspec="$uid" "$work/rootfs" "$@"
}
# in_image [VAR=value...] -- ARGS...: the entrypoint with ARGS, as the image runs it
in_image() {
  local extra=()
  while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
  as_image "$user" "${extra[@]}" -- "${entrypoint[@]}" "$@"
}

echo "image: $image ($(du -h "$image" | cut -f1)), user $user, entrypoint: ${entrypoint[*]}"
version=$(in_image -- --version)
echo "1. --version: $version"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
EXEC=exec in_image WARDEN_SERVER_HOST=127.0.0.1 WARDEN_SERVER_PORT="$port" -- server > "$work/server.out" 2>&1 &
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
in_image -- agent run --help > /dev/null
in_image -- scan --help > /dev/null
echo "3. agent run --help, scan --help: ok"

# 4. the DaemonSet's command line, pointed at this server
admin=$(grep -o 'wdn_[0-9a-f]*_[A-Za-z0-9_-]*' "$work/server.out" | head -n1)
join=$(in_image -- agent token create --server "http://127.0.0.1:$port" --token "$admin" --selector node:pool=check 2>/dev/null)
status_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mapfile -t agent_cmd < <(python3 - "$here/../kubernetes/agent-daemonset.yaml" "http://127.0.0.1:$port" "$join" "$status_port" <<'PY'
import sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))
c = ds["spec"]["template"]["spec"]["containers"][0]
args, out, skip = c["args"], [], False
swap = {"--server": sys.argv[2], "--socket": "/tmp/agent/workload.sock", "--data-dir": "/tmp/agent/data",
        "--status-listen": "127.0.0.1:" + sys.argv[4]}
for i, a in enumerate(args):
    if skip:
        skip = False
    elif a == "--platform-token-file":      # no Kubernetes here: a join token stands in for it
        out += ["--join-token", sys.argv[3]]; skip = True
    elif a in swap:
        out += [a, swap[a]]; skip = True
    else:
        out.append(a)
print("\n".join(c["command"] + out))
PY
)
mkdir -p "$work/rootfs/tmp/agent"
# root in the container, as the DaemonSet runs it
EXEC=exec as_image 0:0 -- "${agent_cmd[@]}" > "$work/agent.out" 2>&1 &
agent_pid=$!
ready=
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$status_port/readyz" > "$work/agent-readyz" 2>/dev/null; then ready=yes; break; fi
  kill -0 "$agent_pid" 2>/dev/null || break
  sleep 0.5
done
socket=no; [ -S "$work/rootfs/tmp/agent/workload.sock" ] && socket=yes   # (removed when the agent stops)
stop "$agent_pid"; agent_pid=
if [ -z "$ready" ] || [ "$socket" != yes ]; then
  echo "4. the agent with the DaemonSet's command did not serve:"; cat "$work/agent.out"; exit 1
fi
echo "4. agent with the DaemonSet's command line: $(grep -m1 'serving' "$work/agent.out"); /readyz $(cat "$work/agent-readyz")"
stop "$server_pid"; server_pid=
echo "image check passed"
