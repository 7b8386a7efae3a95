# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An answer that breaks off while its body is read: a body that stops arriving, a connection closed before the
body announced by Content-Length has arrived, a body larger than the client reads. docs/connection.md "Errors, retries": a
connection failure fails cleanly (never with a traceback), reads are retried after network failures at most
``max_retries`` times, an answer must arrive within ``timeout`` seconds and at most 16 MiB of it is read."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import types
import zlib

import pytest
import urllib3

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors, network
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN

MIB = 2 ** 20


class BrokenServer:
    """A server that answers every request with the head of an answer announcing ``length`` bytes (None: no
    length, the body ends when the connection closes), then sends ``sent`` bytes of the body, then waits ``stall``
    seconds for the client to close the connection, sending nothing more (or a space every ``drip`` seconds), and
    closes it. It counts the requests, and the connections the client closed."""

    def __init__(self, length=200, sent=20, stall=0.0, drip=0.0):
        announced = "Content-Length: %d" % length if length is not None else "Connection: close"
        self.head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%s\r\nX-Request-Id: rid-1\r\n"
                     "\r\n" % announced).encode("ascii")
        self.body = (b'{"id": "t-1", "name": ' + b" " * sent)[:sent]
        self.stall = stall
        self.drip = drip
        self.requests = 0
        self.closed_by_client = 0
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
            with connection:
                connection.settimeout(5)
                received = b""
                while b"\r\n\r\n" not in received:
                    data = connection.recv(65536)
                    if not data:
                        break
                    received += data
                self.requests += 1
                self.answer(connection)

    def answer(self, connection):
        try:
            connection.sendall(self.head + self.body)
            until = time.monotonic() + self.stall
            while self.drip and time.monotonic() < until:
                time.sleep(self.drip)
                connection.sendall(b" ")
            if self.stall and not self.drip:
                connection.settimeout(self.stall)
                self.closed_by_client += connection.recv(1) == b""
        except socket.timeout:
            pass
        except OSError:  # reset or broken pipe: the client closed the connection while the body was sent
            self.closed_by_client += 1

    def wait_for_close(self, seconds=2.0):
        deadline = time.monotonic() + seconds
        while not self.closed_by_client and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.closed_by_client

    def close(self):
        self.stopped.set()
        self.thread.join(10)
        self.listener.close()


@pytest.fixture(params=["read1", "without read1"])
def interface(request, monkeypatch):
    """Each test runs with urllib3's response as installed, and as urllib3 1.26 offers it, without ``read1`` (the
    client then reads through ``stream``, within a timer of its own; ``make matrix`` runs the suite with urllib3
    1.26 itself)."""
    if request.param == "without read1":
        monkeypatch.setattr(urllib3.response.HTTPResponse, "read1", None, raising=False)
        made = urllib3.response.HTTPResponse.__init__

        def as_in_urllib3_1_26(response, *args, **kwargs):
            made(response, *args, **kwargs)
            response.enforce_content_length = False  # urllib3 1.26 takes a body cut short for whole unless told

        monkeypatch.setattr(urllib3.response.HTTPResponse, "__init__", as_in_urllib3_1_26)
    return request.param


@pytest.fixture
def broken_server(request):
    server = BrokenServer(**request.param)
    yield server
    server.close()


def token_client(server, **kwargs):
    return sms.SmsClient("http://127.0.0.1:%d" % server.port, auth.Credentials("token", auth_token=TOKEN), **kwargs)


@pytest.mark.parametrize("broken_server", [{}], indirect=True)
def test_a_connection_closed_before_the_body_ends_is_a_connection_failure_retried(broken_server, interface):
    pauses = []
    client = token_client(broken_server, timeout=5, max_retries=2, sleep=pauses.append)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to 127.0.0.1:%d (ConnectionError) "
                                      "(after 2 retries)" % broken_server.port)
    assert caught.value.status is None
    assert broken_server.requests == 3 and len(pauses) == 2


@pytest.mark.parametrize("broken_server", [{"stall": 3}], indirect=True)
def test_a_body_that_stops_arriving_is_given_up_after_the_timeout(broken_server, interface):
    with pytest.raises(errors.SmsApiError) as caught:
        token_client(broken_server, timeout=1, max_retries=0).get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds "
                                      "(ReadTimeout); raise timeout if the service is slow" % broken_server.port)
    assert broken_server.requests == 1
    assert broken_server.wait_for_close() == 1


