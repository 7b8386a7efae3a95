# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two things defined once: the plan for a task and the refusal predicate."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import task_rules
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError


def task(state="MIGRATE_SUCCESS", source_state="finished", connected=True):
    return {"id": "t", "state": state, "connected": connected, "source_server": {"state": source_state}}


def test_the_plan_without_force_is_never_a_stop():
    busy = task(state="RUNNING", source_state="replicate")
    assert task_rules.plan(busy).action == "refused"


@pytest.mark.parametrize("read, verdict", [
    (task(), True),
    (task(state="RUNNING", source_state="replicate"), False),
    (task(state="RUNNING", source_state="replicate", connected=None), None),  # a list item: cannot tell
    (task(state="RUNNING", source_state="replicate", connected=False), True),
])
def test_deletable_as_sms_task_info_reports_it(read, verdict):
    if read["connected"] is None:
        del read["connected"]
    assert task_rules.deletable(read) is verdict


@pytest.mark.parametrize("read, force, action", [
    (None, False, "absent"),
    (task(), False, "delete"),
    (task(state="DELETING", source_state="deleting"), True, "being_deleted"),
    (task(state="RUNNING", source_state="deleting"), True, "being_deleted"),  # no stop for a source being deleted
    (task(state="RUNNING", source_state="replicate"), False, "refused"),
    (task(state="RUNNING", source_state="replicate"), True, "stop_then_delete"),
    (task(state="RUNNING", source_state="replicate", connected=False), False, "delete"),  # agent gone: deletable
    (task(state="RUNNING", source_state="cloning"), False, "refused"),
    (task(state="DELETING", source_state="finished"), False, "being_deleted"),  # the task's own state says so
    (task(state="ABORT", source_state="stopped"), False, "delete"),
    (task(state="RUNNING", source_state="Deleting"), False, "being_deleted"),
])
def test_the_plan_for_a_task(read, force, action):
    decided = task_rules.plan(read, force)
    assert decided.action == action
    assert (decided.reason is not None) is (action in ("refused", "stop_then_delete"))


# the twenty source states of sms-api.md section 3
SOURCE_STATES = ("unavailable", "waiting", "initialize", "replicate", "syncing", "stopping", "stopped", "skipping",
                 "deleting", "clearing", "cleared", "clearfailed", "premigready", "premiged", "premigfailed", "premiging",
                 "cloning", "cutovering", "finished", "error")


@pytest.mark.parametrize("source_state", SOURCE_STATES + ("Stopping", "Syncing", None))
def test_only_a_source_already_stopping_is_sent_no_second_stop(source_state):
    """A stop is under way only when the source server is in state stopping (compared without case)."""
    read = task(state="RUNNING", source_state=source_state)
    assert task_rules.stop_under_way(read) is (source_state in ("stopping", "Stopping"))


@pytest.mark.parametrize("status, code, busy, refusal", [
    (400, "SMS.2015", False, True),
    (400, "SMS.0205", True, True),
    (400, "SMS.0205", False, False),
    (403, "SMS.9004", True, False),
    (500, "SMS.2015", False, True),  # the legacy code says so whatever the status
    (None, None, True, False),  # no answer at all: not a refusal
    (401, "APIGW.0301", True, False),
])
def test_the_refusal_predicate(status, code, busy, refusal):
    error = SmsApiError("delete SMS task t", status=status, error_code=code, error_msg="x")
    read = task(state="RUNNING", source_state="replicate") if busy else task()
    assert task_rules.is_refusal(error, read) is refusal


def test_a_task_parsed_from_json_is_recognised_as_being_deleted():
    """States arrive as strings parsed from the answer, never the same objects as the code's literals."""
    read = json.loads('{"id": "t", "state": "DELETING", "connected": true, "source_server": {"state": "finished"}}')
    assert task_rules.plan(read).action == "being_deleted"


# ---- server templates and migration projects (sms-api.md section 11) ----


@pytest.mark.parametrize("project, reason", [
    ({"id": "p", "isdefault": True, "exist_server": False}, "it is the default migration project, which SMS never deletes"),
    ({"id": "p", "isdefault": "true", "exist_server": False}, "it is the default migration project, which SMS never deletes"),
    ({"id": "p", "isdefault": False, "exist_server": True}, "it still has servers (exist_server)"),
    ({"id": "p", "isdefault": False, "exist_server": "True"}, "it still has servers (exist_server)"),
])
def test_a_project_sms_would_never_delete_is_blocked_with_its_reason(project, reason):
    decided = task_rules.project_plan(project)
    assert decided.action == "blocked" and decided.reason.startswith(reason)


@pytest.mark.parametrize("project", [{"id": "p", "isdefault": False, "exist_server": False}, {"id": "p"},
                                     {"id": "p", "isdefault": "false", "exist_server": 0}])
def test_an_empty_project_that_is_not_the_default_is_deleted(project):
    assert task_rules.project_plan(project).action == "delete"


def test_a_template_has_no_rule_of_its_own_the_service_decides():
    assert task_rules.template_plan({"id": "t", "is_template": "false"}).action == "delete"
    assert task_rules.template_plan(None).action == "absent"
    assert task_rules.project_plan(None).action == "absent"
