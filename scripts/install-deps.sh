#!/usr/bin/env bash
# Installs the Debian packages hostward needs.
#   install-deps.sh build   what building and running `hostward scan` need
#   install-deps.sh test    that, plus the servers and tools the tests and
#                           benchmarks use (the default)
# Does nothing (and needs no network) when all of them are already there.
# The servers (PostgreSQL, Redis, memcached, sshd) are installed without being
# started: the tests run their own, on ports and in namespaces of their own,
# and a fresh machine should not start listening on 22 because of a test run.
set -euo pipefail

mode=${1:-test}
packages=(
  # build, and what `hostward scan` reads the host with
  g++ cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev libssl-dev libmnl-dev
  libcurl4-openssl-dev libpq-dev libssh-dev libgtest-dev libgmock-dev libsystemd-dev libarchive-dev
  procps iproute2 iptables nftables git
)
if [[ $mode == test ]]; then
  packages+=(
    # tests and benchmarks
    libbenchmark-dev postgresql psmisc hyperfine redis-server memcached openssh-server nmap
    python3 gcc fail2ban systemd-journal-remote rsyslog libicu72 yamllint forkstat lynis
  )
elif [[ $mode != build ]]; then
  echo "usage: $0 [build|test]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Microsoft's SARIF validator (npm @microsoft/sarif-multitool, a self-contained
# .NET binary) checks `hostward lint --format sarif` in the tests.
sarif_tools=/opt/hostward-tools
sarif_version=5.7.0
install_sarif_validator() {
  [[ $mode == test ]] || return 0
  local bin=$sarif_tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
  [[ -x $bin ]] && return 0
  if ! command -v npm >/dev/null; then
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || true
  fi
  echo "install-deps: installing @microsoft/sarif-multitool@$sarif_version into $sarif_tools"
  # Without it the SARIF test says so and is skipped; the rest goes on.
  if ! npm install --silent --no-audit --no-fund --prefix "$sarif_tools" \
    "@microsoft/sarif-multitool@$sarif_version" >/dev/null; then
    echo "install-deps: could not install the SARIF validator (npm); its test will be skipped" >&2
    return 0
  fi
  chmod u+x "$bin"  # its postinstall script may not have run
}

if [[ ${#missing[@]} -eq 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then install_sarif_validator; fi
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo $0)" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d answering 101 keeps the packages' services from starting (Debian
# policy; deb-systemd-invoke honours it too). Ours only for this install.
policy=/usr/sbin/policy-rc.d
ours=""
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  ours=1
fi
cleanup() { if [[ -n $ours ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_sarif_validator
