# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small forward proxy for tests: it relays ``CONNECT host:port`` tunnels and records what it was asked.

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


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        request_line = self.rfile.readline(8192).decode("latin-1").strip()
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # headers of the CONNECT request: nothing in them matters here
        method, _sep, rest = request_line.partition(" ")
        target = rest.split(" ")[0]
        host, _sep, port = target.rpartition(":")
        route = proxy.routes.get(host.lower()) if method == "CONNECT" else None
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

    def __init__(self, routes=None):
        self.routes = {host.lower(): address for host, address in (routes or {}).items()}
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
