# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sms_task_info and sms_source_server_info as a playbook runs them: their real ``main()``, argument parsing
included, in-process against the emulator. What each must return and which requests it may send are written
from the modules' documentation (DOCUMENTATION, RETURN) and sms-api.md sections 2 to 4 and 10.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server_info, sms_task_info
from tests.conftest import TOKEN
from tests.module_args import patch_module_args


def run(module, emu, check=False, **args):
    out = io.StringIO()
    args = dict(args, endpoint=emu.url, auth_token=TOKEN, max_retries=0, _ansible_check_mode=check)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(out.getvalue())


def requests_sent(emu):
    return [(entry["method"], entry["path"]) for entry in emu.journal]


def list_queries(emu, path):
    """The filters of each list request (the paging parameters left out)."""
    return [{key: value for key, value in entry["query"].items() if key not in ("limit", "offset")}
            for entry in emu.journal if entry["method"] == "GET" and entry["path"] == path]


# ---- sms_task_info --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check", [False, True])
def test_one_task_by_id_with_whether_it_may_be_deleted(emulator, check):
    task = emulator.add_task(name="web-01-migration", source_state="finished", connected=True)
    result = run(sms_task_info, emulator, check=check, task_id=task["id"])
    assert result["changed"] is False and not result.get("failed")
    assert [(found["id"], found["name"], found["deletable"]) for found in result["tasks"]] == [
        (task["id"], "web-01-migration", True)]
    assert result["tasks"][0]["connected"] is True  # a task shown by id carries every field of GET one
    assert requests_sent(emulator) == [("GET", "/v3/tasks/" + task["id"])]


@pytest.mark.parametrize("source_state, connected, deletable", [
    ("replicate", True, False),
    ("syncing", True, False),
    ("replicate", False, True),
    ("stopped", True, True),
])
def test_a_task_shown_by_id_is_judged_by_the_deletion_rule(emulator, source_state, connected, deletable):
    task = emulator.add_task(name="t", source_state=source_state, connected=connected)
    result = run(sms_task_info, emulator, task_id=task["id"])
    assert [found["deletable"] for found in result["tasks"]] == [deletable]
    # the reason sms_task would give, with deletable false only
    reason = "the source server is in state '%s' and its agent is connected" % source_state
    assert [found["deletion_blocker"] for found in result["tasks"]] == [None if deletable else reason]


def test_an_id_sms_does_not_know_gives_no_task(emulator):
    result = run(sms_task_info, emulator, task_id="7a9a9540-ff28-4869-b9e4-855fbe12a0c1")
    assert not result.get("failed")
    assert (result["changed"], result["tasks"]) == (False, [])


