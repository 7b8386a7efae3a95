# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan for a source-server record: its current task judged by the task rule (sms-api.md sections 4 and 10).

The busy and idle source states are written here from sms-api.md sections 3 and 4, not taken from the code.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import task_rules
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError

BUSY = ("initialize", "stopping", "deleting", "cloning", "replicate", "syncing", "cutovering", "skipping", "clearing",
        "premiging")
# the other ten of the twenty source states of section 3
IDLE = ("unavailable", "waiting", "stopped", "cleared", "clearfailed", "premigready", "premiged", "premigfailed",
        "finished", "error")


def server(state="finished", connected=True, task_state="MIGRATE_SUCCESS", with_task=True):
    record = {"id": "s", "name": "web-01", "state": state, "connected": connected, "migration_cycle": "cutovered"}
    if with_task:
        record["current_task"] = {"id": "t", "name": "web-01-migration", "state": task_state,
                                  "target_server": {"vm_id": "vm-target"}, "clone_server": {"vm_id": "vm-clone"}}
    return record


@pytest.mark.parametrize("state", BUSY)
def test_a_connected_source_in_a_busy_state_is_refused_or_forced(state):
    busy = server(state=state, task_state="RUNNING")
    assert task_rules.source_plan(busy).action == "refused"
    forced = task_rules.source_plan(busy, force=True)
    assert forced.action == "remove_tasks_then_delete" and state in forced.reason
    assert task_rules.source_deletable(busy) is False


@pytest.mark.parametrize("state", IDLE)
def test_a_source_in_an_idle_state_is_deleted(state):
    assert task_rules.source_plan(server(state=state), force=True).action == "delete"
    assert task_rules.source_deletable(server(state=state)) is True


@pytest.mark.parametrize("record, action, deletable", [
    (None, "absent", None),
    (server(state="replicate", connected=False), "delete", True),  # the agent is gone: nothing runs
    (server(state="replicate", with_task=False), "delete", True),  # no task: nothing to refuse for
    (server(state="deleting", with_task=False), "being_deleted", True),
    (server(state="Deleting", with_task=False), "being_deleted", True),
    # without a current task only the state deleting means a deletion under way
    (server(state="cleared", with_task=False), "delete", True),
    (server(state="cloning", with_task=False), "delete", True),
    (server(state="error", with_task=False), "delete", True),
    (server(state=None, with_task=False), "delete", True),
    (server(state="Replicate"), "refused", False),  # states compared without case
    (dict(server(state="replicate"), connected=None), "refused", None),  # unknown agent: refused, deletable unknown
    # no source state shown: the current task's own state is the only hint (section 4)
    (dict(server(task_state="RUNNING"), state=None), "refused", False),
    (dict(server(task_state="MIGRATE_SUCCESS"), state=None), "delete", True),
])
def test_the_plan_for_a_source(record, action, deletable):
    assert task_rules.source_plan(record).action == action
    if record is not None:
        assert task_rules.source_deletable(record) is deletable


@pytest.mark.parametrize("status, code, busy, refusal", [
    (400, "SMS.2015", False, True),
    (400, "SMS.0205", True, True),
    (400, "SMS.0205", False, False),
    (403, "SMS.9004", True, False),
    (None, None, True, False),
])
def test_the_refusal_predicate_for_a_source(status, code, busy, refusal):
    error = SmsApiError("delete SMS source server s", status=status, error_code=code, error_msg="x")
    record = server(state="replicate") if busy else server()
    assert task_rules.is_source_refusal(error, record) is refusal
    assert task_rules.is_source_refusal(error, None) is (code == "SMS.2015")


def test_summary_and_what_is_left_behind():
    record = server(state="replicate")
    assert task_rules.source_summary(record) == {
        "id": "s", "name": "web-01", "state": "replicate", "connected": True, "migration_cycle": "cutovered",
        "current_task": {"id": "t", "state": "MIGRATE_SUCCESS"}}
    assert task_rules.source_summary(server(with_task=False))["current_task"] is None
    assert task_rules.left_behind(record) == {"target_server_vm_id": "vm-target", "clone_server_vm_id": "vm-clone", "target_snapshot_id": None}
    assert task_rules.left_behind(server(with_task=False)) == {"target_server_vm_id": None, "clone_server_vm_id": None, "target_snapshot_id": None}
    no_clone = server()
    no_clone["current_task"]["clone_server"] = {"vm_id": ""}  # as the service shows a task without a clone
    assert task_rules.left_behind(no_clone)["clone_server_vm_id"] is None
