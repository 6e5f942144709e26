#!/usr/bin/env bash
# Benchmark for `hostward logs`: a generated 1,000,000-line auth log with every
# kind of sshd message, read by `hostward logs --file` and by `fail2ban-regex`
# with Debian fail2ban's own sshd filter, in the same run.
#   bash bench/logs.sh
# Root is not needed. Settings, all optional, through the environment:
#   LINES=1000000   lines in the timed log
#   SMALL=100000    lines in the second log, for the memory-flatness check
#   HW_RUNS=5       hostward runs; F2B_RUNS=3 fail2ban-regex runs (it is slow)
#   SEED=1          generator seed (bench/gen_auth_log.py)
#   HOSTWARD=...    the binary (also HOSTWARD_BIN; default build/src/cli/hostward)
#   FILTER=...      fail2ban filter (default /etc/fail2ban/filter.d/sshd.conf)
# First both tools must report the same set of failing addresses (hostward:
# JSON events with "failure": true; fail2ban-regex: -o ip, one address per
# failure); the script exits 1 when they differ. Then it times both (hyperfine
# if installed, else a loop), measures hostward's peak RSS on both logs, and
# prints a Markdown block for bench/RESULTS.md. Everything lives in a temporary
# directory that is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${LINES:-1000000}
small=${SMALL:-100000}
hw_runs=${HW_RUNS:-5}
f2b_runs=${F2B_RUNS:-3}
seed=${SEED:-1}
hw=${HOSTWARD:-${HOSTWARD_BIN:-build/src/cli/hostward}}
filter=${FILTER:-/etc/fail2ban/filter.d/sshd.conf}
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
command -v fail2ban-regex >/dev/null || { echo "needs fail2ban-regex (apt-get install fail2ban)" >&2; exit 2; }
[[ -r "$filter" ]] || { echo "no fail2ban filter at $filter (set FILTER)" >&2; exit 2; }
[[ -x "$hw" ]] || { echo "build first: scripts/dev.sh build (or set HOSTWARD)" >&2; exit 2; }
hw=$(realpath "$hw")
filter=$(realpath "$filter")

work=$(mktemp -d /tmp/hw-bench-logs.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# maxrss OUT CMD...: run CMD with its output in OUT and print its peak RSS in
# KiB: GNU time if present, else python's getrusage of its child (the same
# ru_maxrss). Fails, showing CMD's stderr, when CMD does.
maxrss() {
  local out=$1
  shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M -o "$work/rss" "$@" >"$out" 2>"$work/rss.err" || { cat "$work/rss.err" >&2; return 1; }
    tail -1 "$work/rss"
  else
    python3 -c 'import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    subprocess.run(sys.argv[2:], stdout=out, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$out" "$@"
  fi
}

# The generator sets each log's mtime (hostward's year reference) to an hour
# past its last line and prints that time, which goes to --now.
log=$work/auth.log
log_small=$work/auth-small.log
echo "generating $lines and $small lines (seed $seed)" >&2
now=$(python3 bench/gen_auth_log.py "$lines" "$seed" "$log")
now_small=$(python3 bench/gen_auth_log.py "$small" "$seed" "$log_small")
size_mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$log\") / 1e6:.1f}')")

printf -v hw_cmd '%q ' "$hw" logs --file "$log" --now "$now" --format text
printf -v f2b_cmd '%q ' fail2ban-regex "$log" "$filter"

