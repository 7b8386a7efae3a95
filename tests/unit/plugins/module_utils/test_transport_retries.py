# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which answers end a request, and what a failed write says about its effect.

SmsClient.delete_record raises SmsApiError on every failure, a 404 included (a 404 to a write may have another
meaning; the caller reads the record again). The error's ``uncertain`` says whether the write may have been carried
out: an attempt whose answer was lost (a connection failure after sending, a read timeout, a gateway error 502 or
504 before a retry: the gateway may have passed the request on), a final answer in 5xx, or a success status whose
body reports a failure. After a 503 or a 429 (the request was not carried out), or a connection never made, it is
not. next_step: only an answer in 2xx is a success; redirects are not followed (the credentials must never go to
another address)."""

from __future__ import annotations

import socket

import pytest
import requests

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


def token_client(emu, **kwargs):
    return sms.SmsClient(emu.url, auth.Credentials("token", auth_token=TOKEN), sleep=lambda seconds: None, **kwargs)


@pytest.mark.parametrize("status, processed, uncertain", [
    (502, True, True),  # the gateway passed the request on and lost the answer
    (504, True, True),
    (502, False, True),  # the client cannot tell whether it did: the same
    (503, False, False),  # not carried out
    (429, False, False),
])
def test_a_404_after_a_retry_is_raised_uncertain_only_after_a_lost_answer(emulator, status, processed, uncertain):
    task = emulator.add_task()
    if not processed:
        del emulator.tasks[task["id"]]
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=status, processed=processed,
                    body={"error_code": "APIGW.0%d" % status, "error_msg": "gateway"})
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=2).delete_record(sms.TASKS, task["id"])
    error = raised.value
    assert (error.status, error.error_code, error.retries, error.uncertain) == (404, "SMS.1801", 1, uncertain)
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", status), ("DELETE", 404)]
    assert task["id"] not in emulator.tasks


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(emulator, status):
    task = emulator.add_task(name="elsewhere")
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, headers={"Location": "/v3/tasks/" + task["id"]})
    with pytest.raises(errors.SmsApiError) as caught:
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


def test_a_404_after_a_connection_never_made_is_not_uncertain(emulator):
    """The first attempt could not even connect: it cannot have deleted anything, so the 404 of the retry is raised
    as a write that took no effect."""
    client = token_client(emulator, max_retries=2)
    client.transport.session.mount("http://", RefusingFirst(refused_connection_error()))
    with pytest.raises(errors.SmsApiError) as raised:
        client.delete_record(sms.TASKS, "t-1")
    assert (raised.value.status, raised.value.error_code, raised.value.uncertain) == (404, "SMS.1801", False)
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", 404)]


def test_a_404_after_a_connection_lost_is_uncertain(emulator):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], reset=True, processed=True)
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=2).delete_record(sms.TASKS, task["id"])
    assert (raised.value.status, raised.value.error_code, raised.value.uncertain) == (404, "SMS.1801", True)
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("DELETE", None), ("DELETE", 404)]
    assert task["id"] not in emulator.tasks


def test_a_connection_lost_on_the_last_attempt_is_uncertain(emulator):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], reset=True, processed=True)
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=0).delete_record(sms.TASKS, task["id"])
    assert (raised.value.status, raised.value.uncertain) == (None, True)
    assert task["id"] not in emulator.tasks


def test_a_read_timeout_is_uncertain(emulator):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], delay=3, processed=True)
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=0, timeout=1).delete_record(sms.TASKS, task["id"])
    assert (raised.value.status, raised.value.uncertain) == (None, True)
    assert "no answer from" in raised.value.message()


def test_a_connection_never_made_on_the_last_attempt_is_not_uncertain(emulator):
    client = token_client(emulator, max_retries=0)
    client.transport.session.mount("http://", RefusingFirst(refused_connection_error()))
    with pytest.raises(errors.SmsApiError) as raised:
        client.delete_record(sms.TASKS, "t-1")
    assert (raised.value.status, raised.value.uncertain) == (None, False)
    assert emulator.journal == []


@pytest.mark.parametrize("status, uncertain", [
    (400, False), (403, False), (409, False), (404, False),  # the service answered: the write took no effect
    (500, True), (501, True), (502, True), (503, True), (504, True), (505, True),  # a server error: it may have
])
@pytest.mark.parametrize("write", [
    pytest.param(lambda client: client.delete_record(sms.TASKS, "t-1"), id="delete"),
    pytest.param(lambda client: client.delete_records(sms.TASKS, ["t-1", "t-2"]), id="batch"),
    pytest.param(lambda client: client.task_action("t-1", "stop"), id="stop"),
])
def test_the_final_answer_of_a_write_says_whether_it_is_uncertain(emulator, write, status, uncertain):
    emulator.inject(status=status, body={"error_code": "SMS.0001", "error_msg": "refused"})
    with pytest.raises(errors.SmsApiError) as raised:
        write(token_client(emulator, max_retries=0))
    assert (raised.value.status, raised.value.uncertain) == (status, uncertain)
    assert len(emulator.journal) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_a_failed_read_is_never_uncertain(emulator, status):
    """Only a write can have taken effect."""
    emulator.inject(method="GET", status=status, body={"error_code": "SMS.0001", "error_msg": "refused"})
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=0).get_task("t-1")
    assert (raised.value.status, raised.value.uncertain) == (status, False)


@pytest.mark.parametrize("body, code, msg", [
    ({"error_code": "SMS.2015", "error_msg": "busy"}, "SMS.2015", "busy"),
    ({"error": {"code": "SMS.1801", "message": "gone"}}, "SMS.1801", "gone"),
    ({"error_msg": "not done"}, None, "not done"),
    ({"failed_ids": ["t-1"]}, None, 'failed_ids: ["t-1"]'),
    ({"Errors": [{"id": "t-1"}]}, None, 'Errors: [{"id": "t-1"}]'),
])
def test_a_success_status_whose_body_reports_a_failure_is_an_uncertain_failure(emulator, body, code, msg):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=200, body=body)
    with pytest.raises(errors.SmsApiError) as raised:
        token_client(emulator, max_retries=2).delete_record(sms.TASKS, task["id"])
    error = raised.value
    assert (error.status, error.error_code, error.error_msg, error.uncertain) == (200, code, msg, True)
    assert "the answer has a success status but reports a failure" in error.reason
    assert len(emulator.journal) == 1  # not repeated


@pytest.mark.parametrize("body", [{}, {"errors": []}, {"failed_ids": []}, {"failure_count": 0}, {"ids": ["t-1"]}])
def test_a_success_status_whose_body_reports_no_failure_is_a_success(emulator, body):
    task = emulator.add_task()
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=200, body=body, processed=True)
    assert token_client(emulator, max_retries=0).delete_record(sms.TASKS, task["id"]) is None
    assert task["id"] not in emulator.tasks


def test_a_read_with_error_fields_in_a_success_answer_is_no_failure(emulator):
    """Only a write's answer is checked for a failure report: a record read may carry error fields of its own."""
    record = {"id": "t-1", "name": "web-01", "error_code": "SMS.6501", "error_msg": "agent lost"}
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=200, body=record)
    assert token_client(emulator, max_retries=0).get_task("t-1") == record
