# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kinds of SMS record the collection removes, each described as data for the one executor (removal.py).

A new kind of record is a new Description here, with its rules in task_rules.py and its API Kind in client.py.
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import MIGPROJECTS, SOURCES, TASKS, TEMPLATES
from ansible_collections.hwcloud.sms.plugins.module_utils.outcomes import CLEAN_UP_REMINDER, Description
from ansible_collections.hwcloud.sms.plugins.module_utils.readying import NeverBusy, StopFirst, TasksFirst
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    is_refusal,
    is_source_refusal,
    left_behind,
    plan,
    project_plan,
    project_summary,
    servers_of,
    source_plan,
    source_summary,
    summary,
    template_plan,
    template_summary,
)


def task_identity(task):
    """What an entry tells of a task besides its id: its name, its source server, and the server template it was
    created from (when the task names one)."""
    identity = {"name": task.get("name"), "source_server_id": (task.get("source_server") or {}).get("id")}
    if task.get("vm_template_id"):
        identity["template_id"] = task["vm_template_id"]
    return identity


TASK = Description(
    api=TASKS, result_key="tasks", single_key="task", plan_of=plan, summary_of=summary,
    identify=task_identity,
    leftovers=servers_of, is_refusal_of=is_refusal, readying=StopFirst(),
    readied="stopped_and_deleted", readied_words="stopped and deleted",
    list_items_complete=False,  # list items lack "connected": a busy task is read on its own
    refusal_hint="Stop the task first, or set force: true to stop it and then delete it.",
    forced_hint="The service refused the deletion although the task was stopped: try again later.")

SOURCE = Description(
    api=SOURCES, result_key="source_servers", single_key="source_server", plan_of=source_plan,
    summary_of=source_summary, identify=lambda source: {"name": source.get("name")},
    leftovers=left_behind, is_refusal_of=is_source_refusal, readying=TasksFirst(TASK),
    readied="deleted_with_tasks", readied_words="deleted with its tasks", list_items_complete=True,
    refusal_hint="Stop the source server's migration task first, or set force: true to stop and delete the source "
                 "server's tasks and then the record.",
    forced_hint="The service refused the deletion although the source server's tasks were deleted: try again later.",
    reminder=CLEAN_UP_REMINDER)

TEMPLATE = Description(
    api=TEMPLATES, result_key="templates", single_key="template", plan_of=template_plan, summary_of=template_summary,
    identify=lambda template: {"name": template.get("name")}, readying=NeverBusy())

MIGPROJECT = Description(
    api=MIGPROJECTS, result_key="migration_projects", single_key="migration_project", plan_of=project_plan,
    summary_of=project_summary, identify=lambda project: {"name": project.get("name")}, readying=NeverBusy())
