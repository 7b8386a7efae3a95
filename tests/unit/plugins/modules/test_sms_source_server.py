# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sms_source_server as a playbook runs it: its real ``main()`` in-process against the emulator, for the checks of
its options and the ways of naming a record. The expectations are written from the module's DOCUMENTATION and
RETURN and the table of docs/modules.md for source-server records.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server
from tests.unit.plugins.modules.runner import run_module

SOURCE_ID = "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"


pytestmark = pytest.mark.usefixtures("no_pauses")


def run(emu, check=False, diff=False, **args):
    args.setdefault("state", "absent")
    return run_module(sms_source_server, emu, check=check, diff=diff, **args)


def record(emu, source_id, name, state="finished", connected=False):
    """A source-server record whose current task's target server is vm-<name>."""
    emu.add_task(name=name + "-migration", source_state=state, connected=connected,
                 source_server={"id": source_id, "name": name}, target_server={"vm_id": "vm-" + name, "name": name})
    return emu.sources[source_id]


def changes_sent(emu):
    return [(entry["method"], entry["path"]) for entry in emu.journal if entry["method"] != "GET"]


# ---- option checks: each fails naming the option, before any request -------------------------------------------

@pytest.mark.parametrize("args, problem", [
    (dict(source_server_ids=[SOURCE_ID, "a/b"]), "source_server_ids[1] may hold only letters, digits, '-' and '_', "
                                                 "found '/'"),
    (dict(source_server_ids=["", SOURCE_ID]), "source_server_ids[0] must not be empty"),
    (dict(source_server_id="a?b"), "source_server_id may hold only letters, digits, '-' and '_', found '?'"),
    (dict(source_server_id="web.01"), "source_server_id may hold only letters, digits, '-' and '_', found '.'"),
    (dict(source_server_ids=["[src-1"]), "source_server_ids[0] is '[src-1', which looks like a piece of a list "
                                         "written as a string"),
    (dict(source_server_id=SOURCE_ID, allowed_task_ids=["t-1", "t/2"]),
     "allowed_task_ids[1] may hold only letters, digits, '-' and '_', found '/'"),
    (dict(source_server_id=SOURCE_ID, allowed_task_ids=[""]), "allowed_task_ids[0] must not be empty"),
    (dict(name="   "), "name must not be empty"),
    (dict(name=""), "name must not be empty"),
    (dict(source_server_id=SOURCE_ID, wait_timeout=-1), "wait_timeout must be 0 or more seconds, got -1"),
    (dict(source_server_id=SOURCE_ID, state="present"), "value of state must be one of: absent"),
])
def test_unusable_options_fail_before_any_request(emulator, args, problem):
    result = run(emulator, **args)
    assert result["failed"] is True
    assert result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


@pytest.mark.parametrize("args", [dict(), dict(source_server_id=SOURCE_ID, name="web-01"),
                                  dict(source_server_ids=[SOURCE_ID], name="web-01")])
def test_exactly_one_way_of_naming_the_records(emulator, args):
    result = run(emulator, **args)
    assert result["failed"] is True
    assert "source_server_id" in result["msg"] and "name" in result["msg"]
    assert emulator.journal == []


def test_a_wait_timeout_of_zero_is_accepted(emulator):
    record(emulator, SOURCE_ID, "web-01")
    result = run(emulator, source_server_id=SOURCE_ID, wait_timeout=0)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True


def test_an_empty_list_is_not_an_error_and_sends_nothing(emulator):
    result = run(emulator, source_server_ids=[])
    assert not result.get("failed")
    assert (result["changed"], result["msg"], result["source_servers"]) == (
        False, "source_server_ids is empty: nothing to delete", [])
    assert emulator.journal == []


# ---- by id ----------------------------------------------------------------------------------------------------

