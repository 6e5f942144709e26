#!/usr/bin/env bash
# `hostward scan --only config` against `lynis audit system --quick` on the
# same host state: this machine seen through an overlay (nothing of the real
# host is changed) with the seed's weaknesses planted in it, inside a network
# namespace of its own, where a throwaway sshd listens.
#
#   sudo bash bench/config_audit.sh BUILD_DIR [RUNS]
#
# Prints hyperfine's medians and, for each seed weakness, what each tool said.
# Needs root, hyperfine, lynis, openssh-server and iptables.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BUILD_DIR [RUNS]" >&2; exit 2; }
build=$(cd "$1" && pwd -P)
runs=${2:-3}
hostward=$build/src/cli/hostward
for tool in hyperfine lynis iptables /usr/sbin/sshd; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 2; }
done
[[ -x $hostward ]] || { echo "$0: build hostward first ($hostward)" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "$0: run as root (namespaces, overlay, chroot)" >&2; exit 2; }

work=$(mktemp -d /tmp/hw-bench-config.XXXXXX)
ns=hwbench-config-$$
cleanup() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work"/{upper,work,merged,out}
up=$work/upper

# The seed's weaknesses, written into the overlay's upper layer.
mkdir -p "$up/etc/ssh/sshd_config.d" "$up/etc/ufw" "$up/etc/docker" "$up/root" \
  "$up/etc/postgresql/15/main" "$up/home/azagent"
# The sibling hosts: root logins with passwords (the cloud-init trap), ...
printf 'PermitRootLogin yes\nPasswordAuthentication yes\n' \
  > "$up/etc/ssh/sshd_config.d/00-seed.conf"
{ echo 'Include /etc/ssh/sshd_config.d/*.conf'; grep -v '^Include' /etc/ssh/sshd_config || true; } \
  > "$up/etc/ssh/sshd_config"
# ... the Docker API allowed through ufw and listening on TCP ...
printf 'ENABLED=yes\nLOGLEVEL=low\n' > "$up/etc/ufw/ufw.conf"
cat > "$up/etc/ufw/user.rules" <<'RULES'
*filter
:ufw-user-input - [0:0]
### RULES ###

### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 22 -j ACCEPT

### tuple ### allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 2375 -j ACCEPT

### END RULES ###
COMMIT
RULES
printf '{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}\n' > "$up/etc/docker/daemon.json"
# ... no fail2ban ...
if [[ -d /etc/fail2ban ]]; then mkdir -p "$up/etc/fail2ban/jail.d"; : > "$up/etc/fail2ban/jail.d/defaults-debian.conf"; fi
# ... registry credentials in root's history.
printf 'ls\ndocker login -u ci -p Zq8vT3kP9wLm2xR7 registry.example.com\n' > "$up/root/.bash_history"
chmod 600 "$up/root/.bash_history"
# The build agent: trust for every address, listening everywhere ...
if [[ -d /etc/postgresql/15/main ]]; then
  printf 'local all postgres peer\nhost all all 0.0.0.0/0 trust\n' > "$up/etc/postgresql/15/main/pg_hba.conf"
  { cat /etc/postgresql/15/main/postgresql.conf; echo "listen_addresses = '*'"; } \
    > "$up/etc/postgresql/15/main/postgresql.conf"
fi
# ... and its agent user in the docker group.
{ grep -v '^docker:' /etc/group; echo 'docker:x:59999:azagent'; } > "$up/etc/group"
{ cat /etc/passwd; echo 'azagent:x:1500:1500::/home/azagent:/bin/bash'; } > "$up/etc/passwd"

cat > "$work/inner.sh" <<INNER
set -euo pipefail
m=$work/merged
mount -t overlay overlay -o lowerdir=/,upperdir=$work/upper,workdir=$work/work \$m
mount -t proc proc \$m/proc
mount --rbind /sys \$m/sys
mount --rbind /dev \$m/dev
mount -t tmpfs -o mode=755 tmpfs \$m/run
mkdir -p \$m/run/sshd
ip link set lo up
# ... and the firewall typed by hand, saved nowhere.
iptables -A INPUT -p tcp --dport 5432 -s 198.51.100.0/24 -j ACCEPT
chroot \$m /usr/sbin/sshd -o ListenAddress=0.0.0.0 -o PidFile=/run/sshd.pid
hyperfine -i --runs $runs --warmup 1 --export-json $work/out/hyperfine.json \
  -n 'hostward scan --only config' "chroot \$m $hostward scan --only config --format json --fail-on critical" \
  -n 'lynis audit system --quick' "chroot \$m lynis audit system --quick --no-colors --quiet"
chroot \$m $hostward scan --only config --format json --fail-on critical > $work/out/hostward.json || true
chroot \$m lynis audit system --quick --no-colors --quiet > /dev/null 2>&1 || true
cp \$m/var/log/lynis-report.dat $work/out/lynis-report.dat
INNER
ip netns add "$ns"
ip netns exec "$ns" unshare -m --propagation private bash "$work/inner.sh"

echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(uname -sr); $runs runs each"
python3 - "$work/out" <<'PY'
import json, sys, re
out = sys.argv[1]
h = json.load(open(out + "/hyperfine.json"))["results"]
med = {r["command"]: r["median"] * 1000 for r in h}
print("\n| command | median ms | min ms | max ms |\n|---|---:|---:|---:|")
for r in h:
    print(f"| `{r['command']}` | {r['median']*1000:.1f} | {r['min']*1000:.1f} | {r['max']*1000:.1f} |")
hw, ly = med["hostward scan --only config"], med["lynis audit system --quick"]
print(f"\nRatio hostward / lynis: **{hw/ly:.3f}**")
report = json.load(open(out + "/hostward.json"))
rules = {}
for f in report["findings"]:
    rules.setdefault(f["rule"], []).append(f"{f['severity']}: {f['title']}")
print(f"\nhostward hardening score: {report['summary'].get('hardening_score')}")
print("\nhostward findings:")
for r, titles in sorted(rules.items()):
    for t in titles:
        print(f"  {r}  {t}")
lynis = [l.strip() for l in open(out + "/lynis-report.dat", errors="replace")
         if l.startswith(("warning[]", "suggestion[]"))]
hardening = [l for l in open(out + "/lynis-report.dat", errors="replace") if l.startswith("hardening_index")]
print(f"\nlynis {hardening[0].strip() if hardening else ''}; warnings and suggestions:")
for l in lynis:
    print("  " + l)
PY
