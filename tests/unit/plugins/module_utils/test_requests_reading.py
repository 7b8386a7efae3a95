# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An answer that breaks off while its body is read: a body that stops arriving, or a connection closed before
the body announced by Content-Length has arrived. README "Errors, retries": a connection failure fails cleanly
(never with a traceback), reads are retried after network failures at most ``max_retries`` times, and an answer
must arrive within ``timeout`` seconds."""

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN

HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\nX-Request-Id: rid-1\r\n\r\n"
        b'{"id": "t-1", "name": ')


class BrokenServer:
    """A server that answers every request with the head of an answer and a part of its body, then waits
    ``stall`` seconds (sending nothing more) and closes the connection; it counts the requests."""

    def __init__(self, stall):
        self.stall = stall
        self.requests = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            connection.settimeout(5)
            with connection:
                received = b""
                while b"\r\n\r\n" not in received:
                    data = connection.recv(65536)
                    if not data:
                        break
                    received += data
                self.requests += 1
                connection.sendall(HEAD)
                self.stopped.wait(self.stall)

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def broken_server(request):
    server = BrokenServer(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("broken_server", [0], indirect=True)
def test_a_connection_closed_before_the_body_ends_is_a_connection_failure_retried(broken_server):
    pauses = []
    client = sms.SmsClient("http://127.0.0.1:%d" % broken_server.port, sms.Credentials("token", auth_token=TOKEN),
                           timeout=5, max_retries=2, sleep=pauses.append)
    with pytest.raises(sms.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to 127.0.0.1:%d (ConnectionError) "
                                      "(after 2 retries)" % broken_server.port)
    assert caught.value.status is None
    assert broken_server.requests == 3 and len(pauses) == 2


@pytest.mark.parametrize("broken_server", [3], indirect=True)
def test_a_body_that_stops_arriving_is_given_up_after_the_timeout(broken_server):
    client = sms.SmsClient("http://127.0.0.1:%d" % broken_server.port, sms.Credentials("token", auth_token=TOKEN),
                           timeout=1, max_retries=0)
    with pytest.raises(sms.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds "
                                      "(ReadTimeout); raise timeout if the service is slow" % broken_server.port)
    assert broken_server.requests == 1
