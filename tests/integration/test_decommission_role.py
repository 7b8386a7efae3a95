# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decommission role through playbooks/decommission.yml: resolve, delete in one call, verify, summarize."""

from __future__ import annotations

import json

from tests.integration.harness import BIN, ROOT, TOKEN, run_ansible


def decommission(emu, tmp_path, extravars, check=False):
    path = tmp_path / "extravars.json"
    path.write_text(json.dumps(extravars), encoding="utf-8")
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-e", "@%s" % path,
           str(ROOT / "playbooks" / "decommission.yml")]
    if check:
        cmd.append("--check")
    return run_ansible(cmd, tmp_path, {"HW_SMS_ENDPOINT": emu.url, "HW_AUTH_TOKEN": TOKEN})


def summary(run):
    return next(item["result"]["decommission_summary"] for item in run.results if "decommission_summary" in item["result"])


def outcome(run, task_name):
    return next(item for item in run.results if item["task"].endswith(" : " + task_name))


def test_check_mode_then_real_run_then_idempotent(emulator, tmp_path):
    by_id = emulator.add_task(name="by-id")
    by_name = emulator.add_task(name="web-01-migration")
    similar = emulator.add_task(name="web-01-migration-old")
    src = [emulator.add_task(name="src-%d" % n, source_server={"id": "server-9", "state": "finished"})
           for n in range(3)]
    keep = emulator.add_task(name="keep")
    extravars = {"decommission_task_ids": [by_id["id"], "already-gone"], "decommission_task_names": ["web-01-migration"],
                 "decommission_source_server_ids": ["server-9"]}
    wanted = sorted([by_id["id"], by_name["id"]] + [task["id"] for task in src])

    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout
    assert sorted(summary(preview)["deleted"]) == wanted
    assert summary(preview)["already_absent"] == ["already-gone"]
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    assert len(emulator.tasks) == 7

    emulator.clear_journal()
    real = decommission(emulator, tmp_path, extravars)
    assert real.rc == 0, real.stdout
    assert "WARNING" not in real.stdout + real.stderr, real.stderr
    assert sorted(summary(real)["deleted"]) == wanted
    assert outcome(real, "Delete the tasks in one bulk call")["status"] == "changed"
    assert summary(real)["still_listed"] == []
    assert outcome(real, "Fail when a task reported gone is still listed")["status"] == "skipped"
    posts = emulator.requests(method="POST")
    assert len(posts) == 1 and sorted(posts[0]["body"]["ids"]) == wanted
    assert sorted(emulator.tasks) == sorted([keep["id"], similar["id"]])

    emulator.clear_journal()
    again = decommission(emulator, tmp_path, extravars)
    assert again.rc == 0
    assert outcome(again, "Delete the tasks in one bulk call")["status"] == "ok"
    assert summary(again)["deleted"] == []
    assert sorted(summary(again)["already_absent"]) == sorted([by_id["id"], "already-gone"])
    assert "DELETE" not in {entry["method"] for entry in emulator.journal}
    assert "POST" not in {entry["method"] for entry in emulator.journal}


def test_refusal_is_summarized_and_fails_the_run(emulator, tmp_path):
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True)
    idle = emulator.add_task(name="idle", state="MIGRATE_SUCCESS")
    failed = emulator.add_task(name="failed", state="MIGRATE_FAIL")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [busy["id"], idle["id"], failed["id"]],
                                            "decommission_allowed_states": ["MIGRATE_SUCCESS", "RUNNING"]})
    assert run.rc != 0
    result = summary(run)
    assert result["deleted"] == [idle["id"]]
    assert result["skipped_by_state"] == [failed["id"]]
    assert [entry["id"] for entry in result["not_deleted"]] == [busy["id"]]
    assert "SMS.2015" in result["not_deleted"][0]["msg"]
    assert outcome(run, "Fail when a task could not be deleted")["status"] == "failed"
    assert sorted(emulator.tasks) == sorted([busy["id"], failed["id"]])


def test_nothing_named_and_ambiguous_names_delete_nothing(emulator, tmp_path):
    emulator.add_task(name="twin")
    emulator.add_task(name="twin")
    empty = decommission(emulator, tmp_path, {})
    assert empty.rc != 0 and "Nothing to decommission" in empty.stdout
    twins = decommission(emulator, tmp_path, {"decommission_task_names": ["twin"]})
    assert twins.rc != 0 and "2 SMS tasks are named twin" in twins.stdout
    assert {entry["method"] for entry in emulator.journal} <= {"GET"}
    assert len(emulator.tasks) == 2


def test_allowed_states_in_check_mode_and_odd_inputs(emulator, tmp_path):
    done = emulator.add_task(name="done", state="MIGRATE_SUCCESS")
    running = emulator.add_task(name="running", state="RUNNING", source_state="replicate", connected=True)
    emulator.add_task(name="no-source", source_server=None)
    extravars = {"decommission_task_ids": [done["id"], running["id"], "not-there"],
                 "decommission_task_names": ["nobody"], "decommission_source_server_ids": ["server-x"],
                 "decommission_allowed_states": ["MIGRATE_SUCCESS"]}
    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout
    result = summary(preview)
    assert result["deleted"] == [done["id"]] and result["skipped_by_state"] == [running["id"]]
    assert result["not_found"] == {"task_ids": ["not-there"], "task_names": ["nobody"], "source_server_ids": ["server-x"]}
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    typo = decommission(emulator, tmp_path, dict(extravars, decommission_allowed_states=["migrate_success"]))
    assert typo.rc != 0 and "decommission_allowed_states" in typo.stdout
    text = decommission(emulator, tmp_path, {"decommission_task_ids": done["id"]})
    assert text.rc != 0 and "each a list" in text.stdout
    assert done["id"] in emulator.tasks and len(emulator.tasks) == 3


def test_api_failure_half_way_still_summarizes(emulator, tmp_path):
    ids = [emulator.add_task(name="t-%03d" % number)["id"] for number in range(60)]
    emulator.inject_forbidden(method="POST", path="/v3/tasks/delete", after=1)
    run = decommission(emulator, tmp_path, {"decommission_task_ids": ids})
    assert run.rc != 0
    result = summary(run)
    assert len(result["deleted"]) == 50 and result["still_listed"] == []
    assert [entry["result"] for entry in result["not_deleted"]] == ["not_attempted"] * 10
    assert "SMS.9004" in outcome(run, "Fail when a task could not be deleted")["result"]["msg"]
    assert sorted(emulator.tasks) == sorted(entry["id"] for entry in result["not_deleted"])


def test_a_task_reported_gone_but_still_listed_fails_the_run(emulator, tmp_path):
    """A list that lags behind (the task is listed, its own read says 404): the job must not report success."""
    ghost = emulator.add_task(name="ghost", ghost=True)
    real = emulator.add_task(name="real")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [ghost["id"], real["id"]]})
    assert run.rc != 0
    assert summary(run)["still_listed"] == [ghost["id"]]
    assert "reported gone but are still listed: %s" % ghost["id"] in run.stdout
    assert real["id"] not in emulator.tasks
