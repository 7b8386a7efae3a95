# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a removal reports, from what it learnt: the one rule that turns a record's evidence into its result and into
whether this run changed it (:func:`outcome`; docs/modules.md shows its table), and the module's result built from
those outcomes. Nothing else decides either.

A record's :class:`Evidence` is what the executor (removal.py) saw, sent and got back; each kind of record is a
:class:`Description`, data for the one executor.
"""

from dataclasses import dataclass
from typing import Callable, Optional

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import with_hint
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    BEING_DELETED,
    BLOCKED,
    REFUSED,
    REMOVE_TASKS_THEN_DELETE,
    STOP_THEN_DELETE,
    never_a_refusal,
    source_state,
)

KEEP = "keep"  # a source whose server still has tasks outside allowed_task_ids: not touched

# What a write's answer says about its effect.
ACCEPTED = "accepted"  # a success answer: the write took effect
REJECTED = "rejected"  # an error answer, and no attempt whose answer was lost: it took no effect
UNKNOWN = "unknown"  # the answer was lost, a server error, or a success status reporting a failure: it may have

# What a read says about a record.
GONE = "gone"  # SMS's own 404, or absent from a complete listing that showed it earlier in this run
DELETING = "deleting"  # still there, being deleted
THERE = "there"  # still there
UNREADABLE = "unreadable"  # the read failed
READY = "ready"  # deletable now (after a stop, or once its tasks are gone)
TIMED_OUT = "timed_out"  # wait_timeout passed first
FAILED = "failed"  # a source's tasks could not all be removed

FAILURES = ("refused", "failed", "would_be_refused", "timed_out", "not_attempted")
REMOVED = ("deleted", "stopped_and_deleted", "deleted_with_tasks", "would_delete", "would_stop_and_delete",
           "would_delete_tasks_and_delete")
GONE_RESULTS = ("absent", "vanished", "deleted", "stopped_and_deleted", "deleted_with_tasks")
CLEAN_UP_REMINDER = ("SMS deletes neither target servers nor clone servers (see left_behind), and the temporary disks "
                     "and synchronisation snapshots of a migration may remain: check them, they may still cost money.")


# Each result in the words of a sentence's end ("2 would be deleted"), for the summary of a run.
RESULT_WORDS = {
    "deleted": "deleted", "stopped_and_deleted": "stopped and deleted", "deleted_with_tasks": "deleted with their tasks",
    "absent": "absent", "vanished": "vanished", "deleting": "already being deleted", "kept": "kept",
    "refused": "refused", "failed": "failed", "timed_out": "timed out", "not_attempted": "not attempted",
    "would_delete": "would be deleted", "would_stop_and_delete": "would be stopped and deleted",
    "would_delete_tasks_and_delete": "would be deleted with their tasks", "would_be_refused": "would be refused",
}
AGAIN_TO_CONFIRM = "run the task again to confirm that it is gone, or raise wait_timeout"


@dataclass(frozen=True)
class Description:
    """What differs between the kinds of SMS record, as data for the one executor (kinds.py holds one per kind)."""

    api: object  # the client's Kind: paths, list key, nouns
    result_key: str  # "tasks": the list of entries in the result
    single_key: str  # "task": the record as first read, for a run on one id or a name
    plan_of: Callable  # (record, force) -> Plan
    summary_of: Callable  # the fields that decide deletion, for diffs
    identify: Callable  # what an entry tells of a found record besides its id
    readying: object  # how a busy record is made deletable with force (readying.py)
    # the defaults fit a kind that is never busy (server templates, migration projects)
    leftovers: Optional[Callable] = None  # what SMS does not delete with the record (None: nothing it tells)
    is_refusal_of: Callable = never_a_refusal  # is this error the service refusing a busy record?
    readied: str = "deleted"  # the result of a record made deletable first, then deleted
    readied_words: str = "deleted"
    list_items_complete: bool = True  # do list items carry what the rule needs?
    refusal_hint: str = ""  # after a refusal, without force
    forced_hint: str = ""  # after a refusal, with force
    reminder: Optional[str] = None  # added to the result when a removed record leaves something behind

    @property
    def noun(self):
        return self.api.noun

    def describe(self, record):
        return "%s %s (%s)" % (self.noun, record.get("id"), record.get("name"))


class Evidence:
    """What this run learnt about one record. The executor fills it in; only outcome() draws conclusions."""

    def __init__(self, record_id):
        self.id = record_id
        self.record = None  # as first read
        self.absent = False  # SMS's own 404 on the first read
        self.listed = False  # a listing of this run showed it
        self.plan = None  # the plan, once read
        self.outside = []  # a source's tasks outside allowed_task_ids
        self.task_ids = []  # a source's tasks, to remove first with force
        self.tasks = None  # the removal of a source's tasks (a Removal of tasks)
        self.stop = None  # the stop sent: ACCEPTED, REJECTED or UNKNOWN; None when none was sent
        self.ready = None  # after a stop or the tasks' removal: READY, GONE, TIMED_OUT or FAILED
        self.clear = None  # clear_snapshots: the clear sent (ACCEPTED, REJECTED or UNKNOWN); None when none was sent
        self.cleared = None  # clear_snapshots: READY (snapshots cleared), FAILED (clearfailed), GONE or TIMED_OUT
        self.delete = None  # the deletion sent (single, or batch and then single): ACCEPTED, REJECTED or UNKNOWN
        self.error = None  # the error of the write that failed last
        self.after = None  # a read after a failed deletion: GONE, DELETING, THERE or UNREADABLE
        self.read_error = None  # why that read failed
        self.wait = None  # the wait for the record to go: GONE or TIMED_OUT
        self.last_seen = None  # the record as last read while waiting


class Settings:
    """How the run was asked to go."""

    def __init__(self, kind, check_mode=False, force=False, wait=True, wait_timeout=300, clear_snapshots=False):
        self.kind = kind
        self.clear_snapshots = clear_snapshots
        self.check_mode = check_mode
        self.force = force
        self.wait = wait
        self.wait_timeout = wait_timeout


class Outcome:
    """A record's result, whether this run changed it, and why, in words."""

    def __init__(self, result, changed, msg, error=None):
        self.result = result
        self.changed = changed
        self.msg = msg
        self.error = error

    def __repr__(self):
        return "Outcome(%r, %r, %r)" % (self.result, self.changed, self.msg)


