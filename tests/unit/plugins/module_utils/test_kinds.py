# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The descriptions of the kinds of record agree with the modules' documented results and with the rules they
carry: a busy record with force is planned for the way its kind makes it deletable."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import SOURCE, TASK

BUSY_TASK = {"id": "t-1", "name": "web", "state": "RUNNING", "connected": True, "source_server": {"id": "s-1", "state": "replicate"}}
BUSY_SOURCE = {"id": "s-1", "name": "web", "state": "replicate", "connected": True,
               "current_task": {"id": "t-1", "state": "RUNNING"}}


@pytest.mark.parametrize("kind, busy", [(TASK, BUSY_TASK), (SOURCE, BUSY_SOURCE)], ids=["task", "source"])
def test_a_busy_record_with_force_is_planned_for_its_kinds_way_of_readying(kind, busy):
    assert kind.plan_of(busy, True).action == kind.readying.action
    assert kind.plan_of(busy, False).action == "refused"


@pytest.mark.parametrize("kind, result_key, single_key, readied", [
    (TASK, "tasks", "task", "stopped_and_deleted"),  # sms_task RETURN
    (SOURCE, "source_servers", "source_server", "deleted_with_tasks"),  # sms_source_server RETURN
], ids=["task", "source"])
def test_the_result_names_are_the_documented_ones(kind, result_key, single_key, readied):
    assert (kind.result_key, kind.single_key, kind.readied) == (result_key, single_key, readied)


def test_only_source_servers_remind_of_what_sms_leaves_behind():
    assert TASK.reminder is None
    assert "target servers nor clone servers" in SOURCE.reminder


def test_an_entry_identifies_a_task_by_name_and_source_server():
    assert TASK.identify(BUSY_TASK) == {"name": "web", "source_server_id": "s-1"}
    assert SOURCE.identify(BUSY_SOURCE) == {"name": "web"}
