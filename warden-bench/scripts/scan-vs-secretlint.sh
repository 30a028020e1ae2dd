#!/usr/bin/env bash
# warden scan against secretlint 13 with its recommended preset, end to end (process start to
# report written), on the same tree, alternating, in one run: the ratio is what to quote on a
# shared machine. secretlint is installed from npm into $SECRETLINT_DIR (never the repository).
#
# Usage: warden-bench/scripts/scan-vs-secretlint.sh TREE [RUNS]
#   TREE: e.g. one made by  java -cp warden-bench/target/warden-bench.jar \
#         dev.warden.bench.scan.ScanLoadDriver gen-tree /tmp/bench/tree1g 1024
set -euo pipefail
tree=${1:?usage: scan-vs-secretlint.sh TREE [RUNS]}
runs=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
sl=${SECRETLINT_DIR:-/tmp/secretlint-13}
if [ ! -x "$sl/node_modules/.bin/secretlint" ]; then
  mkdir -p "$sl"
  (cd "$sl" && npm init -y >/dev/null && npm install --no-audit --no-fund secretlint@13.0.6 \
    @secretlint/secretlint-rule-preset-recommend@13.0.7 >/dev/null)
fi
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' > "$sl/rc.json"
out=$(mktemp -d)
"$root/warden" scan --no-progress "$root/docs" >/dev/null 2>&1 || true   # builds the jar, writes the class-data archive
echo "tree: $tree ($(du -sm "$tree" | cut -f1) MB), load: $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version)"
for i in $(seq "$runs"); do
  /usr/bin/time -f "secretlint run $i: %e s wall, %U s user, max RSS %M KiB" \
    sh -c "cd '$tree' && '$sl/node_modules/.bin/secretlint' --secretlintrc '$sl/rc.json' --format compact '**/*' > '$out/secretlint.txt'" \
    2>&1 | grep -v '^Command exited' || true
  /usr/bin/time -f "warden scan run $i: %e s wall, %U s user, max RSS %M KiB" \
    "$root/warden" scan --no-progress -o json --output-file "$out/warden.json" "$tree" 2>&1 \
    | grep -E '^warden scan run' || true
done
echo "secretlint findings: $(grep -c ': ' "$out/secretlint.txt" || true); warden findings: $(grep -c '"ruleId"' "$out/warden.json")"
echo "reports in $out"
