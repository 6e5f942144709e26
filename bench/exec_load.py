#!/usr/bin/env python3
"""Starts RATE short-lived processes a second for SECONDS (posix_spawn of
/bin/true), and among them, every PLANT_EVERY seconds, one of the programs
given on the command line (a copy of sleep in a fresh /tmp folder, which
hostward watch must alert on). Prints how many it started."""
import os
import sys
import time


def main():
    rate, seconds, plant_every = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    planted = sys.argv[4:]
    start = time.monotonic()
    started = 0
    next_plant = start + plant_every
    children = []
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = int((now - start) * rate)
        while started < due:
            children.append(os.posix_spawn("/bin/true", ["/bin/true"], os.environ))
            started += 1
        if planted and now >= next_plant:
            path = planted.pop(0)
            children.append(os.posix_spawn(path, [path, "0.05"], os.environ))
            next_plant += plant_every
        for pid in children[:]:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                children.remove(pid)
        time.sleep(0.002)
    for pid in children:
        os.waitpid(pid, 0)
    print(started)


if __name__ == "__main__":
    main()
