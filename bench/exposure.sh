#!/usr/bin/env bash
# Benchmark for issue #3: `hostward exposure` against `ss -tanp`, in the same
# run, with 20,000 TCP sockets open on loopback.
#   sudo bench/exposure.sh [CONNECTIONS] [RUNS]
# CONNECTIONS (default 10000) loopback connections are held by
# bench/hold_sockets.py: each is a client and an accepted socket, so 20,000
# sockets plus one listener. HOSTWARD_BIN overrides the binary (default
# build/src/cli/hostward). Needs root (iptables-save does). Prints a Markdown
# block for bench/RESULTS.md. Touches nothing but the helper it starts, and
# kills it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-10000}
runs=${2:-20}
hw=${HOSTWARD_BIN:-build/src/cli/hostward}
[[ $(id -u) -eq 0 ]] || { echo "needs root (iptables-save reads the firewall only as root)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (scripts/install-deps.sh)" >&2; exit 2; }
command -v ss >/dev/null || { echo "needs ss (iproute2)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
[[ -x "$hw" ]] || { echo "build first: scripts/dev.sh build (or set HOSTWARD_BIN)" >&2; exit 2; }
hw=$(realpath "$hw")

work=$(mktemp -d /tmp/hw-bench.XXXXXX)
holder=""
cleanup() {
  [[ -n "$holder" ]] && kill "$holder" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 bench/hold_sockets.py "$conns" >"$work/holder.out" 2>"$work/holder.err" &
holder=$!
for ((i = 0; i < 600; i++)); do
  grep -q '^ready' "$work/holder.out" 2>/dev/null && break
  if ! kill -0 "$holder" 2>/dev/null; then
    echo "socket helper failed:" >&2
    cat "$work/holder.err" >&2
    exit 1
  fi
  sleep 0.1
done
grep -q '^ready' "$work/holder.out" || { echo "socket helper not ready after 60 s" >&2; exit 1; }
read -r _ held port holders <"$work/holder.out"

# One header line, then one line a socket (the helper's plus the host's own).
sockets=$(($(ss -tan | wc -l) - 1))
mine=$(ss -tanH state established "( sport = :$port or dport = :$port )" | wc -l)
if ((sockets < 2 * conns || mine < 2 * conns)); then
  echo "ss sees $sockets TCP sockets, $mine established on port $port; expected $((2 * conns))" >&2
  exit 1
fi
states=$(ss -tanH | awk '{n[$1]++} END {for (s in n) printf "%s %d, ", s, n[s]}')
echo "holding $held sockets on 127.0.0.1:$port in $holders process(es); ss -tan shows $sockets TCP sockets (${states%, })" >&2

hyperfine --style basic --warmup 3 --runs "$runs" -i --export-json "$work/two.json" \
  -n "hostward exposure --format json" \
  "$hw exposure --format json >/dev/null" \
  -n "ss -tanp" \
  "ss -tanp >/dev/null" \
  >&2
hyperfine --style basic --warmup 3 --runs "$runs" -i --export-json "$work/one.json" \
  -n "taskset -c 0 hostward exposure --format json" \
  "taskset -c 0 $hw exposure --format json >/dev/null" \
  -n "taskset -c 0 ss -tanp" \
  "taskset -c 0 ss -tanp >/dev/null" \
  >&2

python3 - "$work/two.json" "$work/one.json" "$sockets" "$held" "${states%, }" <<'PY'
import json, platform, statistics, subprocess, sys, time
pairs = [("all cores", json.load(open(sys.argv[1]))["results"]),
         ("one core (taskset -c 0)", json.load(open(sys.argv[2]))["results"])]
sockets, held, states = sys.argv[3], sys.argv[4], sys.argv[5]
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"### hostward exposure vs ss -tanp, {sockets} TCP sockets ({held} held on loopback)\n")
print(f"TCP sockets by state: {states}.\n")
print(f"Machine: {cpu}, {nproc} cores, Linux {platform.release()}; "
      f"{time.strftime('%Y-%m-%d')}; {len(pairs[0][1][0]['times'])} runs each, medians.\n")
print("| command | median ms | min ms | max ms |")
print("|---|---:|---:|---:|")
for _, results in pairs:
    for r in results:
        t = r["times"]
        print(f"| `{r['command']}` | {statistics.median(t)*1000:.1f} | {min(t)*1000:.1f} | {max(t)*1000:.1f} |")
print()
for label, results in pairs:
    hw, ss = (statistics.median(r["times"]) for r in results)
    print(f"Ratio hostward / ss, {label}: **{hw / ss:.2f}** (below 1 means hostward is faster).  ")
PY
