#!/usr/bin/env python3
"""Test servers for the probe integration tests (python3 standard library only).

    probe_servers.py MODE ADDRESS PORT

ADDRESS is an IPv4 or IPv6 literal (127.0.0.1, ::1, 0.0.0.0, ::). PORT 0 picks
a free port. Once listening, prints exactly one line "ready PORT" on stdout.
Serves any number of connections (one thread each). Exits 0 on SIGTERM/SIGINT.

Services Debian does not ship, imitating the real replies byte for byte where
it matters (see probe_servers.md):

    mongodb-open        mongod 7.0 standalone, no auth: hello, listDatabases
    mongodb-auth        mongod 7.0 with auth on: hello answers, listDatabases
                        is refused with code 13 Unauthorized
    elasticsearch-open  Elasticsearch 8.11.1 with security off: GET /, _cat/indices
    elasticsearch-auth  Elasticsearch 8.11.1 with security on: 401 on everything
    docker-api          dockerd 24.0.7 on tcp://0.0.0.0:2375: GET /version

Hostile servers:

    garbage    on connect: 4 KiB of (seeded) random bytes, then close
    silent     accept, never send, keep open until the client closes
    endless    on connect: stream bytes at full speed until the client closes
    reset      accept, then close at once with SO_LINGER 0 (the client gets RST)
    slow-drip  a plausible reply, one byte per second (HTTP if the client spoke
               HTTP, an OP_MSG reply to OP_MSG, +PONG to Redis, else an SSH banner)
"""

import datetime
import json
import os
import random
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

# ---------------------------------------------------------------------------
# BSON (https://bsonspec.org/spec.html): little endian; a document is
# int32 total size, elements (type byte, cstring name, value), 0x00.


class Int32(int):
    """Forces BSON int32 (0x10)."""


class Int64(int):
    """Forces BSON int64 (0x12)."""


class ObjectId(bytes):
    """12 bytes, BSON 0x07."""


class Binary:
    def __init__(self, subtype, data):
        self.subtype, self.data = subtype, data

    def __repr__(self):
        return "Binary(%d, %r)" % (self.subtype, self.data)


class Timestamp:
    def __init__(self, value):
        self.value = value  # uint64 (increment low 32, time high 32)

    def __repr__(self):
        return "Timestamp(%d)" % self.value


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _cstring(s):
    b = s.encode("utf-8")
    if b"\x00" in b:
        raise ValueError("NUL in BSON key")
    return b + b"\x00"


