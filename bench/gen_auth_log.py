#!/usr/bin/env python3
"""Deterministic synthetic auth.log for bench/logs.sh (issue: `hostward logs`
against fail2ban-regex).

    python3 bench/gen_auth_log.py N SEED OUT

Writes exactly N lines to OUT in Debian's traditional syslog format
(`Jan  5 00:00:01 web1 sshd[1234]: message`), OpenSSH 9.2 / Debian 12 message
formats, timestamps non-decreasing at about 2.4 lines per second of log time,
starting on 5 January, so 1,000,000 lines cover about five days. The same N and
SEED always give the same bytes.

The file has no year, so both tools guess it. The script sets OUT's mtime (which
hostward takes as the year reference) to one hour after the last line, in 2025
local time, and prints that moment as RFC 3339 on stdout for `--now`.

Addresses are documentation ranges only: 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24 and 2001:db8::/32, about 3,300 of them, split into
  * brute-forcers: password (and a few keyboard-interactive / none) guesses for
    root, for existing users and for invalid users, pam_unix failures, MaxAuthTries
    cut-offs, rare "not allowed because" / "ROOT LOGIN REFUSED" lines;
  * scanners: banner exchange errors, failed key exchange, connections closed or
    disconnected before any password, "Invalid user" is NOT among these;
  * legitimate users: publickey, password, keyboard-interactive/pam logins with
    sessions and logouts, some after a failed key (not a failure for either
    tool) and a few after a mistyped password (a failure for both).
About 30% of lines are from CRON, sudo, systemd-logind and the kernel.

Rules that keep hostward's and fail2ban's (sshd filter, mode=normal) sets of
failing addresses equal, so the benchmark can compare them:
  * a pam_unix(sshd:auth) authentication failure is always followed by a Failed
    line for the same address in the same sshd[PID] (fail2ban turns pending
    pam failures into a failure when another user then logs in on that PID;
    hostward never counts pam lines alone);
  * one user name per connection, as sshd enforces;
  * no `error: PAM: Authentication failure for U from A` lines (fail2ban counts
    them on their own, hostward only counts the Failed line after them);
  * PIDs only grow, so no two connections share a fail2ban MLFID.
Attacker-chosen user names with spaces or " from 10.0.0.1" appear in about 1 of
200 invalid-user connections; both tools read the address at the line's end.
"""

import base64
import datetime
import heapq
import os
import random
import sys
import time

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
YEAR = 2025
HOST = "web1"

LEGIT_USERS = ["alice", "bob", "carol", "deploy", "git", "backup", "ops", "dave", "erin", "ansible"]
VALID_TARGETS = ["root"] * 12 + ["git", "backup", "deploy", "alice"]
INVALID_NAMES = [
    "admin", "test", "user", "oracle", "postgres", "ubnt", "guest", "ftpuser", "pi", "support",
    "ubuntu", "debian", "centos", "mysql", "www", "www-data", "hadoop", "jenkins", "nagios", "dev",
    "tomcat", "steam", "minecraft", "ts3", "teamspeak", "user1", "test1", "admin1", "administrator",
    "solana", "sol", "validator", "elastic", "es", "kafka", "zabbix", "odoo", "gitlab", "vagrant",
    "docker", "k8s", "node", "sysadmin", "operator", "service", "demo", "web", "mail", "ftp", "",
]
# Attacker-controlled names: spaces, and text that looks like another address.
ODD_NAMES = ["admin test", "oracle db", "x from 10.0.0.1", "root from 10.0.0.1 port 22", "a b c"]
KEX_OFFERS = [
    "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
]
KEX_ERRORS = [
    "no matching key exchange method found",
    "no matching host key type found",
    "no matching cipher found",
]
CRON_CMDS = [
    "(root) CMD (cd / && run-parts --report /etc/cron.hourly)",
    "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    "(www-data) CMD (php /var/www/app/cron.php >/dev/null 2>&1)",
    "(root) CMD (   test -x /etc/cron.daily/popularity-contest && /etc/cron.daily/popularity-contest --crond)",
]
SUDO_CMDS = ["/usr/bin/apt update", "/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -u ssh",
             "/usr/bin/tail -f /var/log/syslog", "/usr/sbin/ufw status"]


