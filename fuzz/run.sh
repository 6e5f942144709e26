#!/usr/bin/env bash
# Run every libFuzzer target in BUILD_DIR/fuzz for SECONDS each, one at a time.
#
#   bash fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR may be absolute, relative to the current directory, or relative to
# the repository root (e.g. `build-fuzz`). Each target starts from its seed
# corpus fuzz/corpus/<target>/, which is only read: new inputs go to a fresh
# temporary directory that is deleted at the end. Crashes, leaks, timeouts and
# OOMs are saved as fuzz/crashes/<target>/<kind>-<sha1> with the target's log
# next to them. Exit status is non-zero when any target failed.
set -uo pipefail

usage() {
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
[[ $2 =~ ^[1-9][0-9]*$ ]] || usage
seconds=$2

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd "$script_dir/.." && pwd -P)

if [[ $1 = /* ]]; then
  build_dir=$1
elif [[ -d $1 ]]; then
  build_dir=$(cd "$1" && pwd -P)
else
  build_dir=$repo_root/$1
fi
if [[ ! -d $build_dir/fuzz ]]; then
  echo "$0: no fuzz targets: $build_dir/fuzz does not exist (configure with -DHOSTWARD_FUZZ=ON and build)" >&2
  exit 2
fi

targets=()
while IFS= read -r -d '' bin; do
  targets+=("$bin")
done < <(find "$build_dir/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -print0 | sort -z)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "$0: no fuzz_* executables in $build_dir/fuzz" >&2
  exit 2
fi

corpus_root=$script_dir/corpus
crash_root=$script_dir/crashes
mkdir -p "$crash_root"

work=$(mktemp -d "${TMPDIR:-/tmp}/hostward-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=0
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  seeds=$corpus_root/$name
  new_units=$work/$name
  log=$work/$name.log
  artifacts=$crash_root/$name
  mkdir -p "$new_units" "$artifacts"

  corpora=("$new_units")
  if [[ -d $seeds ]]; then
    corpora+=("$seeds")
  else
    echo "warning: no seed corpus $seeds" >&2
  fi

  start=$SECONDS
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
    -artifact_prefix="$artifacts/" "${corpora[@]}" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - start))

  # Figures from libFuzzer's own output: the last status line and "Done N runs".
  status_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  runs=$(sed -nE 's/^Done ([0-9]+) runs in.*/\1/p' "$log" | tail -n 1)
  [[ -n $runs ]] || runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$status_line")
  cov=$(sed -nE 's/.*(cov: [0-9]+ ft: [0-9]+).*/\1/p' <<<"$status_line")
  corp=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$status_line")
  speed=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$status_line")
  figures="${runs:-?} runs, ${cov:-cov: ?}, corp: ${corp:-?}, exec/s: ${speed:-?}, ${took}s"

  if [[ $rc -eq 0 ]]; then
    echo "$name: ok ($figures)"
    rmdir "$artifacts" 2>/dev/null || true  # keep the directory only when it holds something
  else
    failed=1
    cp "$log" "$artifacts/$name.log"
    artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
    reason=$(grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY:|runtime error:|deadly signal|ERROR: libFuzzer' "$log" | head -n 1)
    echo "$name: FAILED exit $rc ($figures): ${reason:-see log}"
    echo "  input: ${artifact:-none written}"
    echo "  log:   $artifacts/$name.log"
    tail -n 40 "$log" | cut -c 1-300 | sed 's/^/  | /' >&2
  fi
done

exit "$failed"
