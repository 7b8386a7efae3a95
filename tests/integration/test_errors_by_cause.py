# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors named by their real cause, through real ad-hoc runs (docs/connection.md "Errors, retries"): https to a
plain-http endpoint, a host name that does not resolve (not retried), a failed IAM project lookup, and a wait that
times out. A certificate that does not verify is test_tls.py's."""

from __future__ import annotations

import pytest

from tests.integration.harness import AK, SK, TOKEN

SKIP_LOOKUP = "set project_id (env HW_PROJECT_ID) to the project's id, and no IAM lookup is made"


@pytest.mark.parametrize("validate_certs", ["true", "false"])
def test_https_to_a_plain_http_endpoint_says_it_does_not_speak_https(emulator, adhoc, validate_certs):
    endpoint = emulator.url.replace("http://", "https://")
    run = adhoc("task_id=t-1 validate_certs=%s" % validate_certs, module="hwcloud.sms.sms_task_info",
                env={"HW_SMS_ENDPOINT": endpoint, "HW_AUTH_TOKEN": TOKEN})
    result = run.result()
    assert run.status() == "failed"
    assert "%s does not speak https: the TLS handshake was answered in plain text" % endpoint.split("//")[1] \
        in result["msg"], result["msg"]
    assert "certificate" not in result["msg"] and "retries" not in result["msg"]
    assert result["request_count"] == 1  # a TLS failure is not retried
    assert emulator.journal == []  # no request got through


def test_a_host_name_that_does_not_resolve_is_named_and_not_retried(adhoc):
    # .invalid never resolves (RFC 2606)
    run = adhoc("task_id=t-1", module="hwcloud.sms.sms_task_info",
                env={"HW_SMS_ENDPOINT": "https://sms.nowhere.invalid", "HW_AUTH_TOKEN": TOKEN})
    result = run.result()
    assert run.status() == "failed"
    assert "the host name sms.nowhere.invalid does not resolve" in result["msg"], result["msg"]
    assert result["msg"].endswith("not retried")
    assert result["request_count"] == 1


@pytest.mark.parametrize("status", [403, 404])
def test_a_failed_iam_project_lookup_suggests_project_id(emulator, adhoc, status):
    emulator.inject(method="GET", path="/v3/projects", status=status, times=10,
                    body={"error_code": "IAM.0003", "error_msg": "Policy doesn't allow iam:projects:list to be performed."})
    run = adhoc("task_id=t-1", module="hwcloud.sms.sms_task_info",
                env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url + "/v3", "HW_REGION_NAME": "cn-north-4",
                     "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK})
    result = run.result()
    assert run.status() == "failed"
    assert result["msg"].startswith("Failed to look up the IAM project named cn-north-4: IAM.0003"), result["msg"]
    assert result["msg"].endswith(SKIP_LOOKUP)
    assert [entry["path"] for entry in emulator.journal] == ["/v3/projects"]


def test_a_wait_that_times_out_says_what_was_accepted_and_what_to_do(emulator, adhoc):
    stuck = emulator.add_task(name="stuck", stuck_deleting=True)
    run = adhoc("task_id=%s state=absent wait_timeout=1" % stuck["id"],
                env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN})
    result = run.result()
    assert run.status() == "failed" and result["changed"] is True
    assert result["msg"] == ("SMS task %s (stuck): its deletion was accepted, but it is still present after 1 second, "
                             "in state DELETING, source server state deleting. SMS may still be deleting it: run the "
                             "task again to confirm that it is gone, or raise wait_timeout" % stuck["id"])
