#!/usr/bin/env bash
# One entry point for people and CI:
#   scripts/dev.sh scan   install what is missing, build, run `hostward scan` on this host
#   scripts/dev.sh test   install what is missing, build, run every test (also under ASan+UBSan)
#   scripts/dev.sh build  install and build only
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-scan}
shift || true
jobs=$(nproc)

# `scan` on a production host installs only what building and scanning need.
if [[ $mode == scan ]]; then
  bash scripts/install-deps.sh build
else
  bash scripts/install-deps.sh test
fi

build() {  # build DIR [cmake args...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$mode" in
  build)
    build build
    ;;
  scan)
    build build
    exec ./build/src/cli/hostward scan "$@"
    ;;
  test)
    echo "== clang-format"
    find src tests fuzz \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) -print0 \
      | xargs -0 -r clang-format --dry-run -Werror
    build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    (cd build && ctest --output-on-failure -j "$jobs")
    echo "== fuzz targets over their seed corpus"
    build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOSTWARD_FUZZ=ON -DHOSTWARD_TESTS=OFF \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
    bash fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-10}"
    echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    build build-asan -DCMAKE_BUILD_TYPE=Debug -DHOSTWARD_SANITIZE=ON
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$jobs")
    ;;
  *)
    echo "usage: scripts/dev.sh scan|test|build" >&2
    exit 2
    ;;
esac
