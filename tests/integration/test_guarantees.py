# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guarantees that a plausible slip in the code would break silently, each held by a run a user would make.

The expectations are written here from the published facts (``sms-api.md`` and the module's documentation),
never imported from the code under test, so that a wrong constant in the code cannot agree with itself.
"""

from __future__ import annotations

import json

import pytest

from tests.emulator.proxy import TunnelProxy
from tests.integration.harness import DOMAIN, PASSWORD, USER, sms_task, token_defaults

# sms-api.md section 4 (newest reference): deletion is refused while the agent is connected and the source
# server is in one of these states; every other state may be deleted.
BUSY_SOURCE_STATES = ["initialize", "stopping", "deleting", "cloning", "replicate", "syncing", "cutovering",
                      "skipping", "clearing", "premiging"]
IDLE_SOURCE_STATES = ["unavailable", "waiting", "stopped", "finished", "error", "cleared", "clearfailed",
                      "premigready", "premiged", "premigfailed"]
# the module's documentation (max_retries): the first retry waits 0.5 to 1 second
FIRST_RETRY_PAUSE = 0.5


def test_a_read_timeout_is_followed_by_a_pause_before_the_retry(emulator, playbook):
    task = emulator.add_task(name="slow-gateway")
    emulator.inject(method="GET", delay=3.0)  # answers after 3 s: past the 1 s timeout
    run = playbook([sms_task(task_id=task["id"], state="absent", timeout=1, wait=False)],
                   defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result()["msg"]
    first, second = emulator.journal[0], emulator.journal[1]
    assert (first["method"], second["method"]) == ("GET", "GET")
    # the retry came after the 1 s timeout and then a pause, not straight after the timeout
    assert second["time"] - first["time"] >= 1.0 + FIRST_RETRY_PAUSE


def test_a_token_issued_by_iam_is_masked_wherever_it_comes_back(emulator, playbook):
    """The service quotes the caller's token in a task field: the issued token must still come out masked."""
    task = emulator.add_task(name="echo", echo_token=True)
    run = playbook([sms_task(task_id=task["id"], state="absent", wait=False)], check=True,
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": "cn-north-4",
                             "user_name": USER, "password": PASSWORD, "domain_name": DOMAIN}, args=["-vvvv"])
    assert run.status() == "changed", run.result()["msg"]
    issued = sorted(emulator.tokens - {"static-test-token-0123456789"})
    assert len(issued) == 1
    text = run.stdout + run.stderr + json.dumps(run.results)
    assert issued[0] not in text and issued[0][:40] not in text
    assert run.result()["task"]["error_json"] == "rejected token ********"


@pytest.mark.parametrize("bulk", [False, True])
def test_no_second_stop_for_a_task_already_stopping(emulator, playbook, bulk):
    task = emulator.add_task(name="stopping", state="ABORTING", source_state="stopping", connected=True,
                             stop_polls=2)
    params = {"task_ids": [task["id"]]} if bulk else {"task_id": task["id"]}
    run = playbook([sms_task(state="absent", force=True, **params)], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result().get("msg")
    assert not [entry for entry in emulator.journal if entry["path"].endswith("/action")]
    assert task["id"] not in emulator.tasks


def test_every_busy_source_state_is_predicted_refused_and_every_idle_one_deletable(emulator, playbook):
    busy = {state: emulator.add_task(name="busy-" + state, state="RUNNING", source_state=state, connected=True,
                                     stop_polls=50)["id"]
            for state in BUSY_SOURCE_STATES if state != "deleting"}  # deleting: already being deleted, see below
    idle = {state: emulator.add_task(name="idle-" + state, source_state=state, connected=True)["id"]
            for state in IDLE_SOURCE_STATES}
    going = emulator.add_task(name="busy-deleting", state="RUNNING", source_state="deleting", connected=True,
                              deleting_polls=50)["id"]
    run = playbook([sms_task(task_ids=list(busy.values()) + list(idle.values()) + [going], state="absent")],
                   check=True, defaults=token_defaults(emulator))
    results = {entry["id"]: entry["result"] for entry in run.result()["tasks"]}
    assert {state: results[task_id] for state, task_id in busy.items()} == dict.fromkeys(busy, "would_be_refused")
    assert {state: results[task_id] for state, task_id in idle.items()} == dict.fromkeys(idle, "would_delete")
    assert results[going] == "deleting"
    assert {entry["method"] for entry in emulator.journal} == {"GET"}


@pytest.mark.parametrize("no_proxy", ["", "127.0.0.1"])
def test_proxy_settings_from_the_environment_are_honoured(emulator, playbook, no_proxy):
    """A user behind a proxy reaches the service through it; NO_PROXY sends the request around it."""
    with TunnelProxy() as proxy:
        env = {"HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": no_proxy, "no_proxy": no_proxy}
        run = playbook([sms_task(task_id="0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f", state="absent")],
                       defaults=token_defaults(emulator), env=env)
        relayed = [entry["target"] for entry in proxy.journal]
    assert run.status() == "ok", run.result()["msg"]
    assert len(emulator.journal) == 1
    if no_proxy:
        assert relayed == []
    else:
        assert relayed == [emulator.url + "/v3/tasks/0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f"]