def test_a_gateway_404_for_an_id_is_a_failure_not_an_empty_list(emulator):
    task = emulator.add_task(name="t")
    emulator.inject(method="GET", path="/v3/tasks/" + task["id"], status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist", "request_id": None})
    result = run(sms_task_info, emulator, task_id=task["id"])
    assert result["failed"] is True
    assert result["tasks"] == []
    assert result["error"]["status"] == 404 and result["error"]["error_code"] == "APIGW.0101"
    assert "not from SMS" in result["msg"]


@pytest.mark.parametrize("task_id, problem", [
    ("a/b", "task_id may hold only letters, digits, '-' and '_', found '/'"), ("", "task_id must not be empty"),
    ("..", "task_id may hold only letters, digits, '-' and '_', found '.'"),
    ("['t-1'", "task_id is \"['t-1'\", which looks like a piece of a list written as a string")])
def test_an_unusable_id_fails_before_any_request(emulator, task_id, problem):
    result = run(sms_task_info, emulator, task_id=task_id)
    assert result["failed"] is True
    assert result["msg"].startswith(problem)
    assert emulator.journal == []


@pytest.mark.parametrize("other", ["name", "state", "source_server_id", "enterprise_project_id"])
def test_task_id_cannot_be_combined_with_a_filter(emulator, other):
    value = "READY" if other == "state" else "x"
    result = run(sms_task_info, emulator, task_id="t-1", **{other: value})
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"] and "task_id" in result["msg"] and other in result["msg"]
    assert emulator.journal == []


def test_a_name_is_compared_exactly(emulator):
    """The service's name filter matches more than the exact name: only the exact one is returned."""
    wanted = emulator.add_task(name="web-01")
    for name in ("web-01-old", "WEB-01", "db-01"):
        emulator.add_task(name=name)
    result = run(sms_task_info, emulator, name="web-01")
    assert [task["id"] for task in result["tasks"]] == [wanted["id"]]
    assert list_queries(emulator, "/v3/tasks") == [{"name": "web-01"}]


# sms-api.md section 3: the states the list's state filter accepts, and those it does not (filtered on this side)
SERVICE_FILTER_STATES = ["READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORTING", "ABORT", "DELETING",
                         "SYNC_F_ROLLBACKING", "SYNC_F_ROLLBACK_SUCCESS"]
CLIENT_FILTER_STATES = ["SYNC_SUCCESS", "SYNC_FAIL", "SKIPPING", "RESETING"]


@pytest.mark.parametrize("state", SERVICE_FILTER_STATES + CLIENT_FILTER_STATES)
def test_a_state_is_sent_to_the_service_only_when_its_filter_accepts_it(emulator, state):
    # a DELETING task stays listed for a few looks, as on the service
    wanted = emulator.add_task(name="wanted", state=state, source_state="finished", deleting_polls=5)
    emulator.add_task(name="other", state="MIGRATE_SUCCESS" if state != "MIGRATE_SUCCESS" else "READY")
    result = run(sms_task_info, emulator, state=state)
    assert not result.get("failed"), result["msg"]
    assert [task["id"] for task in result["tasks"]] == [wanted["id"]]
    expected = {"state": state} if state in SERVICE_FILTER_STATES else {}
    assert list_queries(emulator, "/v3/tasks") == [expected]


def test_the_filters_combine(emulator):
    source_id = "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"
    wanted = emulator.add_task(name="web-01", state="SYNC_SUCCESS", source_id=source_id, enterprise_project_id="ep-1")
    emulator.add_task(name="web-01", state="MIGRATE_SUCCESS", source_id=source_id, enterprise_project_id="ep-1")
    emulator.add_task(name="web-01-old", state="SYNC_SUCCESS", source_id=source_id, enterprise_project_id="ep-1")
    emulator.add_task(name="web-01", state="SYNC_SUCCESS", enterprise_project_id="ep-1")
    result = run(sms_task_info, emulator, name="web-01", state="SYNC_SUCCESS", source_server_id=source_id,
                 enterprise_project_id="ep-1")
    assert [task["id"] for task in result["tasks"]] == [wanted["id"]]
    assert list_queries(emulator, "/v3/tasks") == [
        {"name": "web-01", "source_server_id": source_id, "enterprise_project_id": "ep-1"}]


def test_listed_busy_tasks_are_read_on_their_own(emulator):
    """List items do not say whether the agent is connected: a busy task is read on its own to tell; an idle one
    needs no read; a busy task that vanished before its read is reported with deletable null."""
    emulator.add_task(name="idle", source_state="finished", connected=True)
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True)
    loose = emulator.add_task(name="loose", source_state="syncing", connected=False)
    gone = emulator.add_task(name="gone", source_state="replicate", connected=True, ghost=True)
    result = run(sms_task_info, emulator)
    assert [(task["name"], task["deletable"]) for task in result["tasks"]] == [
        ("idle", True), ("busy", False), ("loose", True), ("gone", None)]
    assert "connected" not in result["tasks"][0]  # listed tasks carry the list items' fields
    assert requests_sent(emulator) == [("GET", "/v3/tasks")] + [("GET", "/v3/tasks/" + task["id"])
                                                                for task in (busy, loose, gone)]


def test_a_failed_listing_fails_with_the_service_error(emulator):
    emulator.add_task(name="t")
    emulator.inject(method="GET", path="/v3/tasks", status=500,
                    body={"error_code": "SMS.2007", "error_msg": "Backend exception"})
    result = run(sms_task_info, emulator)
    assert result["failed"] is True
    assert result["tasks"] == []
    assert result["error"]["error_code"] == "SMS.2007"
    assert "SMS.2007 Backend exception (HTTP 500" in result["msg"]


# ---- sms_source_server_info -----------------------------------------------------------------------------------

SOURCE_ID = "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"


def migrated(emu, source_id, name, state="finished", connected=False, clone_vm_id="", **fields):
    """A source-server record with its current migration task, whose target server is vm-<name>."""
    emu.add_task(name=name + "-migration", source_state=state, connected=connected,
                 source_server={"id": source_id, "name": name}, target_server={"vm_id": "vm-" + name, "name": name + "-target"},
                 clone_server={"vm_id": clone_vm_id, "name": "clone" if clone_vm_id else ""}, **fields)
    return emu.sources[source_id]


@pytest.mark.parametrize("check", [False, True])
def test_one_source_by_id_with_what_is_left_behind(emulator, check):
    migrated(emulator, SOURCE_ID, "web-01", clone_vm_id="vm-clone-1")
    result = run(sms_source_server_info, emulator, check=check, source_server_id=SOURCE_ID)
    assert result["changed"] is False and not result.get("failed")
    (found,) = result["source_servers"]
    assert (found["id"], found["name"], found["deletable"], found["deletion_blocker"]) == (SOURCE_ID, "web-01", True, None)
    assert found["left_behind"] == {"target_server_vm_id": "vm-web-01", "clone_server_vm_id": "vm-clone-1", "target_snapshot_id": None}
    assert requests_sent(emulator) == [("GET", "/v3/sources/" + SOURCE_ID)]


