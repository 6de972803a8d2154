# Sourced by benches: interleaved timing of a command against its peer in the same run.
# pair_ratio RUNS LABEL PEER_LABEL 'command' 'peer command'
#   runs both once to warm up, then RUNS interleaved pairs; prints each median (ms), the ratio of the
#   medians, and the spread of the per-pair ratios (min-max), and sets PAIR_RATIO. The bench stops when
#   the command's warm-up run fails: a ratio of a command that exits at once would mean nothing.
_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
_median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pair_ratio() {
  local runs=$1 label=$2 peer_label=$3 cmd=$4 peer=$5
  local err
  err=$(eval "$cmd" 2>&1 >/dev/null) || { printf '%s: %s failed:\n%s\n' "$0" "$cmd" "$err" >&2; return 1; }
  eval "$peer" >/dev/null 2>&1 || true
  local a=() b=() r=() t0 t1 t2
  for _ in $(seq 1 "$runs"); do
    t0=$(_now_ms); eval "$cmd" >/dev/null 2>&1 || true; t1=$(_now_ms); eval "$peer" >/dev/null 2>&1 || true; t2=$(_now_ms)
    a+=($((t1 - t0))); b+=($((t2 - t1)))
    r+=("$(awk -v x=$((t1 - t0)) -v y=$((t2 - t1)) 'BEGIN {printf "%.3f", x / (y > 0 ? y : 1)}')")
  done
  local ma mb lo hi
  ma=$(printf '%s\n' "${a[@]}" | _median); mb=$(printf '%s\n' "${b[@]}" | _median)
  lo=$(printf '%s\n' "${r[@]}" | sort -n | head -1); hi=$(printf '%s\n' "${r[@]}" | sort -n | tail -1)
  PAIR_RATIO=$(awk -v x="$ma" -v y="$mb" 'BEGIN {printf "%.2f", x / y}')
  printf '%-46s %7s ms | %-30s %7s ms | ratio %s (pairs %s-%s)\n' "$label" "$ma" "$peer_label" "$mb" "$PAIR_RATIO" "$lo" "$hi"
}