def _element(name, v):
    key = _cstring(name)
    if isinstance(v, bool):  # before int: bool is an int
        return b"\x08" + key + (b"\x01" if v else b"\x00")
    if isinstance(v, float):
        return b"\x01" + key + struct.pack("<d", v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return b"\x02" + key + struct.pack("<i", len(b) + 1) + b + b"\x00"
    if isinstance(v, dict):
        return b"\x03" + key + bson_encode(v)
    if isinstance(v, (list, tuple)):
        return b"\x04" + key + bson_encode({str(i): x for i, x in enumerate(v)})
    if isinstance(v, Binary):
        return b"\x05" + key + struct.pack("<iB", len(v.data), v.subtype) + v.data
    if isinstance(v, ObjectId):
        assert len(v) == 12
        return b"\x07" + key + bytes(v)
    if isinstance(v, datetime.datetime):
        ms = (v - _EPOCH) // datetime.timedelta(milliseconds=1)  # aware datetimes only
        return b"\x09" + key + struct.pack("<q", ms)
    if v is None:
        return b"\x0a" + key
    if isinstance(v, Int64):
        return b"\x12" + key + struct.pack("<q", v)
    if isinstance(v, Timestamp):
        return b"\x11" + key + struct.pack("<Q", v.value)
    if isinstance(v, int):
        if isinstance(v, Int32) or -(2**31) <= v < 2**31:
            return b"\x10" + key + struct.pack("<i", v)
        return b"\x12" + key + struct.pack("<q", v)
    raise TypeError("cannot encode %r as BSON" % (v,))


def bson_encode(doc):
    body = b"".join(_element(k, v) for k, v in doc.items())
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def _read_cstring(data, pos, end):
    nul = data.find(b"\x00", pos, end)
    if nul < 0:
        raise ValueError("unterminated cstring")
    return data[pos:nul].decode("utf-8"), nul + 1


def bson_decode(data, pos=0, as_array=False):
    """Decodes the document at data[pos:]; returns (dict or list, end)."""
    if pos + 5 > len(data):
        raise ValueError("short BSON document")
    (size,) = struct.unpack_from("<i", data, pos)
    end = pos + size
    if size < 5 or end > len(data) or data[end - 1] != 0:
        raise ValueError("bad BSON document size")
    out = {}
    p = pos + 4
    while p < end - 1:
        t = data[p]
        name, p = _read_cstring(data, p + 1, end)

        def need(n):
            if p + n > end - 1:
                raise ValueError("BSON element overruns its document")

        if t == 0x01:
            need(8)
            (v,) = struct.unpack_from("<d", data, p)
            p += 8
        elif t in (0x02, 0x0D, 0x0E):  # string, JavaScript, symbol
            need(4)
            (n,) = struct.unpack_from("<i", data, p)
            if n < 1:
                raise ValueError("bad BSON string length")
            need(4 + n)
            if data[p + 4 + n - 1] != 0:
                raise ValueError("BSON string not NUL terminated")
            v = data[p + 4 : p + 4 + n - 1].decode("utf-8")
            p += 4 + n
        elif t in (0x03, 0x04):
            v, p = bson_decode(data[: end - 1], p, as_array=(t == 0x04))
        elif t == 0x05:
            need(5)
            n, sub = struct.unpack_from("<iB", data, p)
            if n < 0:
                raise ValueError("bad BSON binary length")
            need(5 + n)
            v = Binary(sub, bytes(data[p + 5 : p + 5 + n]))
            p += 5 + n
        elif t in (0x06, 0x0A, 0x7F, 0xFF):  # undefined, null, maxkey, minkey
            v = None
        elif t == 0x07:
            need(12)
            v = ObjectId(data[p : p + 12])
            p += 12
        elif t == 0x08:
            need(1)
            v = data[p] != 0
            p += 1
        elif t == 0x09:
            need(8)
            (ms,) = struct.unpack_from("<q", data, p)
            try:
                v = _EPOCH + datetime.timedelta(milliseconds=ms)
            except OverflowError:
                v = ("date", ms)
            p += 8
        elif t == 0x0B:  # regex: two cstrings
            pattern, p = _read_cstring(data, p, end)
            opts, p = _read_cstring(data, p, end)
            v = ("regex", pattern, opts)
        elif t == 0x10:
            need(4)
            v = Int32(struct.unpack_from("<i", data, p)[0])
            p += 4
        elif t == 0x11:
            need(8)
            v = Timestamp(struct.unpack_from("<Q", data, p)[0])
            p += 8
        elif t == 0x12:
            need(8)
            v = Int64(struct.unpack_from("<q", data, p)[0])
            p += 8
        elif t == 0x13:
            need(16)
            v = ("decimal128", bytes(data[p : p + 16]))
            p += 16
        else:
            raise ValueError("unsupported BSON type 0x%02x" % t)
        out[name] = v
    if p != end - 1:
        raise ValueError("BSON elements overrun the document")
    if as_array:
        return list(out.values()), end
    return out, end


# ---------------------------------------------------------------------------
# MongoDB wire protocol. MsgHeader: int32 messageLength, requestID, responseTo,
# opCode. OP_MSG (2013): uint32 flagBits, sections (kind 0: one BSON document;
# kind 1: int32 size, cstring identifier, documents), optional crc32c checksum.

OP_REPLY = 1
OP_QUERY = 2004
OP_MSG = 2013
CHECKSUM_PRESENT = 1 << 0
MORE_TO_COME = 1 << 1
MAX_MESSAGE = 48000000

_request_ids = iter(range(1, 2**31))
_connection_ids = iter(range(1, 2**31))
_counter_lock = threading.Lock()
_PROCESS_ID = ObjectId(bytes.fromhex("6571c6d0") + os.urandom(8))


def _next(it):
    with _counter_lock:
        return next(it)


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def read_mongo_message(sock):
    """(requestID, opCode, body after the header) or None on EOF/malformed."""
    head = _recv_exact(sock, 16)
    if head is None:
        return None
    length, request_id, _response_to, op_code = struct.unpack("<iiii", head)
    if length < 16 or length > MAX_MESSAGE:
        return None  # mongod closes the connection
    body = _recv_exact(sock, length - 16)
    if body is None:
        return None
    return request_id, op_code, body


def parse_op_msg(body):
    """(flagBits, command document) of an OP_MSG body; kind 1 sequences are
    folded into the command under their identifier, as mongod does."""
    if len(body) < 5:
        raise ValueError("short OP_MSG")
    (flags,) = struct.unpack_from("<I", body, 0)
    end = len(body)
    if flags & CHECKSUM_PRESENT:
        end -= 4
    data = body[:end]
    p = 4
    command = None
    sequences = {}
    while p < end:
        kind = data[p]
        p += 1
        if kind == 0:
            if command is not None:
                raise ValueError("two kind 0 sections")
            command, p = bson_decode(data, p)
        elif kind == 1:
            if p + 4 > end:
                raise ValueError("short kind 1 section")
            (size,) = struct.unpack_from("<i", data, p)
            stop = p + size
            if size < 5 or stop > end:
                raise ValueError("bad kind 1 size")
            ident, q = _read_cstring(data, p + 4, stop)
            docs = []
            while q < stop:
                d, q = bson_decode(data[:stop], q)
                docs.append(d)
            sequences[ident] = docs
            p = stop
        else:
            raise ValueError("unknown section kind %d" % kind)
    if command is None:
        raise ValueError("no kind 0 section")
    command.update(sequences)
    return flags, command


def op_msg(response_to, doc, flags=0):
    body = struct.pack("<I", flags) + b"\x00" + bson_encode(doc)
    return struct.pack("<iiii", 16 + len(body), _next(_request_ids), response_to, OP_MSG) + body


def op_reply(response_to, doc):
    body = struct.pack("<iqii", 8, 0, 0, 1) + bson_encode(doc)  # flags: AwaitCapable
    return struct.pack("<iiii", 16 + len(body), _next(_request_ids), response_to, OP_REPLY) + body


def _now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def mongo_hello(command, connection_id, legacy):
    # Field order and types as mongod 7.0.x standalone answers.
    doc = {}
    if legacy:
        doc["ismaster"] = True
    else:
        doc["isWritablePrimary"] = True
    doc["topologyVersion"] = {"processId": _PROCESS_ID, "counter": Int64(0)}
    if legacy and command.get("helloOk") is True:
        doc["helloOk"] = True
    doc["maxBsonObjectSize"] = Int32(16777216)
    doc["maxMessageSizeBytes"] = Int32(48000000)
    doc["maxWriteBatchSize"] = Int32(100000)
    doc["localTime"] = _now()
    doc["logicalSessionTimeoutMinutes"] = Int32(30)
    doc["connectionId"] = Int32(connection_id)
    doc["minWireVersion"] = Int32(0)
    doc["maxWireVersion"] = Int32(21)
    doc["readOnly"] = False
    doc["ok"] = 1.0
    return doc


MONGO_DATABASES = [
    ("admin", 40960),
    ("config", 110592),
    ("local", 73728),
    ("customers", 8704000),
]


def mongo_error(code, code_name, errmsg):
    return {"ok": 0.0, "errmsg": errmsg, "code": Int32(code), "codeName": code_name}


def mongo_command(command, connection_id, auth):
    name = next(iter(command), "")
    lname = name.lower()
    if name == "hello":
        return mongo_hello(command, connection_id, legacy=False)
    if lname == "ismaster":
        return mongo_hello(command, connection_id, legacy=True)
    if lname == "ping":
        return {"ok": 1.0}
    if lname == "buildinfo":
        return {
            "version": "7.0.4",
            "gitVersion": "38f3e37057a43d2e9f41a39142681a76062d582e",
            "modules": [],
            "allocator": "tcmalloc",
            "javascriptEngine": "mozjs",
            "sysInfo": "deprecated",
            "versionArray": [Int32(7), Int32(0), Int32(4), Int32(0)],
            "bits": Int32(64),
            "debug": False,
            "maxBsonObjectSize": Int32(16777216),
            "storageEngines": ["devnull", "wiredTiger"],
            "ok": 1.0,
        }
    if name == "listDatabases":
        if auth:
            # mongod 7.0; 4.x-5.x said "command ..." with a lower case c.
            return mongo_error(13, "Unauthorized", "Command listDatabases requires authentication")
        if command.get("$db") != "admin":
            return mongo_error(13, "Unauthorized", "listDatabases may only be run against the admin database.")
        if command.get("nameOnly"):
            return {"databases": [{"name": n} for n, _ in MONGO_DATABASES], "ok": 1.0}
        total = sum(s for _, s in MONGO_DATABASES)
        return {
            "databases": [{"name": n, "sizeOnDisk": Int64(s), "empty": False} for n, s in MONGO_DATABASES],
            "totalSize": Int64(total),
            "totalSizeMb": Int64(total // (1024 * 1024)),
            "ok": 1.0,
        }
    return mongo_error(59, "CommandNotFound", "no such command: '%s'" % name)


def serve_mongodb(sock, auth):
    connection_id = _next(_connection_ids)
    while True:
        msg = read_mongo_message(sock)
        if msg is None:
            return
        request_id, op_code, body = msg
        if op_code == OP_MSG:
            try:
                flags, command = parse_op_msg(body)
            except (ValueError, struct.error):
                return  # mongod drops the connection on an invalid message
            if "$db" not in command:
                reply = mongo_error(40571, "Location40571", "OP_MSG requests require a $db argument")
            else:
                reply = mongo_command(command, connection_id, auth)
            if flags & MORE_TO_COME:
                continue  # the client asked for no reply
            sock.sendall(op_msg(request_id, reply))
        elif op_code == OP_QUERY:
            # Legacy handshake: int32 flags, cstring collection, int32 skip,
            # int32 return, query document. mongod 7.0 only answers hello here.
            try:
                coll, p = _read_cstring(body, 4, len(body))
                query, _ = bson_decode(body, p + 8)
            except (ValueError, struct.error):
                return
            if "$query" in query and isinstance(query["$query"], dict):
                query = query["$query"]
            name = next(iter(query), "")
            if coll.endswith(".$cmd") and name.lower() in ("ismaster", "hello"):
                reply = mongo_hello(query, connection_id, legacy=(name != "hello"))
            else:
                reply = mongo_error(
                    352,
                    "UnsupportedOpQueryCommand",
                    "Unsupported OP_QUERY command: %s. The client driver may require an upgrade. "
                    "For more details see https://dochub.mongodb.org/core/legacy-opcode-removal" % name,
                )
            sock.sendall(op_reply(request_id, reply))
        else:
            return  # removed/unknown opcodes: mongod 7.0 closes


# ---------------------------------------------------------------------------
# A small HTTP/1.1 server: keep-alive, Content-Length bodies, exact headers.

MAX_HEAD = 64 * 1024


class HttpRequest:
    def __init__(self, method, target, version, headers, body):
        self.method, self.target, self.version = method, target, version
        self.headers, self.body = headers, body  # headers: lower-case name -> value
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path or "/"
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)

    def keep_alive(self):
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return conn == "keep-alive"
        return conn != "close"


class BadRequest(Exception):
    pass


def read_http_request(sock, buf):
    """Reads one request; buf (bytearray) keeps bytes beyond it. None on EOF."""
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            raise BadRequest("head too large")
        chunk = sock.recv(65536)
        if not chunk:
            if buf:
                raise BadRequest("truncated head")
            return None
        buf += chunk
    head_end = buf.index(b"\r\n\r\n")
    head = bytes(buf[:head_end]).decode("iso-8859-1")
    del buf[: head_end + 4]
    lines = head.split("\r\n")
    m = re.match(r"^([A-Z]+) (\S+) (HTTP/1\.[01])$", lines[0])
    if not m:
        raise BadRequest("bad request line")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest("bad header line")
        headers[name.lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise BadRequest("chunked bodies are not supported here")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise BadRequest("bad content-length")
    if length < 0 or length > 16 * 1024 * 1024:
        raise BadRequest("bad content-length")
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise BadRequest("truncated body")
        buf += chunk
    body = bytes(buf[:length])
    del buf[:length]
    return HttpRequest(m.group(1), m.group(2), m.group(3), headers, body)


def http_response(status, reason, headers, body, head_only=False):
    """headers: list of (name, value) in the order and spelling to send."""
    out = ["HTTP/1.1 %d %s" % (status, reason)]
    out += ["%s: %s" % (n, v) for n, v in headers]
    data = ("\r\n".join(out) + "\r\n\r\n").encode("iso-8859-1")
    return data if head_only else data + body


def serve_http(sock, route, bad_request):
    """route(req) -> (status, reason, headers, body). headers must include the
    content length; HEAD gets the headers only."""
    buf = bytearray()
    while True:
        try:
            req = read_http_request(sock, buf)
        except (BadRequest, ValueError):
            if bad_request:
                sock.sendall(bad_request)
            return
        if req is None:
            return
        status, reason, headers, body = route(req)
        keep = req.keep_alive()
        if not keep:
            headers = headers + [("Connection", "close")]
        sock.sendall(http_response(status, reason, headers, body, head_only=(req.method == "HEAD")))
        if not keep:
            return


def _http_date():
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())


# --- Elasticsearch 8.11.1 ----------------------------------------------------

ES_ROOT = {
    "name": "es01",
    "cluster_name": "docker-cluster",
    "cluster_uuid": "3tIKdAuNRS2OAb4LQPREmw",
    "version": {
        "number": "8.11.1",
        "build_flavor": "default",
        "build_type": "docker",
        "build_hash": "6f9ff581fbcde658e6f69d6ce03050f060d1fd0c",
        "build_date": "2023-11-11T10:05:59.421038163Z",
        "build_snapshot": False,
        "lucene_version": "9.8.0",
        "minimum_wire_compatibility_version": "7.17.0",
        "minimum_index_compatibility_version": "7.0.0",
    },
    "tagline": "You Know, for Search",
}

# _cat/indices columns in 8.11's default order; every value is a string.
ES_INDICES = [
    {
        "health": "yellow",
        "status": "open",
        "index": "customers",
        "uuid": "kT8bQ2w9S6yJ3v1pXh4m0A",
        "pri": "1",
        "rep": "1",
        "docs.count": "12840",
        "docs.deleted": "0",
        "store.size": "4.1mb",
        "pri.store.size": "4.1mb",
        "dataset.size": "4.1mb",
    },
    {
        "health": "yellow",
        "status": "open",
        "index": "orders-2023.11",
        "uuid": "Zr0c5hV7QPqW1nE8fL2yTg",
        "pri": "1",
        "rep": "1",
        "docs.count": "99321",
        "docs.deleted": "112",
        "store.size": "27.3mb",
        "pri.store.size": "27.3mb",
        "dataset.size": "27.3mb",
    },
    {
        "health": "green",
        "status": "open",
        "index": "logs",
        "uuid": "b1XoP4aqR3C8sd0uJ9Wk7Q",
        "pri": "1",
        "rep": "0",
        "docs.count": "5",
        "docs.deleted": "0",
        "store.size": "12.4kb",
        "pri.store.size": "12.4kb",
        "dataset.size": "12.4kb",
    },
]


def _es_pretty(obj):
    # ES pretty printing (Jackson): two spaces, "key" : value, LF at the end.
    return (json.dumps(obj, indent=2, separators=(",", " : ")) + "\n").encode()


def _es_reply(status, reason, body, content_type="application/json"):
    return (
        status,
        reason,
        [("X-elastic-product", "Elasticsearch"), ("content-type", content_type), ("content-length", str(len(body)))],
        body,
    )


def _truthy(query, name):
    return name in query and query[name][-1].lower() not in ("false", "0", "no", "off")


def es_open_route(req):
    path = req.path
    if req.method not in ("GET", "HEAD") and path in ("/", "/_cat/indices"):
        body = json.dumps(
            {
                "error": "Incorrect HTTP method for uri [%s] and method [%s], allowed: [GET, HEAD]"
                % (req.target, req.method),
                "status": 405,
            },
            separators=(",", ":"),
        ).encode()
        return _es_reply(405, "Method Not Allowed", body)
    if path == "/":
        # The root API pretty prints unless told otherwise.
        if "pretty" in req.query and not _truthy(req.query, "pretty"):
            return _es_reply(200, "OK", json.dumps(ES_ROOT, separators=(",", ":")).encode())
        return _es_reply(200, "OK", _es_pretty(ES_ROOT))
    if path in ("/_cat/indices", "/_cat/indices/"):
        columns = list(ES_INDICES[0].keys())
        if "h" in req.query:
            wanted = [c.strip() for c in ",".join(req.query["h"]).split(",") if c.strip()]
            columns = [c for c in wanted if c in ES_INDICES[0]]
        rows = [{c: ix[c] for c in columns} for ix in ES_INDICES]
        fmt = req.query.get("format", ["text"])[-1].lower()
        if fmt == "json":
            if _truthy(req.query, "pretty"):
                return _es_reply(200, "OK", _es_pretty(rows))
            return _es_reply(200, "OK", json.dumps(rows, separators=(",", ":")).encode())
        widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in columns}
        lines = []
        if _truthy(req.query, "v"):
            lines.append(" ".join(c.ljust(widths[c]) for c in columns).rstrip())
        for r in rows:
            lines.append(" ".join(r[c].ljust(widths[c]) for c in columns).rstrip())
        return _es_reply(200, "OK", ("\n".join(lines) + "\n").encode(), "text/plain; charset=UTF-8")
    m = re.match(r"^/([^/_][^/]*)/?$", path)
    if m:
        index = urllib.parse.unquote(m.group(1))
        err = {
            "type": "index_not_found_exception",
            "reason": "no such index [%s]" % index,
            "resource.type": "index_or_alias",
            "resource.id": index,
            "index_uuid": "_na_",
            "index": index,
        }
        body = {"error": {"root_cause": [dict(err)], **err}, "status": 404}
        return _es_reply(404, "Not Found", json.dumps(body, separators=(",", ":")).encode())
    body = {"error": "no handler found for uri [%s] and method [%s]" % (req.target, req.method)}
    return _es_reply(400, "Bad Request", json.dumps(body, separators=(",", ":")).encode())


