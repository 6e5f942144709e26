#!/usr/bin/env bash
# Benchmark for issue #2: `hostward scan --only process` against the ps +
# readlink pair a responder would type, on a host with 5,000 extra processes.
#   bench/process_scan.sh [BUILD_DIR] [EXTRA_PROCESSES] [RUNS]
# Prints a Markdown block for bench/RESULTS.md. Touches nothing but the
# sleeping processes it starts, and kills them on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
extra=${2:-5000}
runs=${3:-20}
hw=$(realpath "$build/src/cli/hostward")
command -v hyperfine >/dev/null || { echo "needs hyperfine (scripts/install-deps.sh)" >&2; exit 2; }
[[ -x "$hw" ]] || { echo "build first: scripts/dev.sh build" >&2; exit 2; }

work=$(mktemp -d /tmp/hw-bench.XXXXXX)
sleepers=()
cleanup() {
  [[ ${#sleepers[@]} -gt 0 ]] && kill "${sleepers[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for ((i = 0; i < extra; i++)); do
  sleep 3600 &
  sleepers+=($!)
done
sleep 1
total=$(ls -d /proc/[0-9]* | wc -l)

hyperfine --style basic --warmup 3 --runs "$runs" -i --export-json "$work/fast.json" \
  -n "hostward scan --only process --sample-ms 0" \
  "$hw scan --only process --sample-ms 0 --format json >/dev/null" \
  -n "ps -eo pid,ppid,user,comm,args,pcpu,rss + readlink /proc/*/exe" \
  "ps -eo pid,ppid,user,comm,args,pcpu,rss >/dev/null; readlink /proc/*/exe >/dev/null 2>&1; true" \
  >&2
hyperfine --style basic --warmup 1 --runs $((runs / 4 > 3 ? runs / 4 : 3)) -i --export-json "$work/sampled.json" \
  -n "hostward scan --only process --sample-ms 1000" \
  "$hw scan --only process --sample-ms 1000 --format json >/dev/null" >&2

python3 - "$work/fast.json" "$work/sampled.json" "$total" "$extra" <<'PY'
import json, platform, statistics, subprocess, sys
fast = json.load(open(sys.argv[1]))["results"]
sampled = json.load(open(sys.argv[2]))["results"][0]
total, extra = sys.argv[3], sys.argv[4]
med = {r["command"]: statistics.median(r["times"]) * 1000 for r in fast}
hw_name, peer_name = fast[0]["command"], fast[1]["command"]
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
s_med = statistics.median(sampled["times"]) * 1000
print(f"### Process scan, {total} processes ({extra} extra sleeping)\n")
print(f"Machine: {cpu}, {nproc} cores, Linux {platform.release()}; "
      f"{len(fast[0]['times'])} runs each, medians.\n")
print("| command | median ms | min ms | max ms |")
print("|---|---:|---:|---:|")
for r in fast:
    print(f"| `{r['command']}` | {med[r['command']]:.1f} | {min(r['times'])*1000:.1f} | {max(r['times'])*1000:.1f} |")
print(f"| `{sampled['command']}` | {s_med:.1f} | {min(sampled['times'])*1000:.1f} | {max(sampled['times'])*1000:.1f} |")
print()
print(f"Ratio hostward / (ps + readlink): **{med[hw_name] / med[peer_name]:.2f}** "
      f"(below 1 means hostward is faster).  ")
print(f"Sampled scan cost beyond its 1000 ms window: **{s_med - 1000:.1f} ms**.")
PY
