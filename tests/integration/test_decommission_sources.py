# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decommission role to the end: with ``decommission_remove_source_servers``, the source-server records of the
servers named and of the deleted tasks are removed after the tasks, and the summary says what is left to clean. Only
the tasks selected reach the records' removal: a record whose server has another task is kept, even with force."""

from __future__ import annotations

import pytest

from tests.integration.test_decommission_role import BARE_FORCE, decommission, summary


def changes(emu):
    return [(entry["method"], entry["path"]) for entry in emu.journal if entry["method"] != "GET"]


def batch_ids(entry):
    """The ids of a batch request (empty for another request)."""
    return entry["body"].get("ids") or [] if isinstance(entry["body"], dict) else []


def touching(emu, task_id):
    """The requests other than reads that named this task: in their path (a stop, a DELETE) or in a batch."""
    return [(entry["method"], entry["path"]) for entry in emu.journal
            if entry["method"] != "GET" and (task_id in entry["path"] or task_id in batch_ids(entry))]


def record_requests(emu, source_id):
    """The deletions sent for this source-server record: its own DELETE, or a batch that holds it."""
    return [(entry["method"], entry["path"]) for entry in emu.journal
            if entry["method"] != "GET" and (entry["path"] == "/v3/sources/%s" % source_id or source_id in batch_ids(entry))]


def test_records_of_named_servers_and_deleted_tasks_are_removed_after_the_tasks(emulator, tmp_path):
    named_source = emulator.add_source(name="web-01")
    named_task = emulator.add_task(name="web-01-migration", source_id=named_source["id"])
    by_id_source = emulator.add_source(name="db-01")
    by_id_task = emulator.add_task(name="db-01-migration", source_id=by_id_source["id"])
    kept_source = emulator.add_source(name="app-01")
    kept_task = emulator.add_task(name="app-01-migration", source_id=kept_source["id"])
    extravars = {"decommission_source_server_ids": [named_source["id"]], "decommission_task_ids": [by_id_task["id"]],
                 "decommission_remove_source_servers": True}

    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout + preview.stderr
    records = summary(preview)["source_servers"]
    assert sorted(records["removed"]) == sorted([named_source["id"], by_id_source["id"]])
    assert "would be removed" in summary(preview)["msg"]
    assert changes(emulator) == []

    emulator.journal.clear()
    run = decommission(emulator, tmp_path, extravars)
    assert run.rc == 0, run.stdout + run.stderr
    records = summary(run)["source_servers"]
    assert sorted(records["removed"]) == sorted([named_source["id"], by_id_source["id"]])
    assert records["not_removed"] == [] and "snapshots" in records["reminder"]
    assert {entry["target_server_vm_id"] for entry in records["left_behind"]} == {
        named_task["target_server"]["vm_id"], by_id_task["target_server"]["vm_id"]}
    assert "source-server records: 2 removed" in summary(run)["msg"]
    sent = changes(emulator)
    # the tasks first (one batch), then the records (one batch)
    assert [path for _method, path in sent] == ["/v3/tasks/delete", "/v3/sources/delete"]
    assert named_source["id"] not in emulator.sources and by_id_source["id"] not in emulator.sources
    # nothing outside the request
    assert kept_source["id"] in emulator.sources and kept_task["id"] in emulator.tasks
    assert named_task["id"] not in emulator.tasks and by_id_task["id"] not in emulator.tasks

    emulator.journal.clear()
    again = decommission(emulator, tmp_path, extravars)
    assert again.rc == 0 and changes(emulator) == []
    assert summary(again)["msg"].startswith("Nothing to delete")


def test_a_refused_record_is_reported_with_its_reason_and_fails_the_run(emulator, tmp_path):
    busy_source = emulator.add_source(name="db-02")
    emulator.add_task(name="db-02-migration", source_id=busy_source["id"], source_state="replicate", connected=True,
                      state="RUNNING")
    idle_source = emulator.add_source(name="web-02")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [], "decommission_source_server_ids": [
        busy_source["id"], idle_source["id"]], "decommission_remove_source_servers": True})
    assert run.rc != 0
    records = summary(run)["source_servers"]
    assert records["removed"] == [idle_source["id"]]
    assert [entry["id"] for entry in records["not_removed"]] == [busy_source["id"]]
    assert records["not_removed"][0]["result"] == "refused"
    # the module's hint in the role's words
    assert "decommission_force" in records["not_removed"][0]["msg"]
    assert not BARE_FORCE.search(records["not_removed"][0]["msg"])
    assert busy_source["id"] in emulator.sources and idle_source["id"] not in emulator.sources


