#!/usr/bin/env bash
# Benchmark for `hostward watch` (issue #9): CPU of the watch process over
# SECONDS at idle and under RATE execs a second, and the latency from exec to
# alert with the netlink process connector (the alert's latency_ms: from the
# kernel's exec event to the alert written), median and 99th percentile.
# forkstat (Debian's forkstat, the same process connector, printing every
# event) runs beside it as the peer, measured the same way.
#   sudo bash bench/watch.sh
# Settings: SECONDS_EACH=60, RATE=200, PLANT_EVERY=0.5, HOSTWARD=build/src/cli/hostward
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "needs root (the process connector)" >&2; exit 2; }
secs=${SECONDS_EACH:-60}
rate=${RATE:-200}
plant_every=${PLANT_EVERY:-0.5}
hw=${HOSTWARD:-build/src/cli/hostward}
command -v forkstat >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends forkstat >&2
}
work=$(mktemp -d /tmp/hwbench.XXXXXX)
cleanup() {
  [[ -n ${hw_pid:-} ]] && kill "$hw_pid" 2>/dev/null || true
  [[ -n ${fs_pid:-} ]] && kill "$fs_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$hw" "$work/hostward"

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
percent() {  # ticks over seconds, as % of one core
  awk -v t="$1" -v s="$2" -v hz="$ticks" 'BEGIN { printf "%.2f", 100 * t / hz / s }'
}

"$work/hostward" watch --sink "file:$work/alerts.ndjson" --heartbeat-s 3600 --scan-s 30 --rate 100000 \
  --spool "$work/spool" 2>"$work/watch.err" &
hw_pid=$!
forkstat -e exec,fork,exit >/dev/null 2>&1 &
fs_pid=$!
sleep 2
grep -q '"source":"process connector"' "$work/alerts.ndjson" || {
  echo "watch is not on the process connector:" >&2
  head -2 "$work/alerts.ndjson" >&2
  exit 1
}

# idle
h0=$(cpu_ticks "$hw_pid"); f0=$(cpu_ticks "$fs_pid")
sleep "$secs"
h1=$(cpu_ticks "$hw_pid"); f1=$(cpu_ticks "$fs_pid")
hw_idle=$(percent $((h1 - h0)) "$secs"); fs_idle=$(percent $((f1 - f0)) "$secs")

# load, with planted programs among the execs
n_plants=$(awk -v s="$secs" -v p="$plant_every" 'BEGIN { print int(s / p) - 1 }')
plants=()
for i in $(seq 1 "$n_plants"); do
  d=$(mktemp -d "$work/plant.XXXXXX")
  cp /bin/sleep "$d/miner$i"
  plants+=("$d/miner$i")
done
h0=$(cpu_ticks "$hw_pid"); f0=$(cpu_ticks "$fs_pid")
started=$(python3 bench/exec_load.py "$rate" "$secs" "$plant_every" "${plants[@]}")
h1=$(cpu_ticks "$hw_pid"); f1=$(cpu_ticks "$fs_pid")
hw_load=$(percent $((h1 - h0)) "$secs"); fs_load=$(percent $((f1 - f0)) "$secs")
sleep 2

read -r found p50 p99 pmax resyncs < <(python3 - "$work/alerts.ndjson" "$n_plants" <<'PY'
import json, sys
lat, seen, resyncs = [], set(), 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a.get("type") == "resync":
        resyncs += 1
    f = a.get("finding", {})
    if f.get("rule") != "process.world-writable-executable" or "latency_ms" not in a:
        continue
    exe = f.get("evidence", {}).get("exe", "")
    if "/miner" in exe and exe not in seen:
        seen.add(exe)
        lat.append(a["latency_ms"])
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
print(len(seen), f"{q(0.5):.2f}", f"{q(0.99):.2f}", f"{(lat[-1] if lat else float('nan')):.2f}", resyncs)
PY
)

cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "### hostward watch, ${secs} s idle and ${secs} s at ${rate} execs/s, $(date -u +%Y-%m-%d)"
echo
echo "Machine: ${cpu_model}, $(nproc) cores, Linux $(uname -r). hostward $("$hw" --version | awk '{print $2}'); forkstat $(dpkg-query -W -f='${Version}' forkstat 2>/dev/null || echo "?")."
echo "Load: ${started} execs of /bin/true in ${secs} s, and ${n_plants} programs planted in /tmp among them."
echo
echo "| | idle, % of one core | at ${rate} execs/s, % of one core |"
echo "|---|---:|---:|"
echo "| \`hostward watch\` (process connector, rules on every exec) | ${hw_idle} | ${hw_load} |"
echo "| \`forkstat -e exec,fork,exit\` (prints every event, no rules) | ${fs_idle} | ${fs_load} |"
echo
echo "Exec to alert (latency_ms, kernel event to alert written), ${found} of ${n_plants} planted programs alerted: median **${p50} ms**, p99 **${p99} ms**, max ${pmax} ms. Resyncs: ${resyncs}."
awk -v i="$hw_idle" -v l="$hw_load" -v p="$p99" 'BEGIN {
  printf "Goals: idle < 0.5%%: %s; < 5%% at 200 execs/s: %s; p99 < 100 ms: %s.\n",
    (i < 0.5 ? "met" : "NOT met"), (l < 5 ? "met" : "NOT met"), (p + 0 < 100 ? "met" : "NOT met") }'
