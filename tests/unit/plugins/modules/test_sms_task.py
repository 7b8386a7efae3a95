# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sms_task on one task, by ``task_id`` or ``name``, as a playbook runs it: its real ``main()`` in-process against
the emulator. Each case is a row of the the table "What the module does" of docs/modules.md, with the requests it may send
taken from the same table, and the option checks of the module's DOCUMENTATION.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_task
from tests.unit.plugins.modules.runner import run_module

REFUSAL_HINT = "Stop the task first, or set force: true to stop it and then delete it."


pytestmark = pytest.mark.usefixtures("no_pauses")


def run(emu, check=False, diff=False, **args):
    args.setdefault("state", "absent")
    return run_module(sms_task, emu, check=check, diff=diff, **args)


def sent(emu):
    """Each request as (method, path, name filter), the name filter only for lists."""
    return [(entry["method"], entry["path"]) + ((entry["query"].get("name"),) if entry["path"] == "/v3/tasks" else ())
            for entry in emu.journal]


# ---- option checks --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, problem", [
    (dict(task_ids=["7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "a/b"]),
     "task_ids[1] may hold only letters, digits, '-' and '_', found '/'"),
    (dict(task_ids=["a b"]), "task_ids[0] may hold only letters, digits, '-' and '_', found ' '"),
    (dict(task_ids=["['t-1'", "'t-2']"]),
     "task_ids[0] is \"['t-1'\", which looks like a piece of a list written as a string"),
    (dict(task_id=""), "task_id must not be empty"),
    (dict(name=" \t"), "name must not be empty"),
    (dict(name=""), "name must not be empty"),
    (dict(task_id="t-1", wait_timeout=-1), "wait_timeout must be 0 or more seconds, got -1"),
    (dict(task_id="t-1", name="web-01"), "parameters are mutually exclusive"),
])
def test_unusable_options_fail_before_any_request(emulator, args, problem):
    result = run(emulator, **args)
    assert result["failed"] is True
    assert result["msg"].startswith(problem), result["msg"]
    assert emulator.journal == []


def test_an_empty_list_of_ids_is_not_an_error_and_sends_nothing(emulator):
    result = run(emulator, task_ids=[])
    assert not result.get("failed")
    assert (result["changed"], result["msg"], result["tasks"]) == (False, "task_ids is empty: nothing to delete", [])
    assert emulator.journal == []


