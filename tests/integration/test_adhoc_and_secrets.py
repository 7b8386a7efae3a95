# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ad-hoc use with environment credentials, and no secret in any output at -vvvv."""

from __future__ import annotations

import json

import pytest

from tests.integration.harness import AK, DOMAIN, PASSWORD, PROJECT_ID, REGION, SK, TOKEN, USER, sms_task

SECURITY_TOKEN = "TEMPTOKEN-secret-value-0042=="


def test_adhoc_check_then_delete_then_idempotent(emulator, adhoc):
    task = emulator.add_task(name="web-01-migration")
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN}
    args = "task_id=%s state=absent" % task["id"]

    preview = adhoc(args, env=env, args=["--check", "--diff"])
    assert preview.rc == 0, preview.stdout + preview.stderr
    assert "CHANGED" in preview.stdout
    assert preview.result()["msg"].endswith("would be deleted")
    assert emulator.methods() == ["GET"]

    deleted = adhoc(args, env=env)
    assert deleted.rc == 0 and deleted.result()["changed"] is True
    again = adhoc(args, env=env)
    assert again.rc == 0 and again.result()["changed"] is False
    assert emulator.methods() == ["GET", "GET", "DELETE", "GET", "GET"]


def test_adhoc_failure_exits_non_zero_with_the_message(emulator, adhoc):
    run = adhoc("task_id=a/b state=absent", env={"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN})
    assert run.rc != 0
    assert "task_id may hold only letters, digits, '-' and '_', found '/'" in run.stdout
    assert emulator.journal == []


AUTH_METHODS = {
    "token": {"auth_token": TOKEN},
    "aksk": {"access_key": AK, "secret_key": SK, "security_token": SECURITY_TOKEN, "project_id": PROJECT_ID},
    "password": {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "region": REGION},
}


@pytest.mark.parametrize("method", sorted(AUTH_METHODS))
def test_no_secret_in_any_output_at_vvvv(emulator, playbook, method):
    """Success, an API failure and a refusal, at -vvvv: no secret value may appear anywhere."""
    deletable = emulator.add_task(name="ok")
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True)
    emulator.inject_forbidden(method="DELETE", path="^/v3/tasks/" + deletable["id"])
    defaults = dict(AUTH_METHODS[method], endpoint=emulator.url, auth_url=emulator.url + "/v3", max_retries=0)
    run = playbook([
        sms_task(task_id=deletable["id"], state="absent"),
        sms_task(task_id=deletable["id"], state="absent"),
        sms_task(task_id=busy["id"], state="absent"),
        dict(sms_task(task_id=busy["id"], state="absent"), check_mode=True),
    ], defaults=defaults, args=["-vvvv"], env={"ANSIBLE_DEBUG": "0"})
    assert [run.status(index) for index in range(4)] == ["failed", "changed", "failed", "failed"]
    issued = set(emulator.tokens) - {TOKEN}
    secrets = {SK, SECURITY_TOKEN, PASSWORD, TOKEN} | issued
    if method == "password":
        assert issued, "password auth should have obtained a token"
    text = run.stdout + run.stderr + json.dumps(run.results)
    for secret in secrets:
        assert secret not in text, "a secret leaked in the output of %s auth" % method
    # the invocation is shown at -vvvv, with the secret options masked
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
