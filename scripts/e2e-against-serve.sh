#!/usr/bin/env bash
# Runs the suite's real-cluster-capable tests in real-cluster mode (KURED_E2E_KUBECONFIG) against
# `kured-testkit serve --busy`: the in-process API server with the other writers of a busy cluster
# emulated (Node heartbeats and labels, DaemonSet status writes, unrelated Events, unordered
# initial watch events). See docs/testing.md.
#
#   scripts/e2e-against-serve.sh                 # the default file list below
#   scripts/e2e-against-serve.sh test/lock/lease-lock.test.ts   # only these (vitest filters)
#   BUSY_INTERVAL=20 scripts/e2e-against-serve.sh               # busier: a round of writes every 20 ms
#   KURED_E2E_KUBECONFIG=~/.kube/config scripts/e2e-against-serve.sh   # the same files, on that cluster
set -euo pipefail
cd "$(dirname "$0")/.."
# the repository's Node.js 24 (an npm devDependency) and tools, whatever `node` the machine has
export PATH="$PWD/node_modules/.bin:$PATH"

# Every test file that starts its cluster through startCluster() without `inProcess: true`, except
# the lock races (they need faults and a virtual clock, and skip anyway; they are also expensive).
FILES=(
  packages/testkit/src/conformance/list-watch.test.ts
  packages/testkit/src/conformance/objects.test.ts
  packages/testkit/src/conformance/eviction.test.ts
  packages/testkit/src/conformance/patch.test.ts
  test/lock/daemonset-lock.contract.test.ts
  test/lock/lease-lock.contract.test.ts
  test/lock/daemonset-lock-compat.test.ts
  test/lock/lease-lock.test.ts
  test/lock/lock-handoff.test.ts
  test/lock/lock-fifo.test.ts
  test/lock/lock-changes.test.ts
  test/lock/lock-rbac.test.ts
  # real kured daemons: a "reboot" there is a new process and a new boot ID on the Node
  test/e2e/rolling-reboot.test.ts
  test/e2e/signal-reboot.test.ts
  test/e2e/concurrent-reboot.test.ts
  test/e2e/cordon-kept.test.ts
  test/e2e/blocking-pods.test.ts
  test/e2e/plugin-blocker-file.test.ts
)
if [ "$#" -gt 0 ]; then FILES=("$@"); fi

if [ -n "${KURED_E2E_KUBECONFIG:-}" ]; then
  echo "running against the cluster of $KURED_E2E_KUBECONFIG (no serve --busy)"
  exec npx vitest run "${FILES[@]}"
fi

TURBO_TELEMETRY_DISABLED=1 npx turbo run build --filter=@kured/testkit --output-logs=errors-only >/dev/null

dir=$(mktemp -d "${TMPDIR:-/tmp}/kured-e2e-serve-XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# Two nodes of the cluster's own, named unlike any test's, and kured's DaemonSet in kube-system
# (its pods land on the tests' Nodes too, as a real cluster's DaemonSets' would).
node packages/testkit/bin/kured-testkit.js serve --busy --busy-interval "${BUSY_INTERVAL:-200}" \
  --node-names busy-worker-a,busy-worker-b --kubeconfig "$dir/kubeconfig" >"$dir/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  grep -q "kubeconfig written" "$dir/serve.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "kubeconfig written" "$dir/serve.log" || { echo "serve --busy did not start" >&2; cat "$dir/serve.log" >&2; exit 1; }
head -2 "$dir/serve.log"

KURED_E2E_KUBECONFIG="$dir/kubeconfig" npx vitest run "${FILES[@]}"
