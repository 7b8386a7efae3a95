# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When may an SMS migration task be deleted: the one place that knows the rule.

The service refuses to delete a task while the agent on the source server is
connected and the source server is busy (replicating, syncing, cloning, ...).
A task that carries no source server state is judged by its own state.
"""

BUSY_SOURCE_STATES = frozenset([
    "initialize", "stopping", "deleting", "cloning", "replicate", "syncing",
    "cutovering", "skipping", "clearing", "premiging",
])

BUSY_TASK_STATES = frozenset([
    "RUNNING", "SYNCING", "ABORTING", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING",
])


def source_state(task):
    """The source server's state as the service reported it, or None."""
    source = task.get("source_server") or {}
    return source.get("state") or None


def deletion_blocker(task):
    """Return why the service would refuse to delete ``task`` now, or None when it may be deleted.

    ``connected`` is only present when the task was read on its own (list
    items lack it); when it is unknown the agent is assumed connected, so a
    prediction errs on the side of "refused".
    """
    if task.get("connected") is False:
        return None
    agent = "its agent is connected" if task.get("connected") else "its agent may be connected"
    state = source_state(task)
    if state is not None:
        if state.lower() in BUSY_SOURCE_STATES:
            return "the source server is in state '%s' and %s" % (state, agent)
        return None
    if task.get("state") in BUSY_TASK_STATES:
        return "the task is in state '%s' and %s" % (task.get("state"), agent)
    return None


def being_deleted(task):
    """True when the service is already deleting the task (its own state, or its source server's, says so).

    Such a task needs no stop (the service would refuse one) and no second deletion: only waiting.
    """
    return task.get("state") == "DELETING" or (source_state(task) or "").lower() == "deleting"


def stop_under_way(task):
    """True when the source server is already stopping: a second stop is not sent (the service may refuse it)."""
    return (source_state(task) or "").lower() == "stopping"


def is_refusal(error, task):
    """True when ``error`` (an answer to a deletion) is the service refusing to delete ``task`` because it is busy.

    The legacy code SMS.2015 says so; v3 documents no code of its own, so an HTTP 400 counts as a refusal when the
    task was read as busy. Any other failure is just a failure.
    """
    return error.error_code == "SMS.2015" or (error.status == 400 and task is not None and
                                              deletion_blocker(task) is not None)


# What to do with a task, as plan() decides it.
ABSENT = "absent"  # SMS says it does not exist
BEING_DELETED = "being_deleted"  # the service is deleting it already: only wait
DELETE = "delete"  # the service would delete it now
STOP_THEN_DELETE = "stop_then_delete"  # busy, and force: stop it, wait until deletable, delete
REFUSED = "refused"  # busy, without force: the service would refuse (a real run still asks it, and reports)
BLOCKED = "blocked"  # the record's own fields say the service never deletes it: refused here, nothing is sent


class Plan:
    """The decision for one task: ``action`` (one of the five above) and, for a busy task, ``reason``."""

    def __init__(self, action, reason=None):
        self.action = action
        self.reason = reason

    def __repr__(self):
        return "Plan(%r, %r)" % (self.action, self.reason)


def plan(task, force=False):
    """The one decision about ``task`` (as read from the service, or None when SMS says it is absent).

    Check mode reports this plan; a real run carries it out; ``sms_task_info`` reports it as ``deletable``.
    """
    if task is None:
        return Plan(ABSENT)
    return decided(being_deleted(task), deletion_blocker(task), STOP_THEN_DELETE if force else REFUSED)


def decided(under_way, blocker, if_busy):
    """The plan for a record that exists: left to a deletion already under way, deleted, or (busy) ``if_busy``."""
    if under_way:
        return Plan(BEING_DELETED)
    if blocker is None:
        return Plan(DELETE)
    return Plan(if_busy, blocker)


def deletable(task):
    """True or False by the rule; None when the data cannot tell (a busy task whose agent connection is unknown)."""
    return verdict(deletion_blocker(task), task)


def verdict(blocker, record):
    """Deletable: True without a blocker; else False when the agent is known to be connected, None when unknown."""
    if blocker is None:
        return True
    return False if record.get("connected") else None


def summary(task):
    """The fields that decide deletion, for diffs and messages."""
    return {
        "id": task.get("id"),
        "name": task.get("name"),
        "state": task.get("state"),
        "source_server_state": source_state(task),
        "connected": task.get("connected"),
    }


