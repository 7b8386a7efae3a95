# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which answers end a request, and what a repeated deletion's 404 means.

SmsClient.call: a 404 that answers a retry after an attempt whose fate is unknown (connection lost, gateway error
502 or 504: the gateway passed the request on and lost the answer) means that attempt deleted the record; after
a 503 or a 429 (the request was not carried out) it means the record was not there. next_step: only an answer in
2xx is a success; redirects are not followed (the credentials must never go to another address)."""

from __future__ import annotations

import socket

import pytest
import requests

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


def token_client(emu, **kwargs):
    return sms.SmsClient(emu.url, sms.Credentials("token", auth_token=TOKEN), sleep=lambda seconds: None, **kwargs)


@pytest.mark.parametrize("status, processed, deleted", [
    (502, True, True),
    (504, True, True),
    (503, False, False),
    (429, False, False),
])
def test_a_404_after_a_lost_answer_counts_as_deleted(emulator, status, processed, deleted):
    task = emulator.add_task()
    if not processed:
        del emulator.tasks[task["id"]]
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=status, processed=processed,
                    body={"error_code": "APIGW.0%d" % status, "error_msg": "gateway"})
    assert token_client(emulator, max_retries=2).delete_record(sms.TASKS, task["id"]) is deleted
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", status), ("DELETE", 404)]
    assert task["id"] not in emulator.tasks


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(emulator, status):
    task = emulator.add_task(name="elsewhere")
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, headers={"Location": "/v3/tasks/" + task["id"]})
    with pytest.raises(sms.SmsApiError) as caught:
        token_client(emulator, max_retries=2).get_task("t-1")
    assert caught.value.status == status
    assert "(HTTP %d, request id %s)" % (status, emulator.journal[0]["request_id"]) in caught.value.message()
    assert [(entry["path"], entry["status"]) for entry in emulator.journal] == [("/v3/tasks/t-1", status)]


def refused_connection_error():
    """The error requests raises for a port nobody listens on (bound, never listening: the connection is refused)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        try:
            requests.get("http://127.0.0.1:%d/" % closed.getsockname()[1], timeout=5)
        except requests.exceptions.ConnectionError as exc:
            return exc
    raise AssertionError("the connection was not refused")


class RefusingFirst(requests.adapters.HTTPAdapter):
    """A transport whose first exchange fails with ``error``; the others are sent."""

    def __init__(self, error):
        super().__init__()
        self.error = error

    def send(self, request, **kwargs):
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return super().send(request, **kwargs)


def test_a_404_after_a_connection_never_made_is_not_deleted(emulator):
    """The first attempt could not even connect: it cannot have deleted anything, so the 404 of the retry means the
    task was not there."""
    client = token_client(emulator, max_retries=2)
    client.session.mount("http://", RefusingFirst(refused_connection_error()))
    assert client.delete_record(sms.TASKS, "t-1") is False
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", 404)]


def test_a_404_after_a_connection_lost_counts_as_deleted(emulator):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], reset=True, processed=True)
    assert token_client(emulator, max_retries=2).delete_record(sms.TASKS, task["id"]) is True
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", None), ("DELETE", 404)]


@pytest.mark.parametrize("error, arrived", [
    (requests.exceptions.ConnectionError(), True),  # nothing says the connection was never made
    (requests.exceptions.ReadTimeout(), True),
    (requests.exceptions.ConnectTimeout(), False),
])
def test_only_a_connection_never_made_cannot_have_arrived(error, arrived):
    assert sms.may_have_arrived(error) is arrived
