# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's decisions: the pause before a retry, what to do after each attempt (a pure function), and
what a failed connection is called."""

from __future__ import annotations

import email.utils
import socket
import time

import pytest
import requests

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors, transport
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


def test_retry_after_wins_over_backoff():
    assert transport.retry_delay(0, "3") == 3.0
    assert transport.retry_delay(4, "0") == 0.0
    assert transport.retry_delay(0, "100000") == 120.0  # the documented cap of Retry-After
    assert transport.retry_delay(0, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: at once
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= transport.retry_delay(0, future) <= 30


@pytest.mark.parametrize("odd", ["nan", "inf", "-inf", "soon", "Wed, 21 Oct 99999 07:28:00 GMT", "-5"])
def test_odd_retry_after_falls_back_to_backoff(odd):
    delay = transport.retry_delay(1, odd)
    assert delay == 0.0 if odd == "-5" else 1.0 <= delay <= 2.0


DOCUMENTED_PAUSES = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0), (10.0, 20.0), (10.0, 20.0)]


@pytest.mark.parametrize("attempt, bounds", list(enumerate(DOCUMENTED_PAUSES)))
def test_backoff_grows_exponentially_with_jitter(attempt, bounds):
    delays = {transport.retry_delay(attempt) for sample in range(200)}
    assert all(bounds[0] <= delay <= bounds[1] for delay in delays)
    assert len(delays) > 190  # jittered, not a fixed schedule
    # spread over the whole range: 200 uniform draws all miss its top (or bottom) tenth once in 10^9 runs
    spread = bounds[1] - bounds[0]
    assert max(delays) > bounds[1] - spread / 10 and min(delays) < bounds[0] + spread / 10


def test_next_step_by_default_neither_absent_nor_reauthenticates():
    assert transport.next_step(True, 0, 2, status=404) == transport.FAIL
    assert transport.next_step(True, 0, 2, status=401) == transport.FAIL


@pytest.mark.parametrize("idempotent, attempt, status, exc, absent, reauth, step", [
    (True, 0, 200, None, False, False, transport.DONE),
    (False, 0, 204, None, False, False, transport.DONE),
    (True, 0, 404, None, True, False, transport.ABSENT),
    (True, 0, 404, None, False, False, transport.FAIL),           # a gateway's 404: not absent, not retried
    (True, 0, 401, None, False, True, transport.REAUTHENTICATE),
    (True, 0, 401, None, False, False, transport.FAIL),           # never the same credentials again
    (False, 0, 429, None, False, False, transport.RETRY),         # throttled: not processed, any method
    (False, 0, 503, None, False, False, transport.FAIL),          # a POST may have been processed
    (True, 0, 503, None, False, False, transport.RETRY),
    (True, 2, 503, None, False, False, transport.FAIL),           # max_retries 2 reached
    (True, 1, 500, None, False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.ConnectionError("reset"), False, False, transport.RETRY),
    (True, 0, None, requests.exceptions.ReadTimeout("slow"), False, False, transport.RETRY),
    (False, 0, None, requests.exceptions.ReadTimeout("slow"), False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.InvalidHeader("bad"), False, False, transport.FAIL),
    (True, 0, None, requests.exceptions.SSLError("cert"), False, False, transport.FAIL),
    (True, 0, 299, None, False, False, transport.DONE),
    (True, 0, 300, None, False, False, transport.FAIL),           # 3xx is not a success (redirects are not followed)
    (True, 3, 503, None, False, False, transport.FAIL),           # beyond max_retries: never more retries
    (False, 3, 429, None, False, False, transport.FAIL),
    (True, 0, 199, None, False, False, transport.FAIL),           # not 2xx
    (True, 1, None, requests.exceptions.ConnectionError("reset"), False, False, transport.RETRY),
    (True, 2, None, requests.exceptions.ConnectionError("reset"), False, False, transport.FAIL),  # max_retries 2 reached
    (True, 3, None, requests.exceptions.ConnectionError("reset"), False, False, transport.FAIL),
    (True, 0, 400, None, False, True, transport.FAIL),            # a new token only after a 401
    (True, 0, 403, None, False, True, transport.FAIL),
])
def test_next_step_is_a_pure_decision(idempotent, attempt, status, exc, absent, reauth, step):
    assert transport.next_step(idempotent, attempt, 2, status=status, exc=exc, absent=absent,
                               can_reauthenticate=reauth) == step


def test_a_refused_connection_names_the_operating_system_reason():
    """The reason of a connection failure is the operating system's (Linux: errno 111 for a port nobody listens on)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
        port = closed.getsockname()[1]
        client = sms.SmsClient("http://127.0.0.1:%d" % port, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
        with pytest.raises(errors.SmsApiError) as caught:
            client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to 127.0.0.1:%d "
                                      "(ConnectionError: [Errno 111] Connection refused)" % port)