# Accuracy first: the same failing addresses from both.
"$hw" logs --file "$log" --now "$now" --format json >"$work/hw.json"
f2b_rss=$(maxrss "$work/f2b.ips" fail2ban-regex -o ip "$log" "$filter")
python3 - "$work/hw.json" "$work/f2b.ips" <<'PY'
import ipaddress, json, sys
def norm(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a
events = json.load(open(sys.argv[1]))["events"]
hw_fail = [e for e in events if e.get("failure")]
hw = {norm(e["address"]) for e in hw_fail if e.get("address")}
f2b_lines = [l.strip() for l in open(sys.argv[2]) if l.strip()]
f2b = {norm(l) for l in f2b_lines}
print(f"hostward: {len(hw_fail)} failures from {len(hw)} addresses")
print(f"fail2ban-regex: {len(f2b_lines)} failures from {len(f2b)} addresses")
only_hw, only_f2b = sorted(hw - f2b), sorted(f2b - hw)
if only_hw or only_f2b:
    print(f"DIFFERENT: {len(only_hw)} only in hostward, {len(only_f2b)} only in fail2ban-regex")
    print("  only hostward:", " ".join(only_hw[:10]))
    print("  only fail2ban:", " ".join(only_f2b[:10]))
    sys.exit(1)
print(f"same set of {len(hw)} failing addresses")
PY

# Timing. fail2ban-regex is run as documented: log, filter, default output.
if command -v hyperfine >/dev/null; then
  hyperfine --style basic --warmup 1 --runs "$hw_runs" --export-json "$work/hw-time.json" \
    -n "hostward logs --file (text)" "$hw_cmd >/dev/null" >&2
  hyperfine --style basic --runs "$f2b_runs" --export-json "$work/f2b-time.json" \
    -n "fail2ban-regex sshd.conf" "$f2b_cmd >/dev/null" >&2
  timer="hyperfine"
else
  echo "hyperfine not found: timing with a loop" >&2
  loop() {  # loop RUNS OUT CMD: one JSON like hyperfine's, seconds per run
    local runs=$1 out=$2 cmd=$3
    python3 - "$runs" "$out" "$cmd" <<'PY'
import json, subprocess, sys, time
runs, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd + " >/dev/null", shell=True, check=True)
    times.append(time.perf_counter() - t)
json.dump({"results": [{"command": cmd, "times": times}]}, open(out, "w"))
PY
  }
  eval "$hw_cmd" >/dev/null  # warm-up
  loop "$hw_runs" "$work/hw-time.json" "$hw_cmd"
  loop "$f2b_runs" "$work/f2b-time.json" "$f2b_cmd"
  timer="a loop (no hyperfine)"
fi

# Memory: hostward's peak RSS should not grow with the log.
rss_small=$(maxrss /dev/null "$hw" logs --file "$log_small" --now "$now_small" --format text)
rss_big=$(maxrss /dev/null "$hw" logs --file "$log" --now "$now" --format text)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r)"
f2b_version=$(fail2ban-regex --version 2>/dev/null | head -1)
hw_version=$("$hw" --version 2>/dev/null | head -1)

python3 - "$work/hw-time.json" "$work/f2b-time.json" <<PY
import json, statistics, sys
hw = json.load(open(sys.argv[1]))["results"][0]["times"]
f2b = json.load(open(sys.argv[2]))["results"][0]["times"]
mh, mf = statistics.median(hw), statistics.median(f2b)
print()
print("### hostward logs against fail2ban-regex, $lines-line auth log")
print()
print("Machine: $machine. $hw_version; $f2b_version; timed with $timer.")
print("Log: $lines lines, $size_mb MB, from bench/gen_auth_log.py $lines $seed.")
print()
print("| command | runs | median s | min s | max s |")
print("|---|---:|---:|---:|---:|")
print(f"| \`hostward logs --file LOG --now $now --format text\` | {len(hw)} | {mh:.3f} | {min(hw):.3f} | {max(hw):.3f} |")
print(f"| \`fail2ban-regex LOG sshd.conf\` | {len(f2b)} | {mf:.3f} | {min(f2b):.3f} | {max(f2b):.3f} |")
print()
print(f"Ratio fail2ban-regex / hostward: **{mf / mh:.1f}x** (above 1 means hostward is faster; goal 50x)")
print()
print("Peak RSS of hostward logs (text): $small lines **$rss_small KiB**, $lines lines **$rss_big KiB**"
      f" ({$rss_big / $rss_small:.2f}x for {$lines / $small:.0f}x the lines).")
print("Peak RSS of fail2ban-regex -o ip, $lines lines: $f2b_rss KiB.")
PY