def wrote(ev):
    """True when a write of this run may have taken effect on the record (or on its tasks)."""
    tasks_changed = ev.tasks is not None and changed_by(ev.tasks)
    deleted = ev.delete == ACCEPTED or (ev.delete == UNKNOWN and ev.after != THERE)
    return ev.stop in (ACCEPTED, UNKNOWN) or ev.clear in (ACCEPTED, UNKNOWN) or tasks_changed or deleted


def seen_as(record):
    if record is None:
        return "an unknown state"
    if "current_task" in record or "migration_cycle" in record:
        return "state %s, migration cycle %s" % (record.get("state"), record.get("migration_cycle"))
    return "state %s, source server state %s" % (record.get("state"), source_state(record))


def predicted(ev, how, name):
    """Check mode: the plan, said as what would happen."""
    action, reason = ev.plan.action, ev.plan.reason
    if action == BEING_DELETED:
        return Outcome("deleting", False, "%s is already being deleted" % name)
    if action == REFUSED:
        return Outcome("would_be_refused", False, "%s cannot be deleted now: %s. %s" % (
            name, reason, how.kind.refusal_hint))
    clearing = " after its snapshots are cleared" if how.clear_snapshots and not snapshots_cleared(ev.record) else ""
    if action == STOP_THEN_DELETE:
        return Outcome("would_stop_and_delete", True, "%s would be stopped (%s) and then deleted%s" % (
            name, reason, clearing))
    if action == REMOVE_TASKS_THEN_DELETE:
        return Outcome("would_delete_tasks_and_delete", True, "%s would have its tasks stopped and deleted (%s), "
                       "and then be deleted" % (name, reason))
    return Outcome("would_delete", True, "%s would be deleted%s" % (name, clearing))


def outcome(ev, how):
    """The one rule: a record's evidence -> its result, whether this run changed it, and why.

    "Gone" needs SMS's own word about the id (a 404 ``SMS.<digits>`` to a read, or absence from a complete listing
    that showed it earlier in this run); "changed" is true once a write of this run may have taken effect.
    """
    kind = how.kind
    name = kind.describe(ev.record) if ev.record else "%s %s" % (kind.noun, ev.id)
    changed = wrote(ev)
    if ev.absent:
        return Outcome("absent", False, "%s is already absent" % name)
    if ev.plan is None:
        return Outcome("not_attempted", changed, "%s was not read: the run failed before its turn" % name)
    if ev.plan.action == BLOCKED:
        return Outcome("refused", False, "%s cannot be deleted: %s; nothing was sent" % (name, ev.plan.reason))
    if ev.plan.action == KEEP:
        return Outcome("kept", False, "%s is kept: its server still has tasks that this run was not asked to delete "
                       "(%s)" % (name, ", ".join(ev.outside)))
    if how.check_mode:
        return predicted(ev, how, name)
    if ev.plan.action == BEING_DELETED:
        if ev.wait == GONE:
            return Outcome("deleting", changed, "%s was already being deleted and is now gone" % name)
        if ev.wait == TIMED_OUT:
            return Outcome("timed_out", changed, "%s was already being deleted and is still present after %s, in %s. "
                           "%s" % (name, counted(how.wait_timeout, "second"), seen_as(ev.last_seen), AGAIN_TO_CONFIRM))
        return Outcome("deleting", changed, "%s is already being deleted" % name)
    readied = readying_outcome(ev, how, name, changed)
    if readied is not None:
        return readied
    cleared = clearing_outcome(ev, how, name, changed)
    if cleared is not None:
        return cleared
    if ev.delete is None:
        return Outcome("not_attempted", changed, "%s was not deleted: the run failed before its turn" % name)
    return deletion_outcome(ev, how, name, changed)