@pytest.mark.parametrize("broken_server", [{"length": 20 * MIB, "sent": 17 * MIB, "stall": 5}], indirect=True)
def test_an_answer_too_large_is_not_read_on_and_its_connection_is_closed(broken_server, interface):
    with pytest.raises(errors.SmsApiError) as caught:
        token_client(broken_server, timeout=5, max_retries=0).get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: the answer was larger than 16 MiB from 127.0.0.1:%d: "
                                      "stopped reading" % broken_server.port)
    # the client stopped reading: the connection is closed at once, not left open while the error lives on
    assert broken_server.wait_for_close() == 1


def gzip_member(data, extra):
    """``data`` as one gzip member (RFC 1952) whose header carries an ``extra`` field of that many bytes (FEXTRA):
    the first bytes of the answer decode to nothing."""
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack("<H", extra) + b"x" * extra
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return header + compressor.compress(data) + compressor.flush() + struct.pack("<II", zlib.crc32(data), len(data))


@pytest.mark.parametrize("extra", [0, 4084, 5000, 65535])
def test_a_compressed_answer_is_read_whole_whatever_its_header_holds(emulator, extra, interface):
    """A gzip answer whose header alone is longer than a piece the client reads is read to its end, not taken as
    an empty body (urllib3 1.26, which requests accepts, returns nothing for such a piece before the end)."""
    task = {"id": "t-1", "name": "compressed", "state": "READY"}
    emulator.inject(method="GET", path="/v3/tasks/t-1", raw=gzip_member(json.dumps(task).encode("utf-8"), extra),
                    headers={"Content-Encoding": "gzip"})
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    assert client.get_task("t-1") == task


def test_an_answer_that_drips_in_is_given_up_after_the_timeout(emulator, interface):
    """docs/connection.md "Errors, retries": every answer is read within timeout seconds as a whole, not per read."""
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), timeout=1, max_retries=0)
    emulator.inject(method="GET", path="/v3/tasks/t-1", drip=0.2, body={"id": "t-1", "name": "slow", "padding": "x" * 40})
    started = time.monotonic()
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert time.monotonic() - started < 3  # the whole body would take about 14 seconds
    assert caught.value.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds "
                                      "(ReadTimeout); raise timeout if the service is slow" % emulator.port)


@pytest.mark.parametrize("broken_server", [{"length": None, "sent": 4096, "stall": 4}], indirect=True)
def test_a_body_without_a_length_that_stops_arriving_is_given_up_after_the_timeout(broken_server, interface):
    """A body whose end is the closing of the connection, of which a whole piece arrives and then nothing: given up
    after the timeout, not taken for a whole answer when the client shuts the connection at the deadline."""
    with pytest.raises(errors.SmsApiError) as caught:
        token_client(broken_server, timeout=1, max_retries=0).get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds "
                                      "(ReadTimeout); raise timeout if the service is slow" % broken_server.port)


def test_an_answer_that_drips_in_within_the_timeout_is_read_whole(emulator, interface):
    """About two seconds of an answer arriving byte by byte, with timeout 5: read whole (the timeout bounds the
    answer, it does not cut it short)."""
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), timeout=5, max_retries=0)
    task = {"id": "t-1", "name": "slow", "state": "READY"}
    emulator.inject(method="GET", path="/v3/tasks/t-1", drip=0.05, body=task)
    assert client.get_task("t-1") == task


def test_the_timer_shutting_a_connection_already_closed_does_nothing():
    """The timer may fire when the answer's connection is already closed: that is no error (it would be printed
    from the timer's thread)."""
    closed = socket.socket()
    closed.close()
    network._shut(types.SimpleNamespace(connection=types.SimpleNamespace(sock=closed)))  # pylint: disable=protected-access


@pytest.mark.parametrize("broken_server", [{"length": None, "sent": 20, "stall": 8, "drip": 0.2}], indirect=True)
def test_a_body_without_a_length_that_keeps_dripping_is_given_up_after_the_timeout(broken_server, interface):
    """A body whose end is the closing of the connection, kept open with a byte now and then (so no single wait
    times out): given up after the timeout, not when the sender stops."""
    started = time.monotonic()
    with pytest.raises(errors.SmsApiError) as caught:
        token_client(broken_server, timeout=1, max_retries=0).get_task("t-1")
    assert time.monotonic() - started < 4  # the sender would go on for 8 seconds
    assert caught.value.message() == ("Failed to read SMS task t-1: no answer from 127.0.0.1:%d within 1 seconds "
                                      "(ReadTimeout); raise timeout if the service is slow" % broken_server.port)
