#!/usr/bin/env bash
# Installs what haadm's build, tests and demo need on a Debian machine: a JDK, ZooKeeper and Curator
# (for the real test server and the Flink-shaped fixture writer), then the npm packages.
# Idempotent: installs only what is missing. Needs root (or sudo) for the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -z "${HAADM_DEPS_DONE:-}" ] || exit 0

debs=(zookeeper libzookeeper-java libcurator-client-java libcurator-framework-java libcurator-recipes-java
      libslf4j-java libnetty-java libguava-java man-db groff-base)
# JobResultStore fixtures (test/java/jrs) write and read entries with Jackson; bench/jrs measures with GNU time.
debs+=(libjackson2-core-java libjackson2-databind-java libjackson2-annotations-java time)
# The fish completion script is tested by fish itself.
debs+=(fish)
missing=()
for p in "${debs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
# kubectl drives the Kubernetes test API server (any kubectl will do: Debian's kubernetes-client is 1.20);
# openssl makes that server's TLS certificate (client-go sends bearer tokens only over TLS).
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ((${#missing[@]} > 0)); then
  echo "deps: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file, and always in CI.
if [ -n "${CI:-}" ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
# The zookeeper binding's address re-resolution on every I/O pass (npm ci runs this as postinstall; a
# node_modules installed before it gets it here). Quick when already done.
node scripts/zookeeper-resolution.mjs