def readying_outcome(ev, how, name, changed):
    """outcome() of a busy record that was to be made deletable first (force), when that kept it; None when it was
    made ready (or needed nothing) and what follows decides."""
    if ev.stop in (REJECTED, UNKNOWN):
        return Outcome("failed", changed, with_hint(ev.error), ev.error)
    if ev.ready == FAILED:
        return Outcome("failed", changed, "%s: its tasks could not all be deleted: %s" % (name, "; ".join(
            "%s %s: %s" % (entry["id"], entry["result"], entry["msg"]) for entry in entries(ev.tasks, ev.task_ids)
            if entry["result"] not in GONE_RESULTS + ("deleting",))))
    if ev.ready == GONE:
        return Outcome("vanished", changed, "%s vanished before this run deleted it (SMS says it does not exist)" % name)
    if ev.ready == TIMED_OUT:
        stop = "its stop was accepted" if ev.stop == ACCEPTED else "it was already stopping"
        return Outcome("timed_out", changed, "%s timed out waiting to stop: %s, but after %s it was still not deletable, "
                       "in %s, and it was not deleted. Run the task again once it has stopped, or raise wait_timeout"
                       % (name, stop, counted(how.wait_timeout, "second"), seen_as(ev.last_seen)))
    return None


def clearing_outcome(ev, how, name, changed):
    """outcome() of a task whose snapshots were to be cleared first (clear_snapshots), when that kept it; None when
    they were cleared, or nothing was to be cleared, and the deletion decides."""
    if how.clear_snapshots and ev.plan.action == REFUSED:
        return Outcome("refused", changed, "%s cannot be deleted now: %s; with clear_snapshots nothing was sent for it, "
                       "neither a clear nor a deletion. %s" % (name, ev.plan.reason, how.kind.refusal_hint))
    if ev.clear in (REJECTED, UNKNOWN):
        fate = "may have been" if ev.clear == UNKNOWN else "were not"
        return Outcome("failed", changed, "%s was not deleted: its snapshots %s cleared, and deleting it would leave them "
                       "behind: %s" % (name, fate, with_hint(ev.error)), ev.error)
    if ev.cleared == FAILED:
        return Outcome("failed", changed, "%s was not deleted: clearing its snapshots failed (its source server is in "
                       "state clearfailed); see the SMS console for the snapshots left" % name)
    if ev.cleared == GONE:
        return Outcome("vanished", changed, "%s vanished while its snapshots were being cleared (SMS says it does not "
                       "exist)" % name)
    if ev.cleared == TIMED_OUT:
        return Outcome("timed_out", changed, "%s timed out clearing its snapshots: after %s it was still in %s, and it "
                       "was not deleted. Run the task again to delete it once they are cleared, or raise wait_timeout"
                       % (name, counted(how.wait_timeout, "second"), seen_as(ev.last_seen)))
    return None


def snapshots_cleared(task):
    """True when the task's source server says its snapshots are cleared already."""
    return (source_state(task or {}) or "").lower() == "cleared"


