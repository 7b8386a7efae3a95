# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small forward proxy for tests: it relays ``CONNECT host:port`` tunnels, and plain http requests to loopback,
and records what it was asked.

With ``HTTPS_PROXY`` pointing at it, a module that talks to ``sms.cn-north-4.myhuaweicloud.com`` reaches
the emulator that ``routes`` assigns to that host name, over TLS end to end, without any name resolution
or change to the code under test. A host it has no route for is refused (502) and recorded too, so a test
can prove which hosts a run tried to reach. Standard library only.
"""
from __future__ import annotations

import select
import socket
import socketserver
import threading
from urllib.parse import urlsplit


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        request_line = self.rfile.readline(8192).decode("latin-1").strip()
        headers = []
        while True:
            line = self.rfile.readline(8192)
            if line in (b"\r\n", b"\n", b""):
                break
            headers.append(line)
        method, _sep, rest = request_line.partition(" ")
        target = rest.split(" ")[0]
        if method != "CONNECT":
            self._relay_plain(proxy, method, target, headers)
            return
        host, _sep, port = target.rpartition(":")
        route = proxy.routes.get(host.lower())
        with proxy.lock:
            proxy.journal.append({"method": method, "target": target, "host": host.lower(), "routed": route is not None})
        if route is None:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(route, timeout=10)
        except OSError:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        self._pipe(self.connection, upstream)

    def _relay_plain(self, proxy, method, target, headers):
        """A plain http request in absolute form: relayed when its host is one the proxy may reach (loopback)."""
        split = urlsplit(target)
        allowed = split.scheme == "http" and (split.hostname or "").lower() in proxy.plain_hosts
        with proxy.lock:
            proxy.journal.append({"method": method, "target": target, "host": (split.hostname or "").lower(),
                                  "routed": allowed})
        if not allowed:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        length = 0
        kept = []
        for line in headers:
            name = line.split(b":", 1)[0].strip().lower()
            if name == b"content-length":
                length = int(line.split(b":", 1)[1].strip() or 0)
            if name not in (b"connection", b"proxy-connection", b"keep-alive"):
                kept.append(line)
        body = self.rfile.read(length) if length else b""
        path = (split.path or "/") + ("?" + split.query if split.query else "")
        with socket.create_connection((split.hostname, split.port or 80), timeout=30) as upstream:
            upstream.sendall(("%s %s HTTP/1.1\r\n" % (method, path)).encode("latin-1") + b"".join(kept) +
                             b"Connection: close\r\n\r\n" + body)
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                self.wfile.write(data)

    @staticmethod
    def _pipe(client, upstream):
        sockets = [client, upstream]
        try:
            while True:
                readable, _w, failed = select.select(sockets, [], sockets, 30)
                if failed or not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy):
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Handler)


class TunnelProxy:
    """``routes`` maps host names to ``(address, port)`` of the server that plays that host."""

    def __init__(self, routes=None, plain_hosts=("127.0.0.1",)):
        self.routes = {host.lower(): address for host, address in (routes or {}).items()}
        self.plain_hosts = {host.lower() for host in plain_hosts}
        self.journal = []
        self.lock = threading.Lock()
        self._server = None
        self._thread = None

    def start(self) -> TunnelProxy:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TunnelProxy:
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def hosts(self) -> list:
        """The host names asked for, in order."""
        with self.lock:
            return [entry["host"] for entry in self.journal]
