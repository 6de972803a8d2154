# Sourced by scripts/demo.sh and bench/*: a private ZooKeeper server on a free 127.0.0.1 port and
# the Flink-shaped fixture writer (test/java/fixture) on Debian's Curator. Call local_cluster_cleanup
# on exit (the callers trap it).

LC_WORK=$(mktemp -d "${TMPDIR:-/tmp}/haadm-local.XXXXXX")
LC_ZK_PID=""
LC_FIXTURE_PID=""
LC_JARS=$(printf '/usr/share/java/%s.jar:' curator-client curator-framework curator-recipes zookeeper zookeeper-jute guava \
  slf4j-api slf4j-nop netty-handler netty-common netty-buffer netty-transport netty-codec netty-resolver \
  netty-transport-native-epoll netty-transport-native-unix-common)

local_cluster_cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -z "$LC_FIXTURE_PID" ] || kill "$LC_FIXTURE_PID" 2>/dev/null || true
  [ -z "$LC_ZK_PID" ] || { kill "$LC_ZK_PID" 2>/dev/null || true; wait "$LC_ZK_PID" 2>/dev/null || true; }
  rm -rf "$LC_WORK"
}

_lc_ruok() {
  node -e "const c=require('net').connect($1,'127.0.0.1',()=>c.end('ruok'));c.setTimeout(2000,()=>c.destroy());let d='';c.on('data',x=>d+=x);c.on('close',()=>console.log(d));c.on('error',()=>console.log(''))"
}

# Starts ZooKeeper; sets LC_PORT and LC_QUORUM.
local_cluster_start_zookeeper() {
  LC_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  LC_QUORUM="127.0.0.1:$LC_PORT"
  mkdir -p "$LC_WORK/data"
  cat > "$LC_WORK/zoo.cfg" <<CFG
tickTime=200
dataDir=$LC_WORK/data
clientPort=$LC_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
CFG
  java -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$LC_WORK/zoo.cfg" >"$LC_WORK/zookeeper.log" 2>&1 &
  LC_ZK_PID=$!
  for _ in $(seq 1 150); do
    [ "$(_lc_ruok "$LC_PORT")" = imok ] && return 0
    sleep 0.2
  done
  echo "could not start ZooKeeper; its log:" >&2
  tail -20 "$LC_WORK/zookeeper.log" >&2
  return 1
}

# Starts the fixture writer with the given arguments and waits for its READY line. `echo close >&3` ends it.
local_cluster_start_fixture() {
  mkdir -p "$LC_WORK/classes"
  javac -nowarn -encoding UTF-8 -d "$LC_WORK/classes" -cp "$LC_JARS" $(find test/java/fixture test/java/stubs -name '*.java')
  mkfifo "$LC_WORK/ctl"
  java -cp "$LC_WORK/classes:$LC_JARS" haadm.fixtures.FlinkHaFixture --connect "$LC_QUORUM" "$@" \
    <"$LC_WORK/ctl" >"$LC_WORK/fixture.out" 2>"$LC_WORK/fixture.err" &
  LC_FIXTURE_PID=$!
  exec 3>"$LC_WORK/ctl"
  for _ in $(seq 1 300); do
    grep -q '^READY ' "$LC_WORK/fixture.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the fixture did not start:" >&2
  cat "$LC_WORK/fixture.err" >&2
  return 1
}

# Ends the fixture's ZooKeeper sessions (every ephemeral node goes) and waits for it to exit.
local_cluster_stop_fixture() {
  echo close >&3
  exec 3>&-
  wait "$LC_FIXTURE_PID" || true
  LC_FIXTURE_PID=""
}
