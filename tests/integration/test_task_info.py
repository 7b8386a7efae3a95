# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sms_task_info``: filters, paging to the end, one task by id, the deletable field, check mode."""

from __future__ import annotations

from tests.integration.harness import token_defaults


def info(**params):
    return {"name": "info", "hwcloud.sms.sms_task_info": params}


def test_lists_every_page_and_filters(emulator, playbook):
    wave = [emulator.add_task(name="wave-%03d" % number, source_server={"id": "src-1", "state": "finished"})["id"]
            for number in range(250)]
    other = emulator.add_task(name="wave-other", state="MIGRATE_FAIL", enterprise_project_id="ep-1")["id"]
    run = playbook([info(), info(source_server_id="src-1"), info(state="MIGRATE_FAIL"), info(enterprise_project_id="ep-1")],
                   defaults=token_defaults(emulator), check=True)
    everything, by_source, failed, by_project = (run.result(index) for index in range(4))
    assert all(run.status(index) == "ok" for index in range(4))
    assert [task["id"] for task in by_project["tasks"]] == [other]
    assert [task["id"] for task in everything["tasks"]] == wave + [other]
    assert [task["id"] for task in by_source["tasks"]] == wave
    assert [task["id"] for task in failed["tasks"]] == [other]
    assert all(task["deletable"] is True for task in everything["tasks"])
    assert {entry["query"]["offset"] for entry in emulator.journal} == {"0", "200"}
    assert emulator.journal[-1]["query"]["enterprise_project_id"] == "ep-1"
    assert emulator.journal[2]["query"]["source_server_id"] == "src-1"
    assert {entry["method"] for entry in emulator.journal} == {"GET"}


def test_name_is_exact_and_deletable_is_honest(emulator, playbook):
    busy = emulator.add_task(name="db", source_state="replicate", connected=True)
    emulator.add_task(name="db-old")
    run = playbook([info(name="db"), info(task_id=busy["id"]), info(task_id="missing")],
                   defaults=token_defaults(emulator))
    listed, shown, missing = (run.result(index) for index in range(3))
    assert [task["id"] for task in listed["tasks"]] == [busy["id"]]
    # list items do not say whether the agent is connected: the busy task was read on its own to tell
    assert listed["tasks"][0]["deletable"] is False and "connected" not in listed["tasks"][0]
    assert [entry["task_id"] for entry in emulator.journal[:2]] == [None, busy["id"]]
    assert shown["tasks"][0]["deletable"] is False and shown["tasks"][0]["connected"] is True
    # why not, in sms_task's words, for the listed task too (its own read told it)
    reason = "the source server is in state 'replicate' and its agent is connected"
    assert listed["tasks"][0]["deletion_blocker"] == shown["tasks"][0]["deletion_blocker"] == reason
    assert missing["tasks"] == [] and run.status(2) == "ok"


def test_api_failure_and_bad_options(emulator, playbook):
    emulator.inject_forbidden(method="GET")
    run = playbook([info(), info(task_id="a", name="b"), info(task_id="a b")], defaults=token_defaults(emulator))
    assert run.status(0) == "failed" and "SMS.9004" in run.result(0)["msg"]
    assert run.result(0)["error"]["status"] == 403
    assert "mutually exclusive" in run.result(1)["msg"]
    assert run.result(2)["msg"].startswith("task_id may hold only")
    assert len(emulator.journal) == 1


def test_filters_combine_and_only_task_id_excludes_them(emulator, playbook):
    wanted = emulator.add_task(name="db", state="MIGRATE_FAIL")
    emulator.add_task(name="db", state="MIGRATE_SUCCESS")
    run = playbook([info(name="db", state="MIGRATE_FAIL"), info(task_id=wanted["id"], state="MIGRATE_FAIL")],
                   defaults=token_defaults(emulator))
    assert run.status(0) == "ok", run.result(0)
    assert [task["id"] for task in run.result(0)["tasks"]] == [wanted["id"]]
    assert emulator.journal[0]["query"]["name"] == "db" and emulator.journal[0]["query"]["state"] == "MIGRATE_FAIL"
    assert run.status(1) == "failed" and "mutually exclusive" in run.result(1)["msg"]
    assert len(emulator.journal) == 1