def test_a_wait_timeout_of_zero_takes_one_look(emulator):
    task = emulator.add_task(name="web-01-migration")
    result = run(emulator, task_id=task["id"], wait_timeout=0)
    assert not result.get("failed"), result["msg"]
    assert result["msg"] == "SMS task %s (web-01-migration) deleted" % task["id"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_failure_returns_the_task_as_far_as_it_was_read(emulator, method):
    """RETURN: task is always returned, the task as the service returned it before the deletion; an empty dict
    while it was not read yet."""
    task = emulator.add_task(name="web-01")
    emulator.inject_forbidden(method=method, path="/v3/tasks/" + task["id"])
    result = run(emulator, task_id=task["id"])
    assert result["failed"] is True
    assert (result["changed"], result["error"]["error_code"]) == (False, "SMS.9004")
    if method == "GET":
        assert result["task"] == {}
    else:
        assert (result["task"]["id"], result["task"]["name"], result["task"]["state"]) == (
            task["id"], "web-01", "MIGRATE_SUCCESS")
    assert task["id"] in emulator.tasks


# ---- by name --------------------------------------------------------------------------------------------------

def test_a_name_no_task_has_exactly_is_not_visible_and_nothing_is_deleted(emulator):
    other = emulator.add_task(name="web-01-old")  # the service's name filter matches it; the exact comparison does not
    result = run(emulator, name="web-01")
    assert not result.get("failed")
    assert (result["changed"], result["task"], result["tasks"]) == (False, {}, [])
    assert result["msg"] == ("No SMS task named 'web-01' is visible to these credentials (a listing shows only what "
                             "they may see, such as the records of their enterprise projects): nothing was deleted")
    assert "absent" not in result["msg"]
    assert other["id"] in emulator.tasks
    assert sent(emulator) == [("GET", "/v3/tasks", "web-01")]


def test_a_name_is_listed_then_its_task_read_and_deleted(emulator):
    emulator.add_task(name="web-01-old")  # the service's name filter matches these too; the exact comparison does not
    emulator.add_task(name="WEB-01")
    task = emulator.add_task(name="web-01")
    result = run(emulator, name="web-01")
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert result["msg"] == "SMS task %s (web-01) deleted" % task["id"]
    assert result["task"]["id"] == task["id"]
    assert task["id"] not in emulator.tasks and len(emulator.tasks) == 2
    # list items lack "connected": the task is read on its own before the decision
    assert sent(emulator) == [("GET", "/v3/tasks", "web-01"), ("GET", "/v3/tasks/" + task["id"]),
                              ("DELETE", "/v3/tasks/" + task["id"]), ("GET", "/v3/tasks/" + task["id"])]


@pytest.mark.parametrize("check", [False, True])
def test_a_name_several_tasks_have_deletes_nothing_and_lists_them(emulator, check):
    first = emulator.add_task(name="web-01")
    second = emulator.add_task(name="web-01")
    result = run(emulator, check=check, name="web-01")
    assert result["failed"] is True
    assert result["msg"] == "2 SMS tasks are named 'web-01', so none was deleted; name one by task_id: %s, %s" % (
        first["id"], second["id"])
    assert result["task_ids"] == [first["id"], second["id"]]
    assert sent(emulator) == [("GET", "/v3/tasks", "web-01")]


# ---- a task the service is deleting already -------------------------------------------------------------------

@pytest.mark.parametrize("fields", [dict(state="DELETING"), dict(source_state="deleting")])
def test_a_task_being_deleted_is_waited_for_without_a_stop_or_a_second_delete(emulator, fields):
    task = emulator.add_task(name="web-01", deleting_polls=2, **fields)
    result = run(emulator, task_id=task["id"])
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is False
    assert result["msg"] == "SMS task %s (web-01) was already being deleted and is now gone" % task["id"]
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    assert task["id"] not in emulator.tasks


@pytest.mark.parametrize("check, wait", [(True, True), (False, False)])
def test_a_task_being_deleted_is_left_alone_without_waiting(emulator, check, wait):
    task = emulator.add_task(name="web-01", state="DELETING", deleting_polls=5)
    result = run(emulator, check=check, diff=True, task_id=task["id"], wait=wait)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is False
    assert result["msg"] == "SMS task %s (web-01) is already being deleted" % task["id"]
    assert result["diff"]["after"] == result["diff"]["before"]
    assert result["diff"]["before"]["state"] == "DELETING"
    assert sent(emulator) == [("GET", "/v3/tasks/" + task["id"])]


# ---- check mode -----------------------------------------------------------------------------------------------

def test_check_mode_predicts_the_refusal_of_a_busy_task_without_force(emulator):
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True)
    result = run(emulator, check=True, task_id=task["id"])
    assert result["failed"] is True
    assert result["msg"] == ("SMS task %s (web-01) cannot be deleted now: the source server is in state 'replicate' and "
                             "its agent is connected. %s" % (task["id"], REFUSAL_HINT))
    assert result["task"]["id"] == task["id"]
    assert sent(emulator) == [("GET", "/v3/tasks/" + task["id"])]


def test_check_mode_predicts_a_stop_then_a_deletion_with_force(emulator):
    task = emulator.add_task(name="web-01", source_state="syncing", connected=True)
    result = run(emulator, check=True, task_id=task["id"], force=True)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert result["msg"] == ("SMS task %s (web-01) would be stopped (the source server is in state 'syncing' and its "
                             "agent is connected) and then deleted" % task["id"])
    assert sent(emulator) == [("GET", "/v3/tasks/" + task["id"])]


def test_check_mode_predicts_a_deletion(emulator):
    task = emulator.add_task(name="web-01")
    result = run(emulator, check=True, diff=True, task_id=task["id"])
    assert (result["changed"], result["msg"]) == (True, "SMS task %s (web-01) would be deleted" % task["id"])
    assert result["diff"] == {
        "before": {"id": task["id"], "name": "web-01", "state": "MIGRATE_SUCCESS", "source_server_state": "finished",
                   "connected": False},
        "after": {"id": task["id"], "state": "absent"}}
    assert task["id"] in emulator.tasks


