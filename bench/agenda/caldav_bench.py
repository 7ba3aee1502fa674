#!/usr/bin/env python3
"""caldav_bench.py - the CalDAV side of bench/agenda_bench.c.

Usage: caldav_bench.py EVENTS.ics EDIT_UID NEW_TITLE

Installs Radicale if it is missing (apt-get, when root; otherwise prints the
sudo line and skips), starts it on 127.0.0.1 with a temporary configuration
and storage (auth "none": any password, sent as Basic auth like a client
does; rights owner_only), loads the events of EVENTS.ics as one item
each, then measures what a CalDAV client spends, counting every byte it
sends and receives on its own sockets:
  initial   sync-collection REPORT (empty token) asking for getetag and
            calendar-data, i.e. the whole calendar in one request
  nochange  sync-collection REPORT with the token from the initial sync
  edit      PUT of the edited event (editor) + sync-collection REPORT and
            GET of the changed item (other client)
Prints "initial=N initial_s=T nochange=N edit=N (put=N report=N get=N)".
Requests carry only the headers CalDAV needs, which favours CalDAV.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CAL = "/bench/cal/"


def ensure_radicale():
    if shutil.which("radicale"):
        return True
    if os.geteuid() != 0:
        print("radicale missing; install it with: sudo apt-get install -y radicale",
              file=sys.stderr)
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "radicale"], env=env,
                   check=False, stdout=subprocess.DEVNULL)
    return shutil.which("radicale") is not None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def split_events(path):
    """One VCALENDAR per VEVENT, as a CalDAV client would PUT them."""
    text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
    items = {}
    for block in re.findall(r"BEGIN:VEVENT\n.*?END:VEVENT\n", text, re.S):
        uid = re.search(r"^UID:(.*)$", block, re.M).group(1).strip()
        items[uid] = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                      "PRODID:-//xproto//agenda//EN\r\n" +
                      block.replace("\n", "\r\n") + "END:VCALENDAR\r\n")
    return items


def write_storage(root, items):
    col = os.path.join(root, "collection-root", "bench", "cal")
    os.makedirs(col)
    with open(os.path.join(col, ".Radicale.props"), "w") as f:
        json.dump({"tag": "VCALENDAR"}, f)
    for uid, ics in items.items():
        with open(os.path.join(col, uid + ".ics"), "w", newline="") as f:
            f.write(ics)


def start_radicale(tmp, port):
    storage = os.path.join(tmp, "collections")
    conf = os.path.join(tmp, "config")
    with open(conf, "w") as f:
        f.write("[server]\nhosts = 127.0.0.1:%d\n[auth]\ntype = none\n"
                "[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = %s\n"
                "[web]\ntype = none\n[logging]\nlevel = warning\n"
                % (port, storage))
    proc = subprocess.Popen(["radicale", "--config", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("radicale did not start")


class Counter:
    """A minimal HTTP/1.1 client counting bytes on its own socket."""

    def __init__(self, port):
        self.port = port
        self.sent = self.recv = 0

    def request(self, method, path, headers, body=b""):
        head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                "Authorization: Basic YmVuY2g6eA==\r\n" % (method, path, self.port))
        for k, v in headers.items():
            head += "%s: %s\r\n" % (k, v)
        head += "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        data = head.encode() + body
        s = socket.create_connection(("127.0.0.1", self.port), 3600)
        s.sendall(data)
        self.sent += len(data)
        chunks = []
        while True:
            c = s.recv(1 << 16)
            if not c:
                break
            chunks.append(c)
        s.close()
        resp = b"".join(chunks)
        self.recv += len(resp)
        status = int(resp.split(b" ", 2)[1])
        return status, resp.split(b"\r\n\r\n", 1)[1]

    def total(self):
        return self.sent + self.recv


SYNC = ('<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection '
        'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        '<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>'
        '<D:prop><D:getetag/>%s</D:prop></D:sync-collection>')


def sync_report(conn, token, data):
    body = (SYNC % (token, "<C:calendar-data/>" if data else "")).encode()
    status, resp = conn.request("REPORT", CAL, {
        "Depth": "1", "Content-Type": "application/xml; charset=utf-8"}, body)
    if status != 207:
        raise SystemExit("REPORT failed: %d %s" % (status, resp[:200]))
    m = re.search(rb"<[^>]*sync-token>([^<]*)<", resp)
    return resp, m.group(1).decode() if m else ""


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    path, uid, title = sys.argv[1:4]
    if not ensure_radicale():
        print("CalDAV skipped: radicale not installed")
        return 2
    items = split_events(path)
    tmp = tempfile.mkdtemp(prefix="caldav_bench_")
    proc = None
    try:
        write_storage(os.path.join(tmp, "collections"), items)
        port = free_port()
        proc = start_radicale(tmp, port)
        init = Counter(port)
        t0 = time.monotonic()
        resp, token = sync_report(init, "", True)
        init_s = time.monotonic() - t0
        n = resp.count(b"BEGIN:VEVENT")
        none = Counter(port)
        _, token = sync_report(none, token, False)
        put, rep, get = Counter(port), Counter(port), Counter(port)
        ics = re.sub(r"SUMMARY:[^\r]*", "SUMMARY:" + title, items[uid], count=1)
        status, _ = put.request("PUT", CAL + uid + ".ics", {
            "Content-Type": "text/calendar; charset=utf-8"}, ics.encode())
        if status not in (200, 201, 204):
            raise SystemExit("PUT failed: %d" % status)
        resp, token = sync_report(rep, token, False)
        href = re.search(rb"<[^>]*href>([^<]*\.ics)<", resp).group(1).decode()
        status, _ = get.request("GET", href, {})
        edit = put.total() + rep.total() + get.total()
        print("CalDAV (Radicale %s), %d events, loopback, bytes both ways:"
              % (radicale_version(), n))
        print("  initial=%d initial_s=%.3f nochange=%d edit=%d "
              "(put=%d report=%d get=%d)" % (init.total(), init_s, none.total(),
                                            edit, put.total(), rep.total(),
                                            get.total()))
        return 0
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def radicale_version():
    try:
        out = subprocess.run(["radicale", "--version"], capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
