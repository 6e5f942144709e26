#!/usr/bin/env bash
# Benchmark for `hostward contain` (issue #5): time from contain's start to
# the whole target set dead, without evidence, for a 10-process tree under a
# watchdog that respawns within 1 ms: a watchdog, its child, and the child's 8
# children. Median over RUNS runs. The peer is what the seed's responders did
# by hand, scripted: list the tree with ps and `kill -9` it, leaves first
# (as they did first), and the careful way, the watchdog first; each is timed
# until nothing from the payload runs (cut at 200 ms) and checked 200 ms later.
#   sudo bash bench/contain.sh
# Settings: RUNS=50, HOSTWARD=build/src/cli/hostward, ADVERSARY=build/tests/helpers/hw_adversary
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "needs root (it freezes and kills processes)" >&2; exit 2; }
runs=${RUNS:-50}
hw=${HOSTWARD:-build/src/cli/hostward}
adv=${ADVERSARY:-build/tests/helpers/hw_adversary}
work=$(mktemp -d /tmp/hwbench-contain.XXXXXX)
chmod 755 "$work"
cleanup() {
  pkill -KILL -f "^$work/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$adv" "$work/kdevtmpfsi"

now_ms() { date +%s%N | awk '{printf "%.3f", $1 / 1e6}'; }
tree_of() {  # every descendant of $1, deepest first
  local kids k
  kids=$(ps -o pid= --ppid "$1" | tr -d ' ')
  for k in $kids; do tree_of "$k"; echo "$k"; done
}
# A fresh tree: the watchdog, then wait until its child has all 8 children.
plant() {
  setsid "$work/kdevtmpfsi" respawn 1000 "$work/kdevtmpfsi" spread 9 </dev/null >/dev/null 2>&1 &
  watchdog=$!
  for _ in $(seq 200); do
    child=$(ps -o pid= --ppid "$watchdog" | tr -d ' ' | head -1)
    if [[ -n $child ]] && [[ $(ps -o pid= --ppid "$child" | wc -l) -eq 8 ]]; then return; fi
    sleep 0.01
  done
  echo "tree did not grow" >&2
  exit 1
}
alive_from_work() { { pgrep -f "^$work/" || true; } | while read -r p; do
  [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]] && echo "$p"; done | wc -l; }

: >"$work/hostward.txt"
: >"$work/hostward_wall.txt"
: >"$work/manual.txt"
: >"$work/careful.txt"
respawns_hw=0
respawns_manual=0
respawns_careful=0
for run in $(seq "$runs"); do
  plant
  start=$(now_ms)
  "$hw" contain "$child" --tree --no-evidence --watch-s 0 --format json >"$work/r.json"
  end=$(now_ms)
  python3 -c "import json,sys; r=json.load(open('$work/r.json')); \
assert r['result']=='contained', r['result']; \
assert r['summary']['targets']==10, r['summary']; \
print(r['timing_ms']['start_to_dead'])" >>"$work/hostward.txt"
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f\n", b-a}' >>"$work/hostward_wall.txt"
  sleep 0.2
  respawns_hw=$((respawns_hw + $(alive_from_work)))
  wait "$watchdog" 2>/dev/null || true

  plant
  start=$(now_ms)
  kill -9 $(tree_of "$watchdog") "$watchdog" 2>/dev/null || true
  while [[ $(alive_from_work) -gt 0 ]] && [[ $(awk -v a="$start" -v b="$(now_ms)" 'BEGIN{print (b-a) < 200}') -eq 1 ]]; do :; done
  end=$(now_ms)
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f\n", b-a}' >>"$work/manual.txt"
  sleep 0.2
  left=$(alive_from_work)
  respawns_manual=$((respawns_manual + left))
  pkill -KILL -f "^$work/" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true

  plant
  start=$(now_ms)
  kill -9 "$watchdog" $(tree_of "$watchdog" | tac) 2>/dev/null || true
  while [[ $(alive_from_work) -gt 0 ]] && [[ $(awk -v a="$start" -v b="$(now_ms)" 'BEGIN{print (b-a) < 200}') -eq 1 ]]; do :; done
  end=$(now_ms)
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f\n", b-a}' >>"$work/careful.txt"
  sleep 0.2
  respawns_careful=$((respawns_careful + $(alive_from_work)))
  pkill -KILL -f "^$work/" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
p90() { sort -n "$1" | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; print a[i]}'; }
echo "runs: $runs"
echo "hostward contain, start to all dead (its own clock): median $(median "$work/hostward.txt") ms, p90 $(p90 "$work/hostward.txt") ms"
echo "hostward contain, whole command (exec to exit):      median $(median "$work/hostward_wall.txt") ms, p90 $(p90 "$work/hostward_wall.txt") ms"
echo "hostward: processes alive 200 ms later, all runs: $respawns_hw"
echo "ps + kill -9, leaves first, until all dead:         median $(median "$work/manual.txt") ms, p90 $(p90 "$work/manual.txt") ms"
echo "ps + kill -9, leaves first: alive 200 ms later, all runs: $respawns_manual"
echo "ps + kill -9, watchdog first, until all dead:       median $(median "$work/careful.txt") ms, p90 $(p90 "$work/careful.txt") ms"
echo "ps + kill -9, watchdog first: alive 200 ms later, all runs: $respawns_careful"
