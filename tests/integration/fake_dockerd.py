#!/usr/bin/env python3
"""A recorded-responses Docker Engine API server on a UNIX socket, for tests.

    fake_dockerd.py SOCKET_PATH RESPONSES_DIR

Serves GET requests with the files of RESPONSES_DIR (python3 standard library
only, no Docker needed):

    /version                 -> version.json
    /containers/json         -> containers.json
    /containers/<id>/json    -> container-<id>.json   (missing: 404 "No such container: <id>")
    /_ping                   -> "OK"

An API version prefix (/v1.43/...) and the query string are ignored. Anything
else is 404 {"message":"page not found"}, as dockerd answers.

A file named `mode` in RESPONSES_DIR (read on every request, so a test may
change it while the server runs) makes every request misbehave:

    slow     sleep 30 s, then answer normally (the client must time out)
    garbage  200 with a body of non-JSON bytes
    huge     200 with a 12 MiB JSON string, streamed in chunks
    close    close the connection without answering

Prints "ready" on stdout once the socket listens. Exits 0 on SIGTERM/SIGINT.
"""

import http.server
import json
import os
import re
import signal
import socketserver
import sys
import time

API_VERSION = "1.43"
SERVER = "Docker/24.0.7 (linux)"

_VERSION_PREFIX = re.compile(r"^/v[0-9]+(?:\.[0-9]+)?(?=/)")
_CONTAINER = re.compile(r"^/containers/([^/]+)/json$")
# Container ids and names as Docker allows them; nothing that leaves the directory.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

HUGE_BYTES = 12 * 1024 * 1024
CHUNK = 64 * 1024
SLOW_SECONDS = 30


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    responses_dir = "."  # set in main()

    # client_address is '' for a UNIX socket; the base class indexes it.
    def address_string(self):
        return "unix"

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        pass

    def version_string(self):
        return SERVER

    # --- replies -----------------------------------------------------------

    def _headers(self, status, length, content_type="application/json"):
        self.send_response(status)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Content-Type", content_type)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _reply(self, status, body, content_type="application/json"):
        self._headers(status, len(body), content_type)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status, message):
        # dockerd: {"message":"..."} and a newline (Go's json.Encoder).
        self._reply(status, json.dumps({"message": message}, separators=(",", ":")).encode() + b"\n")

    def _mode(self):
        try:
            with open(os.path.join(self.responses_dir, "mode"), encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            return ""

    def _route(self):
        """(file name, error message if the file is missing) for the request path."""
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = _VERSION_PREFIX.sub("", path, count=1)
        if len(path) > 1:
            path = path.rstrip("/")
        if path == "/version":
            return "version.json", "page not found"
        if path == "/containers/json":
            return "containers.json", "page not found"
        m = _CONTAINER.match(path)
        if m:
            cid = m.group(1)
            if not _SAFE_ID.match(cid):
                return None, "No such container: " + cid
            return "container-" + cid + ".json", "No such container: " + cid
        return None, "page not found"

    def do_GET(self):
        mode = self._mode()
        if mode == "close":
            self.close_connection = True
            return
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        elif mode == "garbage":
            self._reply(200, b"\x89PNG\r\n\x1a\n\x00\xff\xfe<html>not json{{{\"\x01\n")
            return
        elif mode == "huge":
            self._headers(200, HUGE_BYTES + 2)
            if self.command == "HEAD":
                return
            self.wfile.write(b'"')
            block = b"A" * CHUNK
            left = HUGE_BYTES
            while left > 0:
                n = min(left, CHUNK)
                self.wfile.write(block[:n])
                left -= n
            self.wfile.write(b'"')
            return

        path = _VERSION_PREFIX.sub("", self.path.split("?", 1)[0], count=1)
        if path in ("/_ping", "/_ping/"):
            self._reply(200, b"OK", "text/plain; charset=utf-8")
            return

        name, missing = self._route()
        if name is None:
            self._error(404, missing)
            return
        try:
            with open(os.path.join(self.responses_dir, name), "rb") as f:
                body = f.read()
        except FileNotFoundError:
            self._error(404, missing)
            return
        except OSError as e:
            self._error(500, str(e))
            return
        self._reply(200, body)

    do_HEAD = do_GET


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True  # a "slow" request must not hold up exit
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up early (timeouts, size limits) are expected.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: fake_dockerd.py SOCKET_PATH RESPONSES_DIR\n")
        return 2
    sock_path, responses_dir = argv[1], argv[2]
    if not os.path.isdir(responses_dir):
        sys.stderr.write("fake_dockerd: not a directory: %s\n" % responses_dir)
        return 2
    Handler.responses_dir = os.path.abspath(responses_dir)

    try:
        os.unlink(sock_path)  # a stale socket from an earlier run
    except FileNotFoundError:
        pass

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    server = Server(sock_path, Handler)
    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        try:
            os.unlink(sock_path)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