ES_WWW_AUTHENTICATE = ['Basic realm="security" charset="UTF-8"', "ApiKey"]


def es_auth_route(req):
    cause = {
        "type": "security_exception",
        "reason": "missing authentication credentials for REST request [%s]" % req.target,
        "header": {"WWW-Authenticate": ES_WWW_AUTHENTICATE},
    }
    body = json.dumps(
        {"error": {"root_cause": [dict(cause)], **cause}, "status": 401}, separators=(",", ":")
    ).encode()
    headers = [("WWW-Authenticate", v) for v in ES_WWW_AUTHENTICATE]
    headers += [("content-type", "application/json"), ("content-length", str(len(body)))]
    # No X-elastic-product: ES 8 leaves it off when authentication fails.
    return 401, "Unauthorized", headers, body


# --- Docker Engine 24.0.7 ----------------------------------------------------

DOCKER_VERSION = {
    "Platform": {"Name": "Docker Engine - Community"},
    "Components": [
        {
            "Name": "Engine",
            "Version": "24.0.7",
            "Details": {
                "ApiVersion": "1.43",
                "Arch": "amd64",
                "BuildTime": "2023-10-26T09:08:02.000000000+00:00",
                "Experimental": "false",
                "GitCommit": "311b9ff",
                "GoVersion": "go1.20.10",
                "KernelVersion": "6.1.0-17-amd64",
                "MinAPIVersion": "1.12",
                "Os": "linux",
            },
        },
        {"Name": "containerd", "Version": "1.6.25", "Details": {"GitCommit": "d8f198a4ed8892c764191ef7b3b06d8a2eeb5c7f"}},
        {"Name": "runc", "Version": "1.1.10", "Details": {"GitCommit": "v1.1.10-0-g18a0cb0"}},
        {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": "de40ad0"}},
    ],
    "Version": "24.0.7",
    "ApiVersion": "1.43",
    "MinAPIVersion": "1.12",
    "GitCommit": "311b9ff",
    "GoVersion": "go1.20.10",
    "Os": "linux",
    "Arch": "amd64",
    "KernelVersion": "6.1.0-17-amd64",
    "BuildTime": "2023-10-26T09:08:02.000000000+00:00",
}

_DOCKER_PREFIX = re.compile(r"^/v([0-9]+(?:\.[0-9]+)?)(/.*)$")


def _docker_reply(status, reason, body, content_type="application/json", extra=()):
    # Go's net/http writes the handler's headers sorted by name, then Date and
    # Content-Length.
    headers = sorted(
        [
            ("Api-Version", "1.43"),
            ("Content-Type", content_type),
            ("Docker-Experimental", "false"),
            ("Ostype", "linux"),
            ("Server", "Docker/24.0.7 (linux)"),
        ]
        + list(extra)
    )
    headers += [("Date", _http_date()), ("Content-Length", str(len(body)))]
    return status, reason, headers, body


def _docker_json(obj):
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()  # Go's json.Encoder


def docker_route(req):
    path = req.path
    m = _DOCKER_PREFIX.match(path)
    if m:
        version, path = m.group(1), m.group(2)
        parts = [int(x) for x in version.split(".")] + [0]
        if (parts[0], parts[1]) > (1, 43):
            msg = "client version %s is too new. Maximum supported API version is 1.43" % version
            return _docker_reply(400, "Bad Request", _docker_json({"message": msg}))
        if (parts[0], parts[1]) < (1, 12):
            msg = "client version %s is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version" % version
            return _docker_reply(400, "Bad Request", _docker_json({"message": msg}))
    if req.method in ("GET", "HEAD") and path == "/version":
        return _docker_reply(200, "OK", _docker_json(DOCKER_VERSION))
    if req.method in ("GET", "HEAD") and path == "/_ping":
        extra = [
            ("Builder-Version", "2"),
            ("Cache-Control", "no-cache, no-store, must-revalidate"),
            ("Pragma", "no-cache"),
        ]
        return _docker_reply(200, "OK", b"OK", "text/plain; charset=utf-8", extra)
    return _docker_reply(404, "Not Found", _docker_json({"message": "page not found"}))


GO_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"


# ---------------------------------------------------------------------------
# Hostile servers.

GARBAGE = random.Random(0x4057).randbytes(4096)
ENDLESS_BLOCK = random.Random(0xE4D).randbytes(64 * 1024)


def _drain_and_close(sock, seconds=1.0):
    """FIN after our data, then read what the client still sends, so that
    closing does not turn into an RST that could discard our bytes."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(seconds)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and sock.recv(65536):
            pass
    except OSError:
        pass


def serve_garbage(sock):
    sock.sendall(GARBAGE)
    _drain_and_close(sock)


def serve_silent(sock):
    while sock.recv(65536):
        pass


def serve_endless(sock):
    while True:
        sock.sendall(ENDLESS_BLOCK)


def serve_reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


_HTTP_METHOD = re.compile(rb"^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) ")


def serve_slow_drip(sock):
    sock.settimeout(0.5)
    try:
        first = sock.recv(65536)
    except socket.timeout:
        first = b""
    sock.settimeout(None)
    if _HTTP_METHOD.match(first):
        body = _es_pretty(ES_ROOT)
        reply = http_response(
            200, "OK", [("X-elastic-product", "Elasticsearch"), ("content-type", "application/json"),
                        ("content-length", str(len(body)))], body)
    elif len(first) >= 16 and struct.unpack_from("<i", first, 12)[0] in (OP_MSG, OP_QUERY):
        request_id = struct.unpack_from("<i", first, 4)[0]
        reply = op_msg(request_id, mongo_hello({}, _next(_connection_ids), legacy=False))
    elif first[:1] == b"*" or first[:4].upper() == b"PING":
        reply = b"+PONG\r\n"
    else:
        reply = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n"
    for i in range(len(reply)):
        sock.sendall(reply[i : i + 1])
        time.sleep(1.0)
    _drain_and_close(sock)


# ---------------------------------------------------------------------------

MODES = {
    "mongodb-open": lambda s: serve_mongodb(s, auth=False),
    "mongodb-auth": lambda s: serve_mongodb(s, auth=True),
    "elasticsearch-open": lambda s: serve_http(s, es_open_route, None),
    "elasticsearch-auth": lambda s: serve_http(s, es_auth_route, None),
    "docker-api": lambda s: serve_http(s, docker_route, GO_BAD_REQUEST),
    "garbage": serve_garbage,
    "silent": serve_silent,
    "endless": serve_endless,
    "reset": serve_reset,
    "slow-drip": serve_slow_drip,
}


class Handler(socketserver.BaseRequestHandler):
    serve = None  # set in main()

    def handle(self):
        try:
            type(self).serve(self.request)
        except (OSError, ValueError, struct.error):
            pass  # clients hanging up, timing out, sending nonsense: expected


def main(argv):
    if len(argv) != 4 or argv[1] not in MODES:
        sys.stderr.write("usage: probe_servers.py MODE ADDRESS PORT\nmodes: %s\n" % " ".join(MODES))
        return 2
    mode, address = argv[1], argv[2]
    try:
        port = int(argv[3])
    except ValueError:
        sys.stderr.write("probe_servers: bad port %r\n" % argv[3])
        return 2
    Handler.serve = staticmethod(MODES[mode])

    class Server(socketserver.ThreadingTCPServer):
        address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 128  # port scans connect in bursts

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    try:
        server = Server((address, port), Handler)
    except OSError as e:
        sys.stderr.write("probe_servers: cannot listen on %s port %d: %s\n" % (address, port, e))
        return 1
    sys.stdout.write("ready %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    # Threads may sit in recv/send/sleep for ever (silent, endless, slow-drip).
    try:
        server.socket.close()
        sys.stdout.flush()
    finally:
        os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
