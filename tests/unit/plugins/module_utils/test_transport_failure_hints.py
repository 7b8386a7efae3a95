# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole message of a failed answer from the API gateway: the code, the message, the status and the request id
(docs/connection.md "Errors, retries"), and a hint only where the answer alone misleads: a 404 of the gateway's says nothing
about whether the task exists (sms-api.md: only SMS's own 404 means absent)."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import AK, PROJECT_ID, SK, TOKEN
from tests.emulator.sms_emulator import Emulator


@pytest.mark.parametrize("status, code", [(400, "APIGW.0201"), (401, "APIGW.0301"), (403, "APIGW.0302"),
                                          (405, "APIGW.0104"), (409, "APIGW.0409"), (500, "APIGW.0103")])
def test_a_gateway_failure_other_than_404_has_no_hint(emulator, status, code):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, body={"error_code": code, "error_msg": "refused"})
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == "Failed to read SMS task t-1: %s refused (HTTP %d, request id %s)" % (
        code, status, emulator.journal[0]["request_id"])


def test_a_gateway_404_says_it_is_no_proof_of_absence(emulator):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist"})
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == (
        "Failed to read SMS task t-1: APIGW.0101 The API does not exist (HTTP 404, request id %s). This 404 came from "
        "the API gateway or a proxy at 127.0.0.1:%d, not from SMS, so it says nothing about whether the resource "
        "exists: check endpoint, site and proxy settings" % (emulator.journal[0]["request_id"], emulator.port))


@pytest.mark.parametrize("call, path, operation", [
    pytest.param(lambda client: client.get_task("t-1"), "/v3/tasks/t-1", "read SMS task t-1", id="read"),
    pytest.param(lambda client: client.delete_record(sms.TASKS, "t-1"), "/v3/tasks/t-1", "delete SMS task t-1", id="delete"),
    pytest.param(lambda client: client.task_action("t-1", "stop"), "/v3/tasks/t-1/action", "stop SMS task t-1", id="action"),
])
def test_a_gateway_page_is_quoted_in_the_failure(emulator, call, path, operation):
    """docs/connection.md: a gateway's HTML page fails cleanly, its text quoted without the markup."""
    emulator.inject(path=path, status=502, html=True)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        call(client)
    assert caught.value.message() == ("Failed to %s: the answer was not an SMS error body: 502 Bad Gateway 502 Bad Gateway "
                                      "API Gateway (HTTP 502, request id %s)" % (operation, emulator.journal[0]["request_id"]))


def test_the_service_saying_a_task_is_missing_fails_an_action(emulator):
    """Only reads and deletions may find a task absent: an action on a task SMS does not know fails with its 404."""
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.task_action("t-1", "stop")
    assert caught.value.status == 404 and caught.value.error_code == "SMS.1801"
    assert caught.value.message().startswith("Failed to stop SMS task t-1: SMS.1801 The task does not exist. (HTTP 404, ")


def test_the_service_404_is_a_failure_unless_the_caller_allows_it(emulator):
    """SmsClient.request: None for SMS's own 404 only with ``missing_ok``."""
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.transport.request("GET", ["v3", "tasks", "t-1"], operation="read SMS task t-1")
    assert caught.value.status == 404 and caught.value.error_code == "SMS.1801"
    assert client.transport.request("GET", ["v3", "tasks", "t-1"], operation="read SMS task t-1", missing_ok=True) is None
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("GET", 404), ("GET", 404)]