def test_one_record_by_id_is_deleted_and_what_is_left_is_named(emulator):
    record(emulator, SOURCE_ID, "web-01")
    result = run(emulator, source_server_id=SOURCE_ID)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert (result["source_server"]["id"], result["source_server"]["name"]) == (SOURCE_ID, "web-01")
    (entry,) = result["source_servers"]
    assert (entry["id"], entry["result"]) == (SOURCE_ID, "deleted")
    assert entry["left_behind"] == {"target_server_vm_id": "vm-web-01", "clone_server_vm_id": None, "target_snapshot_id": None}
    assert "target servers" in result["reminder"] and "snapshots" in result["reminder"]
    assert SOURCE_ID not in emulator.sources
    assert changes_sent(emulator) == [("DELETE", "/v3/sources/" + SOURCE_ID)]


def test_a_record_that_does_not_exist_is_unchanged(emulator):
    result = run(emulator, source_server_id=SOURCE_ID)
    assert not result.get("failed")
    assert result["changed"] is False
    assert result["source_server"] == {}
    assert [entry["result"] for entry in result["source_servers"]] == ["absent"]
    assert "reminder" not in result
    assert changes_sent(emulator) == []


def test_check_mode_reads_only_and_predicts_the_deletion(emulator):
    record(emulator, SOURCE_ID, "web-01")
    result = run(emulator, check=True, diff=True, source_server_id=SOURCE_ID)
    assert result["changed"] is True
    assert [entry["result"] for entry in result["source_servers"]] == ["would_delete"]
    assert result["source_server"]["id"] == SOURCE_ID
    # one record: a dict of before and after, as sms_task gives it
    assert result["diff"]["after"] == {"id": SOURCE_ID, "state": "absent"}
    assert result["diff"]["before"]["id"] == SOURCE_ID and result["diff"]["before"]["state"] == "finished"
    assert changes_sent(emulator) == []
    assert SOURCE_ID in emulator.sources


def test_a_busy_record_without_force_is_predicted_refused_in_check_mode(emulator):
    record(emulator, SOURCE_ID, "web-01", state="replicate", connected=True)
    result = run(emulator, check=True, source_server_id=SOURCE_ID)
    assert result["failed"] is True
    assert result["changed"] is False
    assert [entry["result"] for entry in result["source_servers"]] == ["would_be_refused"]
    assert "the source server is in state 'replicate' and its agent is connected" in result["msg"]
    (entry,) = result["source_servers"]
    assert entry["msg"].startswith("SMS source server %s (web-01) cannot be deleted now: the source server is in state "
                                   "'replicate' and its agent is connected. " % SOURCE_ID), entry["msg"]
    assert "force: true" in entry["msg"]
    assert changes_sent(emulator) == []


# ---- by name --------------------------------------------------------------------------------------------------

def test_a_name_no_record_has_is_not_visible_and_nothing_is_deleted(emulator):
    record(emulator, SOURCE_ID, "web-01-old")  # the service's name filter matches it; the exact comparison does not
    result = run(emulator, name="web-01")
    assert not result.get("failed")
    assert (result["changed"], result["source_servers"], result["source_server"]) == (False, [], {})
    assert result["msg"] == ("No SMS source server named 'web-01' is visible to these credentials (a listing shows "
                             "only what they may see, such as the records of their enterprise projects): nothing was "
                             "deleted")
    assert SOURCE_ID in emulator.sources
    assert changes_sent(emulator) == []


def test_a_name_is_compared_exactly_and_its_record_deleted(emulator):
    # the service's name filter matches these too (sms-api.md section 10: it may not be exact)
    record(emulator, "src-old", "web-01-old")
    record(emulator, "src-upper", "WEB-01")
    record(emulator, SOURCE_ID, "web-01")
    result = run(emulator, name="web-01")
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert result["source_server"]["id"] == SOURCE_ID
    assert [(entry["id"], entry["result"]) for entry in result["source_servers"]] == [(SOURCE_ID, "deleted")]
    assert changes_sent(emulator) == [("DELETE", "/v3/sources/" + SOURCE_ID)]
    assert {"src-old", "src-upper"} <= set(emulator.sources)
    assert [entry["query"].get("name") for entry in emulator.journal if entry["path"] == "/v3/sources"] == ["web-01"]


