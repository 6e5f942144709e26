#!/usr/bin/env bash
# Benchmark for `hostward lint` (issue "lint"): a generated monorepo of 10,000
# CI pipelines, compose files, Dockerfiles and shell scripts, linted by
# `hostward lint --format json` and, as the peer, parsed by `yamllint` with
# every rule off (syntax only) over the same tree's YAML files, in the same run.
#   bash bench/lint.sh
# Root is not needed (it is only used to apt-get install yamllint when it is
# missing). Settings, all optional, through the environment:
#   FILES=10000     files in the generated tree (bench/gen_ci_repo.py)
#   SEED=1          generator seed
#   HW_RUNS=10      hostward runs; YL_RUNS=3 yamllint runs (it is slow)
#   CORE=0          the CPU both tools are pinned to (taskset -c), so each
#                   is timed on one core: hostward lint is single-threaded and
#                   yamllint is one Python process
#   HOSTWARD=...    the binary (also HOSTWARD_BIN; default build/src/cli/hostward),
#                   copied into the temporary directory before anything runs
# First it checks both tools saw the whole tree: hostward's JSON "lint" block
# must count every generated file and byte (exit 1 otherwise, or when hostward
# exits with anything but 0 or 1, or prints no JSON), and yamllint must parse
# every YAML file without a syntax error. It also compares the files hostward
# flags with those the generator planted a mistake in (reported, not fatal).
# Then it times both (hyperfine if installed, else a loop) and prints a
# Markdown block for bench/RESULTS.md. The tree lives in a temporary directory
# that is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${FILES:-10000}
seed=${SEED:-1}
hw_runs=${HW_RUNS:-10}
yl_runs=${YL_RUNS:-3}
core=${CORE:-0}
hw=${HOSTWARD:-${HOSTWARD_BIN:-build/src/cli/hostward}}
yl_config='{rules: {}}'
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
if ! command -v yamllint >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing yamllint (apt-get install yamllint)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint >&2
  fi
  command -v yamllint >/dev/null || { echo "needs yamllint (apt-get install yamllint)" >&2; exit 2; }
fi
[[ -x "$hw" ]] || { echo "build first: scripts/dev.sh build (or set HOSTWARD)" >&2; exit 2; }
hw=$(realpath "$hw")