def test_the_diff_of_a_task_that_does_not_exist(emulator):
    result = run(emulator, diff=True, task_id="7a9a9540-ff28-4869-b9e4-855fbe12a0c1")
    assert (result["changed"], result["msg"]) == (
        False, "SMS task 7a9a9540-ff28-4869-b9e4-855fbe12a0c1 is already absent")
    assert result["diff"] == {"before": {"id": "7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "state": "absent"},
                              "after": {"id": "7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "state": "absent"}}


# ---- a busy task --------------------------------------------------------------------------------------------------

def test_a_busy_task_without_force_is_sent_to_the_service_which_refuses(emulator):
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True)
    result = run(emulator, task_id=task["id"])
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"] == (
        "Failed to delete SMS task %s: SMS.2015 The task is in progress or being stopped and cannot be deleted. "
        "(HTTP 400, request id %s). It was read as busy: the source server is in state 'replicate' and its agent is "
        "connected. %s" % (task["id"], result["error"]["request_id"], REFUSAL_HINT))
    assert (result["error"]["status"], result["error"]["error_code"]) == (400, "SMS.2015")
    assert [(entry["id"], entry["result"], entry["msg"]) for entry in result["tasks"]] == [
        (task["id"], "refused", result["msg"])]
    assert [entry["method"] for entry in emulator.journal] == ["GET", "DELETE"]
    assert task["id"] in emulator.tasks


def test_a_busy_task_with_force_is_stopped_then_deleted(emulator):
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True, stop_polls=1)
    result = run(emulator, task_id=task["id"], force=True)
    assert not result.get("failed"), result["msg"]
    assert (result["changed"], result["msg"]) == (True, "SMS task %s (web-01) stopped and deleted" % task["id"])
    actions = [entry["body"] for entry in emulator.journal if entry["path"].endswith("/action")]
    assert actions == [{"operation": "stop"}]
    assert task["id"] not in emulator.tasks


def test_a_task_already_stopping_gets_no_second_stop(emulator):
    task = emulator.add_task(name="web-01", source_state="stopping", connected=True, stop_polls=1)
    result = run(emulator, task_id=task["id"], force=True)
    assert not result.get("failed"), result["msg"]
    assert result["msg"] == "SMS task %s (web-01) stopped and deleted" % task["id"]
    assert not [entry for entry in emulator.journal if entry["path"].endswith("/action")]


def test_a_task_that_vanishes_while_it_stops_is_reported_as_such(emulator):
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True, stop_polls=3)
    emulator.inject(method="GET", path="/v3/tasks/" + task["id"], after=1, times=5, status=404,
                    body={"error_code": "SMS.1801", "error_msg": "The task does not exist."})
    result = run(emulator, task_id=task["id"], force=True)
    assert not result.get("failed"), result["msg"]
    # changed: the stop was accepted
    assert (result["changed"], result["msg"]) == (
        True, "SMS task %s (web-01) vanished before this run deleted it (SMS says it does not exist)" % task["id"])
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [(task["id"], "vanished")]
    assert "DELETE" not in [entry["method"] for entry in emulator.journal]


def test_a_wait_that_times_out_names_the_state_last_seen(emulator):
    task = emulator.add_task(name="web-01", stuck_deleting=True)
    result = run(emulator, task_id=task["id"], wait_timeout=1)
    assert result["failed"] is True
    assert result["changed"] is True
    assert result["msg"] == ("SMS task %s (web-01): its deletion was accepted, but it is still present after 1 second, "
                             "in state DELETING, source server state deleting. SMS may still be deleting it: run the task "
                             "again to confirm that it is gone, or raise wait_timeout" % task["id"])
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [(task["id"], "timed_out")]


def test_a_stop_that_does_not_end_in_time_fails_as_a_change(emulator):
    """With force, the stop is sent: a task still stopping when wait_timeout passes fails the run, which changed the
    task all the same, naming the state it was last seen in."""
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True, stop_polls=1000)
    result = run(emulator, task_id=task["id"], force=True, wait_timeout=0)
    assert result["failed"] is True
    assert result["changed"] is True
    assert result["msg"] == ("SMS task %s (web-01) timed out waiting to stop: its stop was accepted, but after 0 seconds "
                             "it was still not deletable, in state ABORTING, source server state stopping, and it was not "
                             "deleted. Run the task again once it has stopped, or raise wait_timeout" % task["id"])
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [(task["id"], "timed_out")]
    assert "DELETE" not in [entry["method"] for entry in emulator.journal]


def test_a_deletion_refused_after_a_forced_stop_says_to_try_again_later(emulator):
    """docs/modules.md: stopped, then the deletion refused - refused, changed (the stop was accepted), and no hint to
    set force again."""
    task = emulator.add_task(name="web-01", source_state="replicate", connected=True, stop_polls=1)
    emulator.inject(method="DELETE", path="/v3/tasks/" + task["id"], status=400,
                    body={"error_code": "SMS.2015", "error_msg": "The task is in progress or being stopped."})
    result = run(emulator, task_id=task["id"], force=True)
    assert result["failed"] is True
    assert result["changed"] is True
    assert result["msg"] == (
        "Failed to delete SMS task %s: SMS.2015 The task is in progress or being stopped. (HTTP 400, request id %s). "
        "The service refused the deletion although the task was stopped: try again later." % (
            task["id"], result["error"]["request_id"]))
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [(task["id"], "refused")]
    assert [entry["body"] for entry in emulator.journal if entry["path"].endswith("/action")] == [{"operation": "stop"}]
    assert task["id"] in emulator.tasks
