# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs a user can follow (the modules' RETURN: request_count, elapsed, request_log): every result says how many
requests it sent and how long it took, and at -vvv where they went, how they were authenticated and one line per
request, which is the emulator's journal, request by request, and never a secret."""

from __future__ import annotations

import re

import pytest

from tests.integration.harness import DOMAIN, PASSWORD, TOKEN, USER

LINE = re.compile(r"^(GET|POST|DELETE) (/[^ ?]*)(\?\S*)? -> (\d{3}|[A-Za-z]+) in \d+\.\d{3} s(, request id (\S+))?$")


def journal_lines(emulator):
    return [(entry["method"], entry["path"], str(entry["status"]), entry["request_id"]) for entry in emulator.journal]


def logged(result):
    """The request lines of a result's request_log, as (method, path, status, request id)."""
    found = []
    for line in result["request_log"][result["request_log"].index(next(
            line for line in result["request_log"] if line.startswith("authentication: "))) + 1:]:
        match = LINE.match(line)
        assert match, line
        found.append((match.group(1), match.group(2), match.group(4), match.group(6)))
    return found


def test_at_vvv_the_log_is_the_journal_and_names_endpoint_and_authentication(emulator, adhoc):
    busy = emulator.add_task(name="db-01-migration", source_state="replicate", connected=True)
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url + "/v3", "HW_USER_NAME": USER,
           "HW_USER_PASSWORD": PASSWORD, "HW_DOMAIN_NAME": DOMAIN, "HW_REGION_NAME": "cn-north-4"}
    run = adhoc("task_id=%s state=absent force=true" % busy["id"], env=env, args=["-vvv"])
    assert run.rc == 0, run.stdout + run.stderr
    result = run.result()
    assert result["request_log"][:3] == [
        "SMS endpoint %s" % emulator.url, "IAM endpoint %s/v3" % emulator.url,
        "authentication: the password of user %s of account %s, exchanged for an IAM token" % (USER, DOMAIN)]
    assert logged(result) == journal_lines(emulator)
    assert [method for method, _path, _status, _rid in logged(result)] == ["POST", "GET", "POST", "GET", "GET", "DELETE",
                                                                           "GET"]
    assert result["request_count"] == len(emulator.journal) == 7
    assert result["elapsed"] > 0
    assert PASSWORD not in run.stdout


def test_below_vvv_a_result_carries_the_count_and_the_time_only(emulator, adhoc):
    task = emulator.add_task(name="web-01-migration")
    run = adhoc("task_id=%s state=absent" % task["id"], env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN},
                args=["-v"])
    result = run.result()
    assert "request_log" not in result
    assert result["request_count"] == len(emulator.journal) == 3
    assert isinstance(result["elapsed"], float)


@pytest.mark.parametrize("module, args", [
    ("hwcloud.sms.sms_task", "task_id=t-1 state=absent"),
    ("hwcloud.sms.sms_task_info", "task_id=t-1"),
    ("hwcloud.sms.sms_source_server", "source_server_id=s-1 state=absent"),
    ("hwcloud.sms.sms_source_server_info", ""),
])
def test_a_failed_run_still_tells_what_it_sent(emulator, adhoc, module, args):
    emulator.inject(method="GET", status=403, times=10, body={"error_code": "SMS.9004", "error_msg": "Not allowed."})
    run = adhoc(args, env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN}, args=["-vvv"], module=module)
    result = run.result()
    assert run.status() == "failed" and "SMS.9004" in result["msg"]
    assert result["request_count"] == len(emulator.journal) == 1
    assert logged(result) == journal_lines(emulator)
    assert result["request_log"][1] == "authentication: an IAM token (auth_token)"


def test_options_refused_before_any_request_count_none(emulator, adhoc):
    run = adhoc("task_id=a/b state=absent", env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN})
    assert run.status() == "failed"
    assert run.result()["request_count"] == 0 and emulator.journal == []