work=$(mktemp -d /tmp/hw-bench-lint.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Time a copy, so a rebuild during the run cannot mix two binaries.
cp "$hw" "$work/hostward"
hw=$work/hostward

tree=$work/repo
echo "generating $files files (seed $seed)" >&2
python3 bench/gen_ci_repo.py "$files" "$seed" "$tree" "$work/planted.txt" >"$work/gen.out"
read -r _ gen_files _ gen_bytes _ yaml_files _ yaml_bytes _ planted <"$work/gen.out"
echo "tree: $gen_files files, $gen_bytes bytes ($yaml_files YAML files, $yaml_bytes bytes); $planted with a planted mistake" >&2

printf -v hw_cmd '%q ' taskset -c "$core" "$hw" lint --format json "$tree"
printf -v yl_cmd '%q ' taskset -c "$core" yamllint -d "$yl_config" "$tree"

# Accuracy first. hostward exits 1 when it has findings; anything else but 0
# is a failure (a crash is 128+signal).
rc=0
"$hw" lint --format json "$tree" >"$work/hw.json" 2>"$work/hw.err" || rc=$?
if ((rc != 0 && rc != 1)); then
  echo "hostward lint exited $rc:" >&2
  cat "$work/hw.err" >&2
  exit 1
fi
"$hw" lint "$tree" 2>&1 | tail -1 >"$work/hw.summary" || true
python3 - "$work/hw.json" "$work/planted.txt" "$tree" "$gen_files" "$gen_bytes" >"$work/check.txt" <<'PY'
import collections, json, sys
doc = json.load(open(sys.argv[1]))
root = sys.argv[3].rstrip("/") + "/"
want_files, want_bytes = int(sys.argv[4]), int(sys.argv[5])
lint = doc["lint"]
planted = {l.strip() for l in open(sys.argv[2]) if l.strip()}
flagged = collections.defaultdict(list)
for f in doc["findings"]:
    p = f["subject"]["path"]
    flagged[p[len(root):] if p.startswith(root) else p].append(f["rule"])
missed = sorted(planted - set(flagged))
extra = sorted(set(flagged) - planted)
rules = collections.Counter(r for v in flagged.values() for r in v)
print(f"hwfiles {lint['files']}")
print(f"hwbytes {lint['bytes']}")
print(f"findings {len(doc['findings'])}")
print(f"flagged {len(flagged)}")
print(f"missed {len(missed)}")
print(f"extra {len(extra)}")
print(f"errors {len(doc['errors'])}")
print("rules " + ", ".join(f"{r} {n}" for r, n in rules.most_common()))
for p in missed[:10]:
    print(f"missed-file {p}", file=sys.stderr)
for p in extra[:10]:
    print(f"unexpected-file {p} {' '.join(flagged[p])}", file=sys.stderr)
for e in doc["errors"][:10]:
    print(f"hostward-error {json.dumps(e)}", file=sys.stderr)
PY
get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$work/check.txt"; }
hw_files=$(get hwfiles)
hw_bytes=$(get hwbytes)
if [[ "$hw_files" != "$gen_files" || "$hw_bytes" != "$gen_bytes" ]]; then
  echo "hostward read $hw_files files, $hw_bytes bytes; the tree has $gen_files files, $gen_bytes bytes" >&2
  exit 1
fi
echo "hostward: $(cat "$work/hw.summary"); $(get errors) errors; $(get flagged) files flagged," \
  "$(get missed) of $planted planted missed, $(get extra) flagged without a planted mistake" >&2

# yamllint: every YAML file parses (no output, exit 0), and it reads as many
# files as the generator wrote .yml files (counted with yamllint's own walk).
if ! yamllint -d "$yl_config" "$tree" >"$work/yl.out" 2>&1; then
  echo "yamllint reports problems with '$yl_config':" >&2
  head -20 "$work/yl.out" >&2
  exit 1
fi
yl_python=$(sed -n '1s/^#! *//p' "$(command -v yamllint)")
yl_seen=$(${yl_python:-python3} -c 'import sys
from yamllint import cli, config
conf = config.YamlLintConfig(sys.argv[1])
print(sum(1 for _ in cli.find_files_recursively([sys.argv[2]], conf)))' "$yl_config" "$tree" 2>/dev/null) || yl_seen="?"
if [[ "$yl_seen" != "?" && "$yl_seen" != "$yaml_files" ]]; then
  echo "yamllint walks $yl_seen files; the tree has $yaml_files YAML files" >&2
  exit 1
fi
echo "yamllint: $yl_seen YAML files, no syntax error" >&2

# Timing, both pinned to core $core.
if command -v hyperfine >/dev/null; then
  hyperfine --style basic --warmup 2 --runs "$hw_runs" -i --export-json "$work/hw-time.json" \
    -n "hostward lint --format json" "$hw_cmd >/dev/null" >&2
  hyperfine --style basic --runs "$yl_runs" --export-json "$work/yl-time.json" \
    -n "yamllint syntax only" "$yl_cmd >/dev/null" >&2
  timer="hyperfine"
else
  echo "hyperfine not found: timing with a loop" >&2
  loop() {  # loop RUNS OUT CMD OK_CODES: one JSON like hyperfine's, seconds per run
    local runs=$1 out=$2 cmd=$3 ok=$4
    python3 - "$runs" "$out" "$cmd" "$ok" <<'PY'
import json, resource, subprocess, sys, time
runs, out, cmd, ok = int(sys.argv[1]), sys.argv[2], sys.argv[3], {int(c) for c in sys.argv[4].split(",")}
times, users, systems = [], [], []
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    rc = subprocess.run(cmd + " >/dev/null", shell=True).returncode
    times.append(time.perf_counter() - t)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    users.append(r1.ru_utime - r0.ru_utime)
    systems.append(r1.ru_stime - r0.ru_stime)
    if rc not in ok:
        sys.exit(f"{cmd} exited {rc}")
json.dump({"results": [{"command": cmd, "times": times, "user": sum(users) / runs,
                        "system": sum(systems) / runs}]}, open(out, "w"))
PY
  }
  eval "$hw_cmd" >/dev/null || true  # warm-up
  loop "$hw_runs" "$work/hw-time.json" "$hw_cmd" 0,1
  loop "$yl_runs" "$work/yl-time.json" "$yl_cmd" 0
  timer="a loop (no hyperfine)"
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r)"
hw_version=$("$hw" --version 2>/dev/null | head -1)
yl_version=$(yamllint --version 2>/dev/null | head -1)
hw_summary=$(cat "$work/hw.summary")

python3 - "$work/hw-time.json" "$work/yl-time.json" "$hw_summary" "$(get rules)" <<PY
import json, statistics, sys
hw = json.load(open(sys.argv[1]))["results"][0]
yl = json.load(open(sys.argv[2]))["results"][0]
hw_summary, rules = sys.argv[3], sys.argv[4]
th, ty = hw["times"], yl["times"]
mh, my = statistics.median(th), statistics.median(ty)
hw_files, hw_mb = $hw_files, $hw_bytes / 1e6
yl_files, yl_mb = $yaml_files, $yaml_bytes / 1e6
print()
print("### hostward lint against yamllint, $gen_files-file CI monorepo")
print()
print("Machine: $machine. $hw_version; $yl_version; timed with $timer;"
      " both pinned to one core (taskset -c $core).")
print(f"Tree: $gen_files files, {$gen_bytes / 1e6:.1f} MB, from bench/gen_ci_repo.py $files $seed"
      f" ($yaml_files YAML files, {yl_mb:.1f} MB, are what yamllint reads; hostward also reads"
      " the Dockerfiles and the shell scripts the pipelines run).")
print(f"hostward: {hw_summary}; $(get errors) errors; $(get flagged) files flagged,"
      " $(get missed) of the $planted with a planted mistake missed, $(get extra) flagged without one.")
print(f"Rules: {rules}.")
print()
print("| command | runs | files | MB | median s | min s | max s | CPU s | files/s | MB/s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, r, t, m, n, mb in (
        ("hostward lint --format json TREE", hw, th, mh, hw_files, hw_mb),
        ("yamllint -d '$yl_config' TREE", yl, ty, my, yl_files, yl_mb)):
    cpu = r.get("user", 0) + r.get("system", 0)
    print(f"| \`taskset -c $core {name}\` | {len(t)} | {n} | {mb:.1f} | {m:.3f} | {min(t):.3f} | {max(t):.3f}"
          f" | {cpu:.3f} | {n / m:,.0f} | {mb / m:.1f} |")
print()
print(f"Ratio hostward / yamllint, wall time: **{mh / my:.3f}** (below 1 means hostward is faster;"
      f" hostward reads {hw_mb / yl_mb:.2f}x the bytes).  ")
print(f"Ratio per MB (yamllint MB/s / hostward MB/s): **{(yl_mb / my) / (hw_mb / mh):.3f}**.  ")
verdict = "met" if mh < 2.0 else "NOT met"
print(f"Goal, the whole tree in under 2 s: **{verdict}** (median {mh:.3f} s).")
PY
