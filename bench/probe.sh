#!/usr/bin/env bash
# Benchmark for issue #4: `hostward probe -p-` against `nmap -sT -p- -T5`, in
# the same run, on a host in a network namespace this script creates: 50 open
# TCP ports among 65,535, reached over a veth (198.51.100.1 ⇄ 198.51.100.2).
#   sudo bench/probe.sh [RUNS]
# Both must find exactly the 50 ports before anything is timed. HOSTWARD_BIN
# overrides the binary (default build/src/cli/hostward); the listener is
# build/tests/helpers/hw_listen. Sends traffic only into its own namespace and
# deletes it (and the listener) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
hw=${HOSTWARD_BIN:-build/src/cli/hostward}
listen=${HW_LISTEN:-build/tests/helpers/hw_listen}
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespace)" >&2; exit 2; }
for tool in hyperfine nmap ip; do
  command -v $tool >/dev/null || { echo "needs $tool (scripts/install-deps.sh)" >&2; exit 2; }
done
[[ -x "$hw" && -x "$listen" ]] || { echo "build first: scripts/dev.sh build" >&2; exit 2; }
hw=$(realpath "$hw")
listen=$(realpath "$listen")

ns=hw-bench-probe-$$
veth=hwbp$$
work=$(mktemp -d /tmp/hw-bench.XXXXXX)
cleanup() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del "${veth}a" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip link add "${veth}a" type veth peer name "${veth}b"
ip link set "${veth}b" netns "$ns"
ip addr add 198.51.100.1/24 dev "${veth}a"
ip link set "${veth}a" up
ip -n "$ns" addr add 198.51.100.2/24 dev "${veth}b"
ip -n "$ns" link set "${veth}b" up
ip -n "$ns" link set lo up

# 50 ports spread over the whole range, the same every run.
ports=$(python3 -c 'import random; r = random.Random(4); print(" ".join(map(str, sorted(r.sample(range(1, 65536), 50)))))')
args=()
for p in $ports; do args+=(0.0.0.0 "$p"); done
ip netns exec "$ns" "$listen" "${args[@]}" >"$work/listen.out" &
for ((i = 0; i < 100; i++)); do grep -q ready "$work/listen.out" 2>/dev/null && break; sleep 0.05; done
expected=$(echo "$ports" | tr ' ' '\n' | sort -n | tr '\n' ' ')

# Accuracy first: both must see the same 50 ports.
got_hw=$("$hw" probe 198.51.100.2 -p- --scan-only --format json --fail-on critical |
  python3 -c 'import json,sys; print(" ".join(str(p["port"]) for p in json.load(sys.stdin)["probe"][0]["open"]))')
got_nmap=$(nmap -sT -p- -T5 -n -Pn 198.51.100.2 -oG - | grep -o '[0-9]*/open' | cut -d/ -f1 | sort -n | tr '\n' ' ')
[[ "$(echo $got_hw)" == "$(echo $expected)" ]] || { echo "hostward found: $got_hw" >&2; echo "expected: $expected" >&2; exit 1; }
[[ "$(echo $got_nmap)" == "$(echo $expected)" ]] || { echo "nmap found: $got_nmap" >&2; echo "expected: $expected" >&2; exit 1; }
echo "both found the same 50 open ports"

hyperfine --warmup 1 --runs "$runs" --export-json "$work/probe.json" \
  -n "hostward probe -p- --scan-only" "$hw probe 198.51.100.2 -p- --scan-only --format json --fail-on critical >/dev/null" \
  -n "nmap -sT -p- -T5" "nmap -sT -p- -T5 -n -Pn 198.51.100.2 -oG - >/dev/null" \
  -n "taskset -c 0 hostward probe -p- --scan-only" "taskset -c 0 $hw probe 198.51.100.2 -p- --scan-only --format json --fail-on critical >/dev/null" \
  -n "taskset -c 0 nmap -sT -p- -T5" "taskset -c 0 nmap -sT -p- -T5 -n -Pn 198.51.100.2 -oG - >/dev/null"

python3 - "$work/probe.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
med = {x["command"]: statistics.median(x["times"]) * 1000 for x in r}
hw, nm = med["hostward probe -p- --scan-only"], med["nmap -sT -p- -T5"]
print()
print("| command | median ms |")
print("|---|---:|")
for k, v in med.items():
    print(f"| `{k}` | {v:.0f} |")
hw1, nm1 = med["taskset -c 0 hostward probe -p- --scan-only"], med["taskset -c 0 nmap -sT -p- -T5"]
print()
print(f"Ratio nmap / hostward, all cores: **{nm / hw:.2f}x** (above 1 means hostward is faster)")
print(f"Ratio nmap / hostward, one core: **{nm1 / hw1:.2f}x**")
PY
