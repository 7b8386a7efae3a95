# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How each kind of record is made deletable when it is busy and the run has force: the one step in which the kinds
differ in what they send. A kind's Description (kinds.py) names its way; the executor (removal.py) calls it.

Each way fills in the records' Evidence (``stop``, ``ready``, ``tasks``) and decides nothing: outcomes.py does.
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError
from ansible_collections.hwcloud.sms.plugins.module_utils.outcomes import (
    ACCEPTED,
    FAILED,
    GONE,
    GONE_RESULTS,
    KEEP,
    READY,
    REJECTED,
    UNKNOWN,
    entries,
    snapshots_cleared,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    BEING_DELETED,
    DELETE,
    REFUSED,
    REMOVE_TASKS_THEN_DELETE,
    STOP_THEN_DELETE,
    Plan,
    deletion_blocker,
    source_state,
    stop_under_way,
)

FEW_SOURCES = 3  # up to this many sources, their tasks are listed source by source; more: one listing of all


class NeverBusy:
    """Server templates and migration projects: never busy, nothing to make ready."""

    action = None

    def plan(self, removal):
        """Nothing to learn beyond the records themselves."""

    def make_ready(self, removal, busy):
        """Nothing is busy."""


class StopFirst:
    """Tasks: a busy task is stopped (unless a stop is already under way), then read until the service would
    delete it."""

    action = STOP_THEN_DELETE

    def plan(self, removal):
        """Nothing to learn beyond the tasks themselves."""

    def make_ready(self, removal, busy):
        send_action(removal, "stop", [ev for ev in busy if not stop_under_way(ev.record)])
        pending = [ev for ev in busy if stop_under_way(ev.record) or ev.stop == ACCEPTED]
        removal.watch(pending, "ready", lambda latest: GONE if latest is None else
                      READY if deletion_blocker(latest) is None else None)


class TasksFirst:
    """Source servers: the tasks of a busy record are removed first, as sms_task with force removes them (one
    removal for all of them); the record is ready once its tasks are all gone. With ``allowed_task_ids``, a record
    whose server still has a task outside them is kept, untouched."""

    action = REMOVE_TASKS_THEN_DELETE

    def __init__(self, task_kind):
        self.task_kind = task_kind

    def plan(self, removal):
        if removal.allowed is not None:
            found = removal.planned(DELETE, REFUSED, REMOVE_TASKS_THEN_DELETE, BEING_DELETED)
            tasks = self.tasks_of(removal.client, found)
            for ev in found:
                ev.task_ids = tasks[ev.id]
                ev.outside = [task_id for task_id in ev.task_ids if task_id not in removal.allowed]
                if ev.outside:
                    ev.plan = Plan(KEEP, "its server still has other tasks")
        elif removal.how.force:
            for ev in removal.planned(REMOVE_TASKS_THEN_DELETE):
                ev.task_ids = self.tasks_of(removal.client, [ev])[ev.id]

    @staticmethod
    def tasks_of(client, sources):
        """The ids of each source's tasks: those listed for it (the filter checked again here, since a service or
        gateway may ignore it) and its current task (a listing may hide a task). Few sources: one filtered listing
        each; more: one listing of every task."""
        if len(sources) <= FEW_SOURCES:
            listed = {ev.id: client.list_tasks(source_server_id=ev.id) for ev in sources}
        else:
            everything = client.list_tasks()
            listed = {ev.id: everything for ev in sources}
        tasks = {}
        for ev in sources:
            ids = [task["id"] for task in listed[ev.id] if (task.get("source_server") or {}).get("id") == ev.id]
            current = (ev.record.get("current_task") or {}).get("id")
            tasks[ev.id] = list(dict.fromkeys(ids + ([current] if current else [])))
        return tasks

    def make_ready(self, removal, busy):
        task_ids = [task_id for ev in busy for task_id in ev.task_ids]
        if not task_ids:
            for ev in busy:
                ev.ready = READY
            return
        tasks = removal.another(self.task_kind, task_ids)
        for ev in busy:
            ev.tasks = tasks  # set first: a failure half way still reports what was done to them
        tasks.carry_out()
        for ev in busy:
            done = all(entry["result"] in GONE_RESULTS or entry["result"] == "deleting"
                       for entry in entries(tasks, ev.task_ids))
            ev.ready = READY if done else FAILED


def send_action(removal, action, tasks):
    """Sends the task action (``stop``, ``clear``) to each task and notes on its Evidence (``ev.stop``,
    ``ev.clear``) whether the service accepted it; returns those it accepted."""
    accepted = []
    for ev in tasks:
        try:
            removal.client.task_action(ev.id, action)
        except SmsApiError as error:
            setattr(ev, action, UNKNOWN if error.uncertain else REJECTED)
            ev.error = error
            if error.status == 401:
                raise  # refused credentials: repeating them task by task could lock the access key
            continue
        setattr(ev, action, ACCEPTED)
        accepted.append(ev)
    return accepted


def clear_first(removal, tasks):
    """clear_snapshots: each task about to be deleted first has its snapshots cleared (the task action ``clear``),
    unless its source server says they are, then is read until its source server says ``cleared`` (or
    ``clearfailed``). A task whose clear is refused keeps its snapshots and is not deleted."""
    for ev in tasks:
        if snapshots_cleared(ev.last_seen or ev.record):
            ev.cleared = READY
    pending = send_action(removal, "clear", [ev for ev in tasks if ev.cleared is None])
    removal.watch(pending, "cleared", lambda latest: GONE if latest is None else READY if snapshots_cleared(latest)
                  else FAILED if (source_state(latest) or "").lower() == "clearfailed" else None)