def test_a_name_several_records_have_deletes_nothing_and_lists_them(emulator):
    record(emulator, "src-a", "web-01")
    record(emulator, "src-b", "web-01")
    result = run(emulator, name="web-01")
    assert result["failed"] is True
    assert result["msg"] == ("2 SMS source servers are named 'web-01', so none was deleted; name one by "
                             "source_server_id: src-a, src-b")
    assert result["source_server_ids"] == ["src-a", "src-b"]
    assert result["source_servers"] == []
    assert changes_sent(emulator) == []
    assert {"src-a", "src-b"} <= set(emulator.sources)


# ---- several ids ----------------------------------------------------------------------------------------------

def test_several_ids_are_deleted_in_one_batch_without_a_single_record_result(emulator):
    for number in range(2):
        record(emulator, "src-%d" % number, "web-%d" % number)
    result = run(emulator, source_server_ids=["src-0", "src-1", "src-0"])
    assert not result.get("failed"), result["msg"]
    assert "source_server" not in result  # returned with source_server_id or name only
    assert [(entry["id"], entry["result"]) for entry in result["source_servers"]] == [("src-0", "deleted"), ("src-1", "deleted")]
    assert changes_sent(emulator) == [("POST", "/v3/sources/delete")]


def test_four_records_cost_one_list_page_whose_items_tell_a_busy_one(emulator):
    """More than three ids are found in list pages (the rule of task_ids), and source list items carry "connected"
    and the current task (sms-api.md section 10, unlike task list items): a busy record is judged from the page,
    with no read of its own."""
    for number in range(3):
        record(emulator, "src-%d" % number, "web-%d" % number)
    record(emulator, "src-busy", "web-busy", state="replicate", connected=True)
    result = run(emulator, check=True, source_server_ids=["src-0", "src-1", "src-2", "src-busy"])
    assert result["failed"] is True
    assert [entry["result"] for entry in result["source_servers"]] == ["would_delete"] * 3 + ["would_be_refused"]
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == [("GET", "/v3/sources")]


def test_a_failure_while_reading_reports_nothing_changed(emulator):
    emulator.inject(method="GET", path="/v3/sources/" + SOURCE_ID, status=500,
                    body={"error_code": "SMS.2007", "error_msg": "Backend exception"})
    result = run(emulator, source_server_id=SOURCE_ID)
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["error"]["error_code"] == "SMS.2007"
    assert "SMS.2007 Backend exception (HTTP 500" in result["msg"]
    # RETURN: one entry per requested record; not_attempted, the run failed before its turn
    assert result["source_servers"] == [{"id": SOURCE_ID, "result": "not_attempted", "msg": (
        "SMS source server %s was not read: the run failed before its turn" % SOURCE_ID)}]
    assert result["source_server"] == {}


def test_a_failure_while_listing_by_name_reports_no_record(emulator):
    record(emulator, SOURCE_ID, "web-01")
    emulator.inject(method="GET", path="/v3/sources", status=500,
                    body={"error_code": "SMS.2007", "error_msg": "Backend exception"})
    result = run(emulator, name="web-01")
    assert result["failed"] is True
    # RETURN: source_servers is returned always; no record was found, so it is empty
    assert result.get("source_servers") == []
    assert result.get("changed") is False
    assert result["error"]["error_code"] == "SMS.2007"
    assert SOURCE_ID in emulator.sources


# ---- force: a busy record's tasks removed first ------------------------------------------------------------------

def busy_with_two_tasks(emu, hidden=True):
    """A busy record with an earlier task, and a current task that the task list does not show (a list may hide a
    task); the module must find both: listed by source_server_id, and the current task."""
    old = emu.add_task(name="web-01-first", source_server={"id": SOURCE_ID, "name": "web-01"}, source_state="finished",
                       target_server={"vm_id": "vm-first", "name": "web-01"})
    current = emu.add_task(name="web-01-migration", source_server={"id": SOURCE_ID, "name": "web-01"}, source_state="replicate",
                           connected=True, hidden=hidden, stop_polls=1, target_server={"vm_id": "vm-web-01", "name": "web-01"})
    return old, current


