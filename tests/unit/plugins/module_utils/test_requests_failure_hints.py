# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole message of a failed answer from the API gateway: the code, the message, the status and the request id
(README "Errors, retries"), and a hint only where the answer alone misleads: a 404 of the gateway's says nothing
about whether the task exists (sms-api.md: only SMS's own 404 means absent)."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


@pytest.mark.parametrize("status, code", [(400, "APIGW.0201"), (401, "APIGW.0301"), (403, "APIGW.0302"),
                                          (405, "APIGW.0104"), (409, "APIGW.0409"), (500, "APIGW.0103")])
def test_a_gateway_failure_other_than_404_has_no_hint(emulator, status, code):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=status, body={"error_code": code, "error_msg": "refused"})
    client = sms.SmsClient(emulator.url, sms.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(sms.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == "Failed to read SMS task t-1: %s refused (HTTP %d, request id %s)" % (
        code, status, emulator.journal[0]["request_id"])


def test_a_gateway_404_says_it_is_no_proof_of_absence(emulator):
    emulator.inject(method="GET", path="/v3/tasks/t-1", status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist"})
    client = sms.SmsClient(emulator.url, sms.Credentials("token", auth_token=TOKEN), max_retries=0)
    with pytest.raises(sms.SmsApiError) as caught:
        client.get_task("t-1")
    assert caught.value.message() == (
        "Failed to read SMS task t-1: APIGW.0101 The API does not exist (HTTP 404, request id %s). This 404 came from "
        "the API gateway or a proxy at 127.0.0.1:%d, not from SMS, so it says nothing about whether the resource "
        "exists: check endpoint, site and proxy settings" % (emulator.journal[0]["request_id"], emulator.port))
