#!/usr/bin/env bash
# Installs every Debian package hostward's build, tests and benchmarks need.
# Does nothing (and needs no network) when all of them are already there.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev libssl-dev libmnl-dev
  libcurl4-openssl-dev libpq-dev libssh-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql procps psmisc iproute2 hyperfine
  iptables nftables redis-server memcached openssh-server nmap
  python3 gcc git
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo $0)" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian postgresql package starts a cluster on 5432; tests run their own on other ports.