# the current task hidden from the task list, or listed too (then named once)
@pytest.mark.parametrize("hidden", [True, False])
def test_check_mode_with_force_names_the_tasks_it_would_remove_first(emulator, hidden):
    old, current = busy_with_two_tasks(emulator, hidden=hidden)
    result = run(emulator, check=True, source_server_id=SOURCE_ID, force=True)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    (entry,) = result["source_servers"]
    assert entry["result"] == "would_delete_tasks_and_delete"
    assert entry["task_ids"] == [old["id"], current["id"]]
    assert "cannot be deleted" not in entry.get("msg", "") and "force" not in entry.get("msg", "")  # no refusal
    assert [(item["method"], item["path"], item["query"].get("source_server_id")) for item in emulator.journal] == [
        ("GET", "/v3/sources/" + SOURCE_ID, None), ("GET", "/v3/tasks", SOURCE_ID)]


def test_with_force_the_tasks_are_stopped_and_deleted_then_the_record(emulator):
    old, current = busy_with_two_tasks(emulator)
    result = run(emulator, source_server_id=SOURCE_ID, force=True)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    (entry,) = result["source_servers"]
    assert entry["result"] == "deleted_with_tasks"
    assert [(task["id"], task["result"]) for task in entry["tasks"]] == [(old["id"], "deleted"),
                                                                         (current["id"], "stopped_and_deleted")]
    assert entry["left_behind"] == {"target_server_vm_id": "vm-web-01", "clone_server_vm_id": None, "target_snapshot_id": None}
    assert not emulator.tasks and SOURCE_ID not in emulator.sources
    changes = changes_sent(emulator)
    assert changes[0] == ("POST", "/v3/tasks/%s/action" % current["id"])
    assert changes[-1] == ("DELETE", "/v3/sources/" + SOURCE_ID)
    # force: "stop, wait until deletable, delete, wait until gone - then delete the record": SMS's 404 for each
    # task comes before the record's DELETE
    record_deleted = [(entry["method"], entry["path"]) for entry in emulator.journal].index(
        ("DELETE", "/v3/sources/" + SOURCE_ID))
    confirmed_gone = {entry["path"] for entry in emulator.journal[:record_deleted]
                      if entry["method"] == "GET" and entry["status"] == 404}
    assert confirmed_gone == {"/v3/tasks/" + old["id"], "/v3/tasks/" + current["id"]}


def test_a_record_whose_tasks_cannot_all_be_removed_is_kept(emulator):
    old, current = busy_with_two_tasks(emulator)
    emulator.inject_forbidden(method="POST", path="/v3/tasks/%s/action" % current["id"])
    result = run(emulator, source_server_id=SOURCE_ID, force=True)
    assert result["failed"] is True
    (entry,) = result["source_servers"]
    assert entry["result"] == "failed"
    assert entry["msg"].startswith("SMS source server %s (web-01): its tasks could not all be deleted: %s failed: "
                                   "Failed to stop SMS task %s: SMS.9004 " % (SOURCE_ID, current["id"], current["id"]))
    assert "(HTTP 403" in entry["msg"]
    assert result["msg"] == entry["msg"]
    assert [(task["id"], task["result"]) for task in entry["tasks"]] == [(old["id"], "deleted"),
                                                                         (current["id"], "failed")]
    assert SOURCE_ID in emulator.sources
    # the earlier task was deleted all the same: the run changed something
    assert old["id"] not in emulator.tasks
    assert result["changed"] is True
    assert ("DELETE", "/v3/sources/" + SOURCE_ID) not in changes_sent(emulator)


def test_without_force_a_busy_record_is_sent_to_the_service_which_decides(emulator):
    busy_with_two_tasks(emulator)
    result = run(emulator, source_server_id=SOURCE_ID)
    assert result["failed"] is True
    (entry,) = result["source_servers"]
    assert entry["result"] == "refused"
    assert changes_sent(emulator) == [("DELETE", "/v3/sources/" + SOURCE_ID)]
    assert len(emulator.tasks) == 2 and SOURCE_ID in emulator.sources