def addresses(rng):
    v4 = [f"{net}.{i}" for net in ("192.0.2", "198.51.100", "203.0.113") for i in range(1, 255)]
    v6 = set()
    while len(v6) < 2500:
        v6.add(f"2001:db8::{rng.randrange(1, 0x10000):x}:{rng.randrange(1, 0x10000):x}")
    pool = v4 + sorted(v6)
    rng.shuffle(pool)
    return pool


class Gen:
    def __init__(self, n, seed):
        self.n = n
        self.rng = random.Random(seed)
        pool = addresses(self.rng)
        a, b = len(pool) * 10 // 100, len(pool) * 45 // 100
        self.legit = pool[:a]
        self.brute = pool[a:b]
        self.scan = pool[b:]
        # A few brute-forcers do most of the guessing.
        self.brute_w = [1.0 / (i + 1) ** 0.8 for i in range(len(self.brute))]
        self.legit_user = {ip: self.rng.choice(LEGIT_USERS) for ip in self.legit}
        self.keys = {u: base64.b64encode(self.rng.randbytes(32)).decode().rstrip("=") for u in LEGIT_USERS}
        self.pid = 1000
        self.cron_pid = 500
        self.logind_session = 100
        self.clock = time.mktime((YEAR, 1, 5, 0, 0, 0, 0, 0, -1))
        self.heap = []  # (time, seq, line)
        self.seq = 0

    def next_pid(self):
        self.pid += self.rng.randint(1, 12)
        return self.pid

    def port(self):
        return self.rng.randint(1024, 65535)

    def stamp(self, t):
        tm = time.localtime(t)
        return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} {HOST} "

    # Each session returns [(offset seconds, "prog[pid]: message"), ...].

    def brute_session(self):
        r = self.rng
        ip = r.choices(self.brute, self.brute_w)[0]
        pid, port = self.next_pid(), self.port()
        sp = f"sshd[{pid}]: "
        out, t = [], 0.0
        k = r.random()
        if k < 0.42:  # invalid user, password guesses
            user = r.choice(ODD_NAMES) if r.random() < 0.005 else r.choice(INVALID_NAMES)
            out.append((t, f"{sp}Invalid user {user} from {ip} port {port}"))
            tries = r.choice([0, 1, 1, 1, 2, 3, 6])
            method = r.choices(["password", "keyboard-interactive/pam", "none"], [90, 7, 3])[0]
            for _ in range(tries):
                t += r.uniform(0.5, 3)
                if method != "none":
                    out.append((t, f"{sp}pam_unix(sshd:auth): check pass; user unknown"))
                    out.append((t, f"{sp}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip} "))
                    t += r.uniform(1, 3)
                out.append((t, f"{sp}Failed {method} for invalid user {user} from {ip} port {port} ssh2"))
            t += r.uniform(0.1, 1)
            if tries == 6:
                out.append((t, f"{sp}error: maximum authentication attempts exceeded for invalid user {user} from {ip} port {port} ssh2 [preauth]"))
                out.append((t, f"{sp}Disconnecting invalid user {user} {ip} port {port}: Too many authentication failures [preauth]"))
            elif r.random() < 0.5:
                out.append((t, f"{sp}Received disconnect from {ip} port {port}:11: Bye Bye [preauth]"))
                out.append((t, f"{sp}Disconnected from invalid user {user} {ip} port {port} [preauth]"))
            else:
                out.append((t, f"{sp}Connection closed by invalid user {user} {ip} port {port} [preauth]"))
            if tries > 1 and method != "none":
                out.append((t, f"{sp}PAM {tries - 1} more authentication failure{'s' if tries > 2 else ''}; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip} "))
        elif k < 0.95:  # existing user (mostly root), password guesses
            user = r.choice(VALID_TARGETS)
            tries = r.choice([1, 1, 2, 3, 6])
            for _ in range(tries):
                t += r.uniform(0.5, 3)
                out.append((t, f"{sp}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user}"))
                t += r.uniform(1, 3)
                out.append((t, f"{sp}Failed password for {user} from {ip} port {port} ssh2"))
            t += r.uniform(0.1, 1)
            if tries == 6:
                out.append((t, f"{sp}error: maximum authentication attempts exceeded for {user} from {ip} port {port} ssh2 [preauth]"))
                out.append((t, f"{sp}Disconnecting authenticating user {user} {ip} port {port}: Too many authentication failures [preauth]"))
            elif r.random() < 0.5:
                out.append((t, f"{sp}Received disconnect from {ip} port {port}:11: Bye Bye [preauth]"))
                out.append((t, f"{sp}Disconnected from authenticating user {user} {ip} port {port} [preauth]"))
            else:
                out.append((t, f"{sp}Connection closed by authenticating user {user} {ip} port {port} [preauth]"))
            if tries > 1:
                out.append((t, f"{sp}PAM {tries - 1} more authentication failure{'s' if tries > 2 else ''}; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user}"))
        elif k < 0.98:  # AllowUsers refusal: sshd then treats the user as invalid
            user = r.choice(["guest", "test", "oracle", "nobody"])
            out.append((t, f"{sp}User {user} from {ip} not allowed because not listed in AllowUsers"))
            t += r.uniform(1, 3)
            out.append((t, f"{sp}Failed password for invalid user {user} from {ip} port {port} ssh2"))
            out.append((t, f"{sp}Connection closed by invalid user {user} {ip} port {port} [preauth]"))
        else:  # PermitRootLogin no: the right password still fails
            out.append((t, f"{sp}ROOT LOGIN REFUSED FROM {ip} port {port}"))
            out.append((t, f"{sp}Failed password for root from {ip} port {port} ssh2"))
            t += r.uniform(0.1, 1)
            out.append((t, f"{sp}Connection closed by authenticating user root {ip} port {port} [preauth]"))
        return out

    def scan_session(self):
        r = self.rng
        ip = r.choice(self.scan)
        pid, port = self.next_pid(), self.port()
        sp = f"sshd[{pid}]: "
        k = r.random()
        t = r.uniform(0.5, 10)
        if k < 0.25:
            return [(0, f"{sp}error: kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\""),
                    (0, f"{sp}banner exchange: Connection from {ip} port {port}: invalid format")]
        if k < 0.45:
            return [(0, f"{sp}Unable to negotiate with {ip} port {port}: {r.choice(KEX_ERRORS)}. Their offer: {r.choice(KEX_OFFERS)} [preauth]")]
        if k < 0.60:
            return [(t, f"{sp}error: kex_exchange_identification: Connection closed by remote host"),
                    (t, f"{sp}Connection closed by {ip} port {port}")]
        if k < 0.75:
            return [(t, f"{sp}Connection closed by {ip} port {port} [preauth]")]
        if k < 0.85:
            return [(t, f"{sp}Received disconnect from {ip} port {port}:11: Bye Bye [preauth]"),
                    (t, f"{sp}Disconnected from {ip} port {port} [preauth]")]
        if k < 0.92:
            return [(t, f"{sp}Connection reset by {ip} port {port} [preauth]")]
        # Offered only "none"/keys for root, then gave up: no Failed line at INFO.
        return [(t, f"{sp}Connection closed by authenticating user root {ip} port {port} [preauth]")]

    def legit_session(self):
        r = self.rng
        ip = r.choice(self.legit)
        user = self.legit_user[ip]
        pid, port = self.next_pid(), self.port()
        sp = f"sshd[{pid}]: "
        out, t = [], 0.0
        method = r.choices(["publickey", "password", "keyboard-interactive/pam"], [75, 15, 10])[0]
        if method == "publickey":
            if r.random() < 0.1:  # a third key tried first: logged, but not a failure
                out.append((t, f"{sp}Failed publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{self.keys[LEGIT_USERS[0]][::-1]}"))
            extra = f": ED25519 SHA256:{self.keys[user]}"
        else:
            extra = ""
            if r.random() < 0.03:  # mistyped password: a failure for both tools
                t += r.uniform(2, 5)
                out.append((t, f"{sp}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user}"))
                t += r.uniform(1, 3)
                out.append((t, f"{sp}Failed {method} for {user} from {ip} port {port} ssh2"))
            t += r.uniform(2, 6)
        out.append((t, f"{sp}Accepted {method} for {user} from {ip} port {port} ssh2{extra}"))
        out.append((t, f"{sp}pam_unix(sshd:session): session opened for user {user}(uid={1000 + LEGIT_USERS.index(user)}) by (uid=0)"))
        self.logind_session += 1
        s = self.logind_session
        out.append((t, f"systemd-logind[412]: New session {s} of user {user}."))
        t += r.expovariate(1 / 900)
        out.append((t, f"{sp}Received disconnect from {ip} port {port}:11: disconnected by user"))
        out.append((t, f"{sp}Disconnected from user {user} {ip} port {port}"))
        out.append((t, f"{sp}pam_unix(sshd:session): session closed for user {user}"))
        out.append((t, f"systemd-logind[412]: Session {s} logged out. Waiting for processes to exit."))
        out.append((t, f"systemd-logind[412]: Removed session {s}."))
        return out

    def unrelated(self):
        r = self.rng
        k = r.random()
        if k < 0.45:
            self.cron_pid += r.randint(1, 40)
            p = self.cron_pid
            u = "www-data" if r.random() < 0.2 else "root"
            uid = 33 if u == "www-data" else 0
            return [(0, f"CRON[{p}]: pam_unix(cron:session): session opened for user {u}(uid={uid}) by (uid=0)"),
                    (0, f"CRON[{p}]: {r.choice(CRON_CMDS)}"),
                    (0.5, f"CRON[{p}]: pam_unix(cron:session): session closed for user {u}")]
        if k < 0.75:
            u = r.choice(LEGIT_USERS[:4])
            return [(0, f"sudo:    {u} : TTY=pts/{r.randint(0, 5)} ; PWD=/home/{u} ; USER=root ; COMMAND={r.choice(SUDO_CMDS)}"),
                    (0, f"sudo: pam_unix(sudo:session): session opened for user root(uid=0) by {u}(uid={1000 + LEGIT_USERS.index(u)})"),
                    (1, "sudo: pam_unix(sudo:session): session closed for user root")]
        if k < 0.85:
            return [(0, f"systemd-logind[412]: Watching system buttons on /dev/input/event{r.randint(0, 3)} (Power Button)")]
        src = r.choice(self.scan + self.brute)
        proto = "SRC=" + src + (" DST=2001:db8::10" if ":" in src else " DST=192.0.2.10")
        up = self.clock - time.mktime((YEAR, 1, 1, 0, 0, 0, 0, 0, -1))
        return [(0, f"kernel: [{up:.6f}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 {proto} LEN=44 TOS=0x00 PREC=0x00 TTL=240 ID=54321 PROTO=TCP SPT={self.port()} DPT={r.choice([23, 3389, 5900, 8080, 445])} WINDOW=1024 RES=0x00 SYN URGP=0")]

    def run(self, out):
        r = self.rng
        emitted = 0
        buf = []
        while emitted < self.n:
            self.clock += r.expovariate(2.5)
            if self.heap and (self.heap[0][0] <= self.clock or emitted + len(self.heap) >= self.n):
                when, _, line = heapq.heappop(self.heap)
                self.clock = max(self.clock, when)
            else:
                k = r.random()
                if k < 0.45:
                    lines = self.unrelated()
                elif k < 0.79:
                    lines = self.brute_session()
                elif k < 0.94:
                    lines = self.scan_session()
                else:
                    lines = self.legit_session()
                if emitted + len(self.heap) + len(lines) > self.n:
                    lines = [(0, "systemd-logind[412]: Watching system buttons on /dev/input/event0 (Power Button)")]
                # Later lines wait in the heap, in order; so does the first
                # when the session starts after a delay.
                wait = lines if lines[0][0] > 0 else lines[1:]
                for off, text in wait:
                    self.seq += 1
                    heapq.heappush(self.heap, (self.clock + off, self.seq, text))
                if lines[0][0] > 0:
                    continue
                line = lines[0][1]
            buf.append(self.stamp(self.clock) + line + "\n")
            emitted += 1
            if len(buf) >= 8192:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
        return self.clock


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen_auth_log.py N SEED OUT")
    n, seed, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    g = Gen(n, seed)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        last = g.run(f)
    now = int(last) + 3600
    os.utime(path, (now, now))
    print(datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


if __name__ == "__main__":
    main()
