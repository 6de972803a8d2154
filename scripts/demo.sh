#!/usr/bin/env bash
# haadm's main job on a built-in default that needs no cluster of yours: starts a private ZooKeeper
# server on a free 127.0.0.1 port, writes a Flink 1.18+ HA cluster into it the way Flink does (Curator
# LeaderLatch with two JobManager sessions, Java-serialized leader records), runs haadm against it,
# ends the JobManagers' sessions, runs haadm again, and stops the server. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[ -n "${HAADM_DEMO_NO_BUILD:-}" ] || npm run --silent build

work=$(mktemp -d "${TMPDIR:-/tmp}/haadm-demo.XXXXXX")
zk_pid=""
fixture_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -z "$fixture_pid" ] || kill "$fixture_pid" 2>/dev/null || true
  [ -z "$zk_pid" ] || { kill "$zk_pid" 2>/dev/null || true; wait "$zk_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
quorum="127.0.0.1:$port"
mkdir -p "$work/data"
cat > "$work/zoo.cfg" <<CFG
tickTime=200
dataDir=$work/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
CFG
java -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
  org.apache.zookeeper.server.ZooKeeperServerMain "$work/zoo.cfg" >"$work/zookeeper.log" 2>&1 &
zk_pid=$!
for _ in $(seq 1 150); do
  if [ "$(node -e "const c=require('net').connect($port,'127.0.0.1',()=>c.end('ruok'));let d='';c.on('data',x=>d+=x);c.on('close',()=>console.log(d));c.on('error',()=>console.log(''))")" = imok ]; then break; fi
  sleep 0.2
done

jars=$(printf '/usr/share/java/%s.jar:' curator-client curator-framework curator-recipes zookeeper zookeeper-jute guava slf4j-api slf4j-nop netty-handler netty-common netty-buffer netty-transport netty-codec netty-resolver netty-transport-native-epoll netty-transport-native-unix-common)
mkdir -p "$work/classes"
javac -nowarn -encoding UTF-8 -d "$work/classes" -cp "$jars" $(find test/java/fixture -name '*.java')

job1=8f2b6a1c4d3e5f60718293a4b5c6d7e8
job2=0123456789abcdef0123456789abcdef
mkfifo "$work/ctl"
java -cp "$work/classes:$jars" haadm.fixtures.FlinkHaFixture --connect "$quorum" --cluster-id /demo \
  --layout 1.18 --jobs "$job1,$job2" --contenders 2 <"$work/ctl" >"$work/fixture.out" 2>"$work/fixture.err" &
fixture_pid=$!
exec 3>"$work/ctl"
for _ in $(seq 1 300); do grep -q '^READY ' "$work/fixture.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^READY ' "$work/fixture.out" || { echo "demo: the fixture did not start:" >&2; cat "$work/fixture.err" >&2; exit 1; }

haadm() { echo "\$ haadm $*"; node bin/run.js "$@"; echo; }
echo "A Flink 1.18+ cluster '/demo' with two JobManagers is running against ZooKeeper at $quorum."
echo
haadm target --zk-quorum "$quorum" --cluster-id /demo
haadm leaders --zk-quorum "$quorum" --cluster-id /demo
echo "\$ haadm leaders --json --zk-quorum $quorum --cluster-id /demo    (the first record, trimmed)"
node bin/run.js leaders --zk-quorum "$quorum" --cluster-id /demo --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s).result.leaders[0];console.log(JSON.stringify({component:r.component,jobId:r.jobId,address:r.address,alive:r.alive,evidence:r.evidence},null,2))})"
echo
echo "Both JobManagers stop (their ZooKeeper sessions end):"
echo close >&3
exec 3>&-
wait "$fixture_pid" || true
fixture_pid=""
haadm leaders --zk-quorum "$quorum" --cluster-id /demo
echo "A cluster id that does not exist (exit code 3, and the ids that do exist):"
set +e
node bin/run.js leaders --zk-quorum "$quorum" --cluster-id /nope
echo "exit code: $?"