# Source servers: the record each migrated server leaves behind (sms-api.md section 10). The service documents no
# rule for deleting one; the collection applies the task rule to the source's current task, since a source busy
# migrating is what the service is known to refuse.
REMOVE_TASKS_THEN_DELETE = "remove_tasks_then_delete"  # busy, and force: delete the source's tasks first


def as_task(server):
    """A source server seen as the task rule sees a task: its agent, its own state, its current task's state."""
    current = server.get("current_task") or {}
    return {"id": current.get("id"), "name": current.get("name"), "state": current.get("state"),
            "connected": server.get("connected"), "source_server": {"state": server.get("state")}}


def source_blocker(server):
    """Why the service would refuse to delete ``server`` now (its current task is busy), or None."""
    if not server.get("current_task"):
        return None
    return deletion_blocker(as_task(server))


def source_plan(server, force=False):
    """The decision about a source server (None when SMS says it is absent), as plan() for a task.

    A source with no current task whose state is ``deleting`` is being deleted already. A busy current task
    makes the deletion refused, or with ``force`` its tasks are deleted first.
    """
    if server is None:
        return Plan(ABSENT)
    under_way = not server.get("current_task") and (server.get("state") or "").lower() == "deleting"
    return decided(under_way, source_blocker(server), REMOVE_TASKS_THEN_DELETE if force else REFUSED)


def source_deletable(server):
    """True or False by the rule; None when the data cannot tell (agent connection unknown)."""
    return verdict(source_blocker(server), server)


def is_source_refusal(error, server):
    """True when ``error`` (an answer to a deletion) is the service refusing to delete the busy ``server``."""
    return is_refusal(error, as_task(server) if server and server.get("current_task") else None)


def source_summary(server):
    """The fields that decide a source's deletion, for diffs and messages."""
    current = server.get("current_task") or {}
    return {
        "id": server.get("id"),
        "name": server.get("name"),
        "state": server.get("state"),
        "connected": server.get("connected"),
        "migration_cycle": server.get("migration_cycle"),
        "current_task": {"id": current.get("id"), "state": current.get("state")} if current else None,
    }


def servers_of(task):
    """What a task created that SMS deletes neither with the task nor with its source's record, as far as the API
    tells: the target server (the migrated server), any clone server, and the target snapshot; None where there is
    none."""
    return {
        "target_server_vm_id": (task.get("target_server") or {}).get("vm_id") or None,
        "clone_server_vm_id": (task.get("clone_server") or {}).get("vm_id") or None,
        "target_snapshot_id": task.get("target_snapshot_id") or None,
    }


def left_behind(server):
    """What SMS does not delete with a source record: the servers of its current task."""
    return servers_of(server.get("current_task") or {})


# Server templates (sms-api.md section 11): the service documents no rule that keeps one; it decides.
def template_plan(template, force=False):
    """The decision about a server template (None when SMS says it is absent): delete it; the service decides."""
    return Plan(ABSENT) if template is None else Plan(DELETE)


def template_summary(template):
    return {"id": template.get("id"), "name": template.get("name"),
            "availability_zone": template.get("availability_zone"), "is_template": template.get("is_template")}


# Migration projects (sms-api.md section 11): only a project without servers can be deleted, never the default one.
def project_blocker(project):
    """Why SMS would never delete ``project`` as it is, from its own fields, or None."""
    if truthy(project.get("isdefault")):
        return "it is the default migration project, which SMS never deletes"
    if truthy(project.get("exist_server")):
        return ("it still has servers (exist_server), and SMS deletes only empty projects: remove its source servers "
                "first")
    return None


def truthy(value):
    """A flag as the service may send it: a boolean, or a string such as "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def project_plan(project, force=False):
    """The decision about a migration project (None when SMS says it is absent): refused here when its own fields
    say SMS would not delete it (in check mode too, with nothing sent), else delete it."""
    if project is None:
        return Plan(ABSENT)
    blocker = project_blocker(project)
    return Plan(DELETE) if blocker is None else Plan(BLOCKED, blocker)


def project_summary(project):
    return {"id": project.get("id"), "name": project.get("name"), "isdefault": project.get("isdefault"),
            "exist_server": project.get("exist_server")}


def never_a_refusal(error, record):
    """No service error is taken for a refusal of a busy record: these records are never busy."""
    return False
