#!/usr/bin/env bash
# haadm's main job on a built-in default that needs no cluster of yours: starts a private ZooKeeper
# server on a free 127.0.0.1 port, writes a Flink 1.18+ HA cluster into it the way Flink does (Curator
# LeaderLatch with two JobManager sessions, Java-serialized leader records), runs haadm against it,
# ends the JobManagers' sessions, runs haadm again, and stops the server. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[ -n "${HAADM_DEMO_NO_BUILD:-}" ] || npm run --silent build

. scripts/lib/local-cluster.sh
trap local_cluster_cleanup EXIT
local_cluster_start_zookeeper
local_cluster_start_fixture --cluster-id /demo --layout 1.18 --contenders 2 \
  --jobs 8f2b6a1c4d3e5f60718293a4b5c6d7e8,0123456789abcdef0123456789abcdef

haadm() { echo "\$ haadm $*"; node bin/run.js "$@"; echo; }
q=(--zk-quorum "$LC_QUORUM" --cluster-id /demo)
echo "A Flink 1.18+ cluster '/demo' with two JobManagers is running against ZooKeeper at $LC_QUORUM."
echo
haadm target "${q[@]}"
haadm leaders "${q[@]}"
echo "\$ haadm leaders ${q[*]} --json    (the first record, trimmed)"
node bin/run.js leaders "${q[@]}" --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s).result.leaders[0];console.log(JSON.stringify({component:r.component,jobId:r.jobId,address:r.address,alive:r.alive,evidence:r.evidence},null,2))})"
echo
echo "Both JobManagers stop (their ZooKeeper sessions end):"
local_cluster_stop_fixture
haadm leaders "${q[@]}"
echo "\$ haadm leaders --zk-quorum $LC_QUORUM --cluster-id /nope    (a cluster id that does not exist)"
set +e
node bin/run.js leaders --zk-quorum "$LC_QUORUM" --cluster-id /nope
echo "exit code: $?"