@pytest.mark.parametrize("state, connected, deletable, blocker", [
    ("replicate", True, False, "the source server is in state 'replicate' and its agent is connected"),
    ("cloning", True, False, "the source server is in state 'cloning' and its agent is connected"),
    ("replicate", False, True, None),
    ("finished", True, True, None),
])
def test_a_source_is_judged_by_its_current_task(emulator, state, connected, deletable, blocker):
    migrated(emulator, SOURCE_ID, "web-01", state=state, connected=connected)
    (found,) = run(sms_source_server_info, emulator, source_server_id=SOURCE_ID)["source_servers"]
    assert (found["deletable"], found["deletion_blocker"]) == (deletable, blocker)
    assert found["left_behind"] == {"target_server_vm_id": "vm-web-01", "clone_server_vm_id": None, "target_snapshot_id": None}


def test_a_source_without_a_task_leaves_nothing_behind(emulator):
    emulator.add_source(SOURCE_ID, name="web-02", state="replicate", connected=True)
    (found,) = run(sms_source_server_info, emulator, source_server_id=SOURCE_ID)["source_servers"]
    assert (found["deletable"], found["deletion_blocker"]) == (True, None)
    assert found["left_behind"] == {"target_server_vm_id": None, "clone_server_vm_id": None, "target_snapshot_id": None}


def test_a_source_id_sms_does_not_know_gives_no_source(emulator):
    result = run(sms_source_server_info, emulator, source_server_id=SOURCE_ID)
    assert not result.get("failed")
    assert (result["changed"], result["source_servers"]) == (False, [])


@pytest.mark.parametrize("source_id, problem", [("a/b", "source_server_id may hold only letters, digits, '-' and '_', found '/'"),
                                                ("a b", "source_server_id may hold only letters, digits, '-' and '_', found ' '"),
                                                ("x" * 256, "source_server_id must be at most 255 characters long")])
def test_an_unusable_source_id_fails_before_any_request(emulator, source_id, problem):
    result = run(sms_source_server_info, emulator, source_server_id=source_id)
    assert result["failed"] is True
    assert result["msg"].startswith(problem)
    assert emulator.journal == []


@pytest.mark.parametrize("connected, query", [(True, {"connected": "true"}), (False, {"connected": "false"}), (None, {})])
def test_the_agent_filter_is_sent_as_the_service_spells_it(emulator, connected, query):
    on = migrated(emulator, "src-on", "web-on", state="replicate", connected=True)
    off = migrated(emulator, "src-off", "web-off", connected=False)
    args = {} if connected is None else {"connected": connected}
    result = run(sms_source_server_info, emulator, **args)
    expected = {True: [on["id"]], False: [off["id"]], None: [on["id"], off["id"]]}[connected]
    assert [found["id"] for found in result["source_servers"]] == expected
    assert list_queries(emulator, "/v3/sources") == [query]


def test_every_filter_is_sent_and_the_name_compared_exactly(emulator):
    wanted = emulator.add_source("src-1", name="web-01", state="finished", ip="198.51.100.7", migration_cycle="cutovered",
                                 migproject="mp-1", enterprise_project_id="ep-1")
    emulator.add_source("src-2", name="web-01-old", state="finished", ip="198.51.100.7", migration_cycle="cutovered",
                        migproject="mp-1", enterprise_project_id="ep-1")
    emulator.add_source("src-3", name="web-01", state="finished", ip="198.51.100.8", migration_cycle="cutovered",
                        migproject="mp-1", enterprise_project_id="ep-1")
    emulator.add_source("src-4", name="WEB-01", state="finished", ip="198.51.100.7", migration_cycle="cutovered",
                        migproject="mp-1", enterprise_project_id="ep-1")
    filters = {"name": "web-01", "state": "finished", "ip": "198.51.100.7", "migration_cycle": "cutovered",
               "migproject": "mp-1", "enterprise_project_id": "ep-1"}
    result = run(sms_source_server_info, emulator, **filters)
    assert [found["id"] for found in result["source_servers"]] == [wanted["id"]]
    assert list_queries(emulator, "/v3/sources") == [filters]


def test_source_id_cannot_be_combined_with_a_filter(emulator):
    result = run(sms_source_server_info, emulator, source_server_id=SOURCE_ID, connected=True)
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]
    assert emulator.journal == []


def test_a_failed_source_listing_fails_with_the_service_error(emulator):
    emulator.inject_forbidden(method="GET", path="/v3/sources")
    result = run(sms_source_server_info, emulator, state="finished")
    assert result["failed"] is True
    assert result["source_servers"] == []
    assert result["error"]["error_code"] == "SMS.9004" and result["error"]["status"] == 403