def test_records_stay_unless_asked(emulator, tmp_path):
    source = emulator.add_source(name="web-03")
    task = emulator.add_task(name="web-03-migration", source_id=source["id"])
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [task["id"]]})
    assert run.rc == 0 and task["id"] not in emulator.tasks and source["id"] in emulator.sources
    assert not any(entry["path"].startswith("/v3/sources") for entry in emulator.journal)


def test_force_reaches_only_the_tasks_named_and_a_record_with_other_tasks_is_kept(emulator, tmp_path):
    """Two tasks of one source server, one of them named: with decommission_force the named task is deleted, but the
    other one (busy) is neither stopped nor deleted, and the server's record is kept, with the reason."""
    named = emulator.add_task(name="web-04-migration", source_id="source-web-04")
    other = emulator.add_task(name="web-04-resync", source_id="source-web-04", state="RUNNING",
                              source_state="replicate", connected=True)
    # both tasks belong to the one record (the second is its current task)
    assert [task["source_server"]["id"] for task in (named, other)] == ["source-web-04"] * 2
    assert list(emulator.sources) == ["source-web-04"]
    extravars = {"decommission_task_ids": [named["id"]], "decommission_remove_source_servers": True,
                 "decommission_force": True}

    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout + preview.stderr
    assert summary(preview)["deleted"] == [named["id"]]
    assert [entry["id"] for entry in summary(preview)["source_servers"]["kept"]] == ["source-web-04"]
    assert changes(emulator) == []

    emulator.clear_journal()
    run = decommission(emulator, tmp_path, extravars)
    assert run.rc == 0, run.stdout + run.stderr
    result = summary(run)
    assert result["deleted"] == [named["id"]] and result["not_deleted"] == []
    records = result["source_servers"]
    assert records["removed"] == [] and records["not_removed"] == [] and records["already_absent"] == []
    assert [(entry["id"], entry["task_ids"]) for entry in records["kept"]] == [("source-web-04", [other["id"]])]
    assert other["id"] in records["kept"][0]["msg"]
    assert set(records["kept"][0]) == {"id", "msg", "task_ids"}
    assert "source-server records: 0 removed, 0 not removed, 0 already absent, 1 kept: their servers still have " \
           "tasks outside this run" in result["msg"]
    # the named task deleted; the other one neither stopped nor deleted; the record not deleted
    assert named["id"] not in emulator.tasks
    assert touching(emulator, other["id"]) == []
    assert emulator.tasks[other["id"]]["state"] == "RUNNING"
    assert record_requests(emulator, "source-web-04") == [] and "source-web-04" in emulator.sources
    # nothing else was changed: every request other than a read was the named task's deletion
    assert changes(emulator) == touching(emulator, named["id"]) != []


@pytest.mark.parametrize("busy_is_current", [True, False], ids=["busy-current-task", "idle-current-task"])
def test_a_record_named_keeps_the_tasks_skipped_by_state(emulator, tmp_path, busy_is_current):
    """decommission_source_server_ids names the server, decommission_allowed_states excludes one of its tasks: that
    task is outside the request, so decommission_force does not reach it and the record is kept."""
    specs = {"done": {"name": "db-05-migration"},
             "running": {"name": "db-05-resync", "state": "RUNNING", "source_state": "replicate", "connected": True}}
    # the task added last is the record's current task
    order = ["done", "running"] if busy_is_current else ["running", "done"]
    tasks = {key: emulator.add_task(source_id="source-db-05", **specs[key]) for key in order}
    done, running = tasks["done"], tasks["running"]
    run = decommission(emulator, tmp_path, {"decommission_source_server_ids": "source-db-05",
                                            "decommission_allowed_states": ["MIGRATE_SUCCESS"],
                                            "decommission_remove_source_servers": True, "decommission_force": True})
    assert run.rc == 0, run.stdout + run.stderr
    result = summary(run)
    assert result["deleted"] == [done["id"]] and result["skipped_by_state"] == [running["id"]]
    records = result["source_servers"]
    assert [(entry["id"], entry["task_ids"]) for entry in records["kept"]] == [("source-db-05", [running["id"]])]
    assert records["removed"] == [] and records["not_removed"] == []
    assert "1 kept" in result["msg"]
    assert touching(emulator, running["id"]) == []
    assert emulator.tasks[running["id"]]["state"] == "RUNNING" and done["id"] not in emulator.tasks
    assert record_requests(emulator, "source-db-05") == [] and "source-db-05" in emulator.sources