class FailingTransport(requests.adapters.BaseAdapter):
    """A transport whose every exchange fails with ``error`` (as a proxy or the network would make it fail)."""

    def __init__(self, error):
        super().__init__()
        self.error = error

    def send(self, request, **kwargs):
        raise self.error

    def close(self):
        pass


def test_of_several_operating_system_errors_the_innermost_cause_is_named():
    """urllib3 prints the cause of an error after it, nested: the operating system's reason is the last one quoted."""
    error = requests.exceptions.ProxyError(
        "HTTPSConnectionPool(host='sms.cn-north-4.myhuaweicloud.com', port=443): Max retries exceeded with url: "
        "/v3/tasks/t-1 (Caused by ProxyError('Unable to connect to proxy: [Errno 110] Connection timed out', "
        "NewConnectionError('HTTPConnection(host=proxy.example, port=3128): Failed to establish a new connection: "
        "[Errno 113] No route to host')))")
    client = sms.SmsClient("https://sms.cn-north-4.myhuaweicloud.com", auth.Credentials("token", auth_token=TOKEN),
                           max_retries=0)
    client.transport.session.mount("https://", FailingTransport(error))
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == ("Failed to read SMS task t-1: could not connect to sms.cn-north-4.myhuaweicloud.com "
                                      "(ProxyError: [Errno 113] No route to host)")


# ---- errors named by their cause (docs/connection.md "Errors, retries") ----


def unresolved(monkeypatch, errno, text):
    """Every name lookup fails as the resolver says: ``errno`` is its EAI_* code."""

    def getaddrinfo(*_args, **_kwargs):
        raise socket.gaierror(errno, text)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_host_name_that_does_not_resolve_is_named_and_not_retried(monkeypatch):
    unresolved(monkeypatch, socket.EAI_NONAME, "Name or service not known")
    pauses = []
    client = sms.SmsClient("https://sms.nowhere.example.com", auth.Credentials("token", auth_token=TOKEN), max_retries=5,
                           sleep=pauses.append)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == (
        "Failed to read SMS task t-1: the host name sms.nowhere.example.com does not resolve (ConnectionError: "
        "[Errno -2] Name or service not known): check endpoint, region and cloud, or this machine's DNS settings; "
        "not retried")
    assert pauses == []


def test_a_resolver_that_says_try_again_is_retried(monkeypatch):
    unresolved(monkeypatch, socket.EAI_AGAIN, "Temporary failure in name resolution")
    pauses = []
    client = sms.SmsClient("https://sms.nowhere.example.com", auth.Credentials("token", auth_token=TOKEN), max_retries=2,
                           sleep=pauses.append)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert len(pauses) == 2 and "after 2 retries" in caught.value.message()
    assert "Temporary failure in name resolution" in caught.value.message()


@pytest.mark.parametrize("verify", [True, False], ids=["validate_certs", "no-validate_certs"])
def test_https_to_a_plain_http_endpoint_says_so_not_certificate(emulator, verify):
    url = emulator.url.replace("http://", "https://")
    client = sms.SmsClient(url, auth.Credentials("token", auth_token=TOKEN), max_retries=3, verify=verify,
                           sleep=lambda seconds: None)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    message = caught.value.message()
    assert "%s does not speak https: the TLS handshake was answered in plain text" % url.split("//")[1] in message
    assert "certificate" not in message and "retries" not in message  # a TLS failure is not retried