@pytest.mark.parametrize("body", [
    {"error_code": "APIGW.0101", "error_msg": "The API does not exist"},
    {"error_code": "APIG.0103", "error_msg": "The backend does not exist"},
    {"error_code": "CBC.0150", "error_msg": "not found"},
    {"error_code": "Common.0404", "error_msg": "not found"},
    {"error_code": "NOT_FOUND", "error_msg": "not found"},
    {"error_msg": "not found"},
    {},
], ids=["APIGW", "APIG", "CBC", "Common", "NOT_FOUND", "no code", "empty"])
def test_a_404_without_an_sms_code_fails_even_where_absence_is_allowed(emulator, body):
    """Only ``SMS.`` and digits is SMS's word that a record does not exist: any other 404 raises, missing_ok or not,
    and its message says that it proves nothing."""
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=404, body=body)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(errors.SmsApiError) as caught:
        client.transport.request("GET", ["v3", "tasks", "t-1"], operation="read SMS task t-1", missing_ok=True)
    assert caught.value.status == 404 and caught.value.is_absence() is False
    assert "not from SMS, so it says nothing about whether the resource exists" in caught.value.message()


def password_client(emu, **kwargs):
    credentials = auth.Credentials("password", user_name="sms-operator", password="Pa55w0rd-example!",
                                   domain_name="example-domain")
    return sms.SmsClient(emu.url, credentials, iam_url=emu.url + "/v3", region="cn-north-4",
                         sleep=lambda seconds: None, **kwargs)


def test_an_iam_failure_never_quotes_its_body(emulator):
    """SmsClient.request: an IAM error may echo the password, so the body of a failed token request is not shown."""
    emulator.inject(method="POST", path="/v3/auth/tokens", status=400,
                    raw=b"<html><body>bad request: user sms-operator, secret Pa55w0rd-example</body></html>")
    with pytest.raises(errors.SmsApiError) as caught:
        password_client(emulator, max_retries=0).get_task("t-1")
    assert caught.value.message() == ("Failed to obtain an IAM token for user sms-operator: the answer was not an SMS "
                                      "error body: (body not shown) (HTTP 400, request id %s)"
                                      % emulator.journal[0]["request_id"])


def test_the_token_request_is_retried_after_a_gateway_error(emulator):
    """The max_retries option: reads, deletions and IAM token requests are retried after a gateway error."""
    emulator.inject(method="POST", path="/v3/auth/tokens", status=503, body={"error_code": "APIGW.0503", "error_msg": "busy"})
    assert password_client(emulator, max_retries=1).get_task("t-1") is None
    assert [(entry["method"], entry["status"]) for entry in emulator.journal] == [("POST", 503), ("POST", 201), ("GET", 404)]


def test_once_sms_answered_an_aksk_401_says_nothing_of_the_site(emulator):
    """The site option: a 401 or 403 names the guessed site only on the first SMS request (once SMS answered, the
    site is right); the clocks agree here, so there is no clock hint either."""
    client = sms.SmsClient(emulator.url, auth.Credentials("aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID,
                           max_retries=0, site_note="The SMS endpoint was chosen for a guessed site")
    assert client.list_tasks() == []
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=401, body={"error_code": "APIGW.0301", "error_msg": "refused"})
    with pytest.raises(errors.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == "Failed to read SMS task t-1: APIGW.0301 refused (HTTP 401, request id %s)" % (
        emulator.journal[1]["request_id"])


@pytest.mark.parametrize("status, code", [(400, "SMS.2015"), (403, "SMS.9004"), (500, "SMS.2007")])
def test_only_a_401_of_a_signed_request_gets_the_clock_hint(status, code):
    """sms-api.md section 5: a signature is refused beyond 15 minutes of clock skew, with a 401; another failure
    says nothing of the clock, however far the clocks are apart (the emulator's runs 20 minutes ahead)."""
    with Emulator(clock_skew=20 * 60) as emu:
        emu.inject(method="GET", path="/v3/tasks/t-1", status=status, body={"error_code": code, "error_msg": "refused"})
        client = sms.SmsClient(emu.url, auth.Credentials("aksk", access_key=AK, secret_key=SK), project_id=PROJECT_ID,
                               max_retries=0)
        with pytest.raises(errors.SmsApiError) as caught:
            client.get_task("t-1")
        assert caught.value.message() == "Failed to read SMS task t-1: %s refused (HTTP %d, request id %s)" % (
            code, status, emu.journal[0]["request_id"])
