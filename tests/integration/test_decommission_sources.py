# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decommission role to the end: with ``decommission_remove_source_servers``, the source-server records of the
servers named and of the deleted tasks are removed after the tasks, and the summary says what is left to clean."""

from __future__ import annotations

from tests.integration.test_decommission_role import decommission, summary


def changes(emu):
    return [(entry["method"], entry["path"]) for entry in emu.journal if entry["method"] != "GET"]


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
    assert records["not_removed"][0]["result"] == "refused" and "force" in records["not_removed"][0]["msg"]
    assert busy_source["id"] in emulator.sources and idle_source["id"] not in emulator.sources


def test_records_stay_unless_asked(emulator, tmp_path):
    source = emulator.add_source(name="web-03")
    task = emulator.add_task(name="web-03-migration", source_id=source["id"])
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [task["id"]]})
    assert run.rc == 0 and task["id"] not in emulator.tasks and source["id"] in emulator.sources
    assert not any(entry["path"].startswith("/v3/sources") for entry in emulator.journal)