def deletion_outcome(ev, how, name, changed):
    """outcome() of a record whose deletion was sent: what came back, and what a read after it showed."""
    kind = how.kind
    readied = ev.ready == READY
    if ev.delete == ACCEPTED or (ev.delete == UNKNOWN and ev.after in (GONE, DELETING)):
        result, words = (kind.readied, kind.readied_words) if readied else ("deleted", "deleted")
        if ev.wait == TIMED_OUT:
            return Outcome("timed_out", True, "%s: its deletion was accepted, but it is still present after %s, in %s. "
                           "SMS may still be deleting it: %s" % (name, counted(how.wait_timeout, "second"),
                                                                 seen_as(ev.last_seen), AGAIN_TO_CONFIRM))
        if ev.wait == GONE or ev.after == GONE:
            return Outcome(result, True, "%s %s" % (name, words))
        if how.wait:
            return Outcome(result, True, "%s: its deletion was accepted by SMS; the run stopped before it was confirmed "
                           "gone" % name)
        return Outcome(result, True, "%s: its deletion was accepted by SMS, and not waited for (wait: false)" % name)
    if ev.after == GONE:
        return Outcome("vanished", changed, "%s vanished before this run deleted it (SMS says it does not exist)" % name)
    if ev.delete == UNKNOWN and ev.after in (None, UNREADABLE):
        why = ("reading it again failed too: %s" % ev.read_error.message() if ev.after == UNREADABLE
               else "the run stopped before it was read again")
        return Outcome("failed", True, "%s may have been deleted: %s; %s. Run the task again to find out" % (
            name, ev.error.message(), why), ev.error)
    refused = kind.is_refusal_of(ev.error, ev.record)
    hint = None
    if refused:
        busy = "It was read as busy: %s. " % ev.plan.reason if ev.plan.reason and not readied else ""
        hint = busy + (kind.forced_hint if readied else kind.refusal_hint)
    return Outcome("refused" if refused else "failed", changed, with_hint(ev.error, hint), ev.error)


def counted(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")


def outcomes_of(removal):
    return {record_id: outcome(removal.evidence[record_id], removal.how) for record_id in removal.ids}


def changed_by(removal):
    return any(done.changed for done in outcomes_of(removal).values())


def entries(removal, ids=None, outcomes=None):
    """One entry per record: its id, result and why, and what is known of it."""
    listed = []
    for record_id in removal.ids if ids is None else ids:
        ev = removal.evidence[record_id]
        done = outcomes[record_id] if outcomes else outcome(ev, removal.how)
        entry = {"id": record_id, "result": done.result, "msg": done.msg}
        if ev.record is not None:
            entry.update(removal.kind.identify(ev.record))
            if done.result in REMOVED and removal.kind.leftovers is not None:
                entry["left_behind"] = removal.kind.leftovers(ev.record)
        if done.error is not None:
            entry["error"] = done.error.to_dict()
        if removal.how.clear_snapshots and ev.record is not None:
            entry["snapshots_cleared"] = ev.cleared == READY
        if ev.outside or ev.task_ids:
            entry["task_ids"] = ev.outside or ev.task_ids
        if ev.tasks is not None:
            entry["tasks"] = entries(ev.tasks, ev.task_ids)
        listed.append(entry)
    return listed


def report(removal, single=False, diff=False):
    """The module's result; ``failed`` is true when a record could not be removed."""
    kind, outcomes = removal.kind, outcomes_of(removal)
    listed = entries(removal, outcomes=outcomes)
    counts = {}
    for done in outcomes.values():
        counts[done.result] = counts.get(done.result, 0) + 1
    tally = ", ".join("%d %s" % (count, RESULT_WORDS.get(result, result)) for result, count in sorted(counts.items()))
    failures = [entry for entry in listed if entry["result"] in FAILURES]
    result = {"changed": any(done.changed for done in outcomes.values()), kind.result_key: listed,
              "failed": bool(failures)}
    if single:
        result[kind.single_key] = removal.evidence[removal.ids[0]].record or {}
        result["msg"] = listed[0]["msg"]
        if "error" in listed[0]:
            result["error"] = listed[0]["error"]
    elif failures:
        result["msg"] = "Could not delete %d of %s (%s): %s" % (
            len(failures), counted(len(listed), kind.noun), tally,
            "; ".join("%s: %s" % (entry["id"], entry["msg"]) for entry in failures))
    else:
        result["msg"] = "%s: %s" % (counted(len(listed), kind.noun), tally)
    if kind.reminder and any(entry.get("left_behind") for entry in listed):
        result["reminder"] = kind.reminder
    if diff:
        result["diff"] = diff_of(removal, single, outcomes)
    return result


def diff_of(removal, single, outcomes):
    before, after = [], []
    for record_id in removal.ids:
        ev, result = removal.evidence[record_id], outcomes[record_id].result
        seen = removal.kind.summary_of(ev.record) if ev.record else {"id": record_id, "state": "absent"}
        before.append(seen)
        stays = result in FAILURES + ("kept", "deleting") and not (result == "deleting" and ev.wait == GONE)
        after.append(seen if stays else {"id": record_id, "state": "absent"})
    if single:
        return {"before": before[0], "after": after[0]}
    key = removal.kind.result_key
    return {"before": {key: before}, "after": {key: after}}
