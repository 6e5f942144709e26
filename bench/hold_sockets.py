#!/usr/bin/env python3
"""Hold N established TCP connections on loopback for a benchmark.

    python3 bench/hold_sockets.py [CONNECTIONS]

Listens on 127.0.0.1:<free port>, connects to itself CONNECTIONS times
(default 10,000) and accepts every connection, so 2 * CONNECTIONS sockets plus
the listener stay open (closed with linger 0, so no TIME-WAIT is left behind). Prints "ready N PORT PROCESSES" (N = sockets held)
once done, then sleeps until killed. Traffic never leaves 127.0.0.1; nothing
is sent.

RLIMIT_NOFILE is raised to what one process needs (soft to hard, then the
hard limit too, which needs CAP_SYS_RESOURCE). Where the hard limit cannot be
raised (a container without CAP_SYS_RESOURCE), a child process holds the
accepted sockets and this one the client sockets, so each needs only
CONNECTIONS descriptors. Exits 2 with a message when even that is too many, or
when the local port range is too small.
"""
import ctypes
import os
import resource
import signal
import socket
import struct
import sys
import time

SLACK = 100  # stdio, the listener, the pipe, python's own
# Linger 0: when the helper is killed its sockets are reset, not left in
# TIME-WAIT for a minute (where they would hold ports and pad the next run).
NO_LINGER = struct.pack("ii", 1, 0)


def fail(msg):
    print(f"hold_sockets: {msg}", file=sys.stderr, flush=True)
    sys.exit(2)


def raise_nofile(need):
    """Raise the soft limit to at least need; True if it could."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    inf = resource.RLIM_INFINITY
    if soft == inf or soft >= need:
        return True
    if hard == inf or hard >= need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return True
    try:  # raising the hard limit needs root with CAP_SYS_RESOURCE
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
        return True
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return False


def check_port_range(n):
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
    except OSError:
        return
    if hi - lo + 1 < n + SLACK:
        fail(f"local port range {lo}-{hi} has {hi - lo + 1} ports, need about {n + SLACK}; "
             f"widen it: sysctl -w net.ipv4.ip_local_port_range='15000 64999'")


def die_with_parent():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def sleep_forever(on_exit=None):
    def stop(*_):
        if on_exit:
            on_exit()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(3600)


def held(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, NO_LINGER)
    return s


def connect(port, clients):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, NO_LINGER)
    try:
        c.connect(("127.0.0.1", port))
    except OSError as e:
        fail(f"connect #{len(clients) + 1} failed: {e}")
    clients.append(c)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    check_port_range(n)
    split = not raise_nofile(2 * n + SLACK)
    if split and not raise_nofile(n + SLACK):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        fail(f"RLIMIT_NOFILE hard limit {hard} is below {n + SLACK} and cannot be raised; "
             "run as root or raise `ulimit -Hn`")

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    port = listener.getsockname()[1]
    clients, accepted = [], []

    if not split:
        # Connect and accept in batches so the backlog never overflows.
        while len(clients) < n:
            k = min(1000, n - len(clients))
            for _ in range(k):
                connect(port, clients)
            for _ in range(k):
                accepted.append(held(listener.accept()[0]))
        print(f"ready {len(clients) + len(accepted)} {port} 1", flush=True)
        sleep_forever()

    # Split: the child accepts and holds the accepted sockets.
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        die_with_parent()
        for _ in range(n):
            accepted.append(held(listener.accept()[0]))
        os.write(w, f"{len(accepted)}\n".encode())
        os.close(w)
        sleep_forever()
    os.close(w)
    listener.close()  # the child's copy keeps it listening
    for _ in range(n):
        connect(port, clients)
    got = os.read(r, 64).decode().strip()
    if not got:
        fail("accepting child died")
    print(f"ready {len(clients) + int(got)} {port} 2", flush=True)

    def reap():
        try:
            os.kill(child, signal.SIGTERM)
            os.waitpid(child, 0)
        except OSError:
            pass
    sleep_forever(reap)


if __name__ == "__main__":
    main()
