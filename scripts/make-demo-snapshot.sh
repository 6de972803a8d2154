#!/usr/bin/env bash
# Regenerates demo/demo-cluster.haadm.json.gz, the built-in default that README's first command
# (scripts/demo.sh) shows: a Flink 1.18+ cluster written into a private ZooKeeper the way Flink writes
# it (test/java/fixture: Curator LeaderLatch with two JobManagers, execution plans, checkpoints with
# locks and counters, files in the HA storageDir), plus a JobResultStore, exported with haadm export.
# Never edit the snapshot by hand; run this script. Needs what scripts/deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
npm run --silent build

. scripts/lib/local-cluster.sh
ha=/tmp/haadm-demo-ha
cleanup() { local_cluster_cleanup; rm -rf "$ha"; }
trap cleanup EXIT
rm -rf "$ha"
mkdir -p "$ha/job-result-store/demo"

j1=8f2b6a1c4d3e5f60718293a4b5c6d7e8   # a streaming job: plan, checkpoints
j2=0123456789abcdef0123456789abcdef   # another one
j3=3f2a9c1e5b7d4e0fa1b2c3d4e5f60718   # failed earlier: only a dirty JobResultStore entry
j4=36b456babf6da7af738baac17393668d   # cancelled and cleaned (delete-on-commit: false)
local_cluster_start_zookeeper
local_cluster_start_fixture --cluster-id /demo --layout 1.18 --contenders 2 --jobs "$j1,$j2" \
  --storage-dir "$ha" --job-graphs "$j1,$j2" --checkpoints "$j1:3,$j2:2" --orphan completedCheckpoint

# JobResultStore entries as Flink writes them: compact, {"result":{...},"version":1}, no newline.
printf '{"result":{"id":"%s","application-status":"FAILED","accumulator-results":{},"net-runtime":134090},"version":1}' "$j3" \
  > "$ha/job-result-store/demo/${j3}_DIRTY.json"
printf '{"result":{"id":"%s","application-status":"CANCELED","accumulator-results":{},"net-runtime":5521},"version":1}' "$j4" \
  > "$ha/job-result-store/demo/${j4}.json"

mkdir -p demo
node bin/run.js export --zk-quorum "$LC_QUORUM" --cluster-id /demo --storage-dir "$ha" -o demo/demo-cluster.haadm.json.gz
