# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing SMS records: one executor for every kind of record and every way of naming them (one id, a name, a
list of ids: a single record is a list of one).

The executor reads the records, plans (task_rules), and in a real run carries the plan out. For every record it
writes down what this run saw, what it sent and what came back: the record's :class:`Evidence`. One function,
:func:`outcome`, turns a record's evidence into its reported result and into whether this run changed it; nothing
else decides either. docs/modules.md shows its table.
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import BATCH_SIZE, LIST_PAGE_SIZE, SOURCES, TASKS
from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsFailure, with_hint
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    ABSENT,
    BEING_DELETED,
    DELETE,
    REFUSED,
    REMOVE_TASKS_THEN_DELETE,
    STOP_THEN_DELETE,
    Plan,
    deletion_blocker,
    is_refusal,
    is_source_refusal,
    left_behind,
    plan,
    servers_of,
    source_plan,
    source_state,
    source_summary,
    stop_under_way,
    summary,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.waiting import wait_until

FEW_IDS = 3  # up to this many ids are read one by one; more are found in list pages
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


class Description:
    """What differs between the kinds of SMS record, as data for the one executor."""

    def __init__(self, api, result_key, single_key, plan_of, summary_of, identify, leftovers, is_refusal_of,
                 readied, readied_words, list_items_complete, refusal_hint, forced_hint):
        self.api = api  # the client's Kind: paths, list key, nouns
        self.noun = api.noun
        self.result_key = result_key  # "tasks": the list of entries in the result
        self.single_key = single_key  # "task": the record as first read, for a run on one id or a name
        self.plan_of = plan_of
        self.summary_of = summary_of  # the fields that decide deletion, for diffs
        self.identify = identify  # what an entry tells of a found record besides its id
        self.leftovers = leftovers  # what SMS does not delete with the record
        self.is_refusal_of = is_refusal_of  # is this error the service refusing a busy record?
        self.readied = readied  # the result of a record made deletable first, then deleted
        self.readied_words = readied_words
        self.list_items_complete = list_items_complete  # do list items carry what the rule needs?
        self.refusal_hint = refusal_hint  # after a refusal, without force
        self.forced_hint = forced_hint  # after a refusal, with force

    def describe(self, record):
        return "%s %s (%s)" % (self.noun, record.get("id"), record.get("name"))


TASK = Description(
    TASKS, "tasks", "task", plan, summary,
    lambda task: {"name": task.get("name"), "source_server_id": (task.get("source_server") or {}).get("id")},
    servers_of, is_refusal, "stopped_and_deleted", "stopped and deleted", False,
    "Stop the task first, or set force: true to stop it and then delete it.",
    "The service refused the deletion although the task was stopped: try again later.")

SOURCE = Description(
    SOURCES, "source_servers", "source_server", source_plan, source_summary,
    lambda source: {"name": source.get("name")},
    left_behind, is_source_refusal, "deleted_with_tasks", "deleted with its tasks", True,
    "Stop the source server's migration task first, or set force: true to stop and delete the source server's "
    "tasks and then the record.",
    "The service refused the deletion although the source server's tasks were deleted: try again later.")


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
        self.delete = None  # the deletion sent (single, or batch and then single): ACCEPTED, REJECTED or UNKNOWN
        self.error = None  # the error of the write that failed last
        self.after = None  # a read after a failed deletion: GONE, DELETING, THERE or UNREADABLE
        self.read_error = None  # why that read failed
        self.wait = None  # the wait for the record to go: GONE or TIMED_OUT
        self.last_seen = None  # the record as last read while waiting


class Settings:
    """How the run was asked to go."""

    def __init__(self, kind, check_mode=False, force=False, wait=True, wait_timeout=300):
        self.kind = kind
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
    tasks_changed = ev.tasks is not None and ev.tasks.changed()
    deleted = ev.delete == ACCEPTED or (ev.delete == UNKNOWN and ev.after != THERE)
    return ev.stop in (ACCEPTED, UNKNOWN) or tasks_changed or deleted


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
    if action == STOP_THEN_DELETE:
        return Outcome("would_stop_and_delete", True, "%s would be stopped (%s) and then deleted" % (name, reason))
    if action == REMOVE_TASKS_THEN_DELETE:
        return Outcome("would_delete_tasks_and_delete", True, "%s would have its tasks stopped and deleted (%s), "
                       "and then be deleted" % (name, reason))
    return Outcome("would_delete", True, "%s would be deleted" % name)


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
    if ev.plan.action == KEEP:
        return Outcome("kept", False, "%s is kept: its server still has tasks that this run was not asked to delete "
                       "(%s)" % (name, ", ".join(ev.outside)))
    if how.check_mode:
        return predicted(ev, how, name)
    if ev.plan.action == BEING_DELETED:
        if ev.wait == GONE:
            return Outcome("deleting", changed, "%s was already being deleted and is now gone" % name)
        if ev.wait == TIMED_OUT:
            return Outcome("timed_out", changed, "%s was already being deleted and is still present after %d "
                           "seconds, in %s" % (name, how.wait_timeout, seen_as(ev.last_seen)))
        return Outcome("deleting", changed, "%s is already being deleted" % name)
    if ev.stop in (REJECTED, UNKNOWN):
        return Outcome("failed", changed, with_hint(ev.error), ev.error)
    if ev.ready == FAILED:
        return Outcome("failed", changed, "%s: its tasks could not all be deleted: %s" % (name, "; ".join(
            "%s %s: %s" % (entry["id"], entry["result"], entry["msg"]) for entry in ev.tasks.entries(ev.task_ids)
            if entry["result"] not in GONE_RESULTS + ("deleting",))))
    if ev.ready == GONE:
        return Outcome("vanished", changed, "%s vanished before this run deleted it (SMS says it does not exist)" % name)
    if ev.ready == TIMED_OUT:
        return Outcome("timed_out", changed, "%s timed out after %d seconds waiting to stop and become deletable; "
                       "it was last seen in %s" % (name, how.wait_timeout, seen_as(ev.last_seen)))
    if ev.delete is None:
        return Outcome("not_attempted", changed, "%s was not deleted: the run failed before its turn" % name)
    readied = ev.ready == READY
    if ev.delete == ACCEPTED or (ev.delete == UNKNOWN and ev.after in (GONE, DELETING)):
        result, words = (kind.readied, kind.readied_words) if readied else ("deleted", "deleted")
        if ev.wait == TIMED_OUT:
            return Outcome("timed_out", True, "%s: its deletion was accepted, but it is still present after %d "
                           "seconds, in %s" % (name, how.wait_timeout, seen_as(ev.last_seen)))
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


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


def pages_for(records):
    """How many list pages hold ``records`` records."""
    return -(-max(records, 0) // LIST_PAGE_SIZE)


def counted(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")


class Removal:
    """Remove the records ``ids`` of one kind: read with the fewest requests, plan, and (unless in check mode) make
    busy records deletable (force), delete (in batches when there are several), and confirm (wait)."""

    def __init__(self, client, how, ids, allowed_task_ids=None, sleep=None):
        self.client = client
        self.how = how
        self.kind = how.kind
        self.ids = list(dict.fromkeys(ids))
        self.evidence = {record_id: Evidence(record_id) for record_id in self.ids}
        self.allowed = None if allowed_task_ids is None else set(allowed_task_ids)
        self.sleep = sleep or client.sleep
        self.account_size = None  # records of this kind in the account, as the last list page counted them

    # ---- the run ----

    def run(self, single=False, diff=False):
        """Carry the removal out and return the module's result; SmsFailure (with the result so far) when a record
        could not be removed or the run could not go on."""
        try:
            self.carry_out()
        except SmsApiError as error:
            result = self.result(single, diff)
            for key in ("failed", "msg", "error"):
                result.pop(key, None)
            raise SmsFailure(error.message(), cause=error, **result)
        result = self.result(single, diff)
        if result.pop("failed"):
            raise SmsFailure(result.pop("msg"), **result)
        return result

    def carry_out(self):
        self.read()
        self.plan()
        if self.how.check_mode:
            return
        self.make_ready()
        self.delete()
        self.confirm()

    def read(self):
        """Each record as the service knows it, by the cheaper read (see find_in_pages)."""
        if len(self.ids) <= FEW_IDS:
            for record_id in self.ids:
                self.first_read(record_id, self.client.get_record(self.kind.api, record_id))
            return
        found, _complete = self.find_in_pages(set(self.ids))
        for record_id in self.ids:
            record = found.get(record_id)
            # list items of tasks lack "connected": a busy one is read on its own; one not listed is read on its
            # own too ("absent" only on SMS's own word)
            if record is None or (not self.kind.list_items_complete and
                                  self.kind.plan_of(record, False).action == REFUSED):
                record = self.client.get_record(self.kind.api, record_id)
            self.first_read(record_id, record)

    def first_read(self, record_id, record):
        ev = self.evidence[record_id]
        ev.record, ev.absent = record, record is None

    def plan(self):
        for ev in self.evidence.values():
            ev.plan = self.kind.plan_of(ev.record, self.how.force) if ev.record is not None else Plan(ABSENT)
        if self.allowed is not None:
            self.keep_sources_with_other_tasks()
        elif self.how.force:
            for ev in self.planned(REMOVE_TASKS_THEN_DELETE):
                ev.task_ids = self.tasks_of([ev])[ev.id]

    def planned(self, *actions):
        return [ev for ev in self.evidence.values() if ev.plan is not None and ev.plan.action in actions]

    def keep_sources_with_other_tasks(self):
        """allowed_task_ids: a source whose server still has a task outside them is kept, untouched."""
        found = self.planned(DELETE, REFUSED, REMOVE_TASKS_THEN_DELETE, BEING_DELETED)
        tasks = self.tasks_of(found)
        for ev in found:
            ev.outside = [task_id for task_id in tasks[ev.id] if task_id not in self.allowed]
            ev.task_ids = tasks[ev.id]
            if ev.outside:
                ev.plan = Plan(KEEP, "its server still has other tasks")

    def tasks_of(self, sources):
        """The ids of each source's tasks: those listed for it (the filter checked again here, since a service or
        gateway may ignore it) and its current task (a listing may hide a task). Few sources: one filtered listing
        each; more: one listing of every task."""
        if len(sources) <= FEW_IDS:
            listed = {ev.id: self.client.list_tasks(source_server_id=ev.id) for ev in sources}
        else:
            everything = self.client.list_tasks()
            listed = {ev.id: everything for ev in sources}
        tasks = {}
        for ev in sources:
            ids = [task["id"] for task in listed[ev.id] if (task.get("source_server") or {}).get("id") == ev.id]
            current = (ev.record.get("current_task") or {}).get("id")
            tasks[ev.id] = list(dict.fromkeys(ids + ([current] if current else [])))
        return tasks

    # ---- making busy records deletable (force) ----

    def make_ready(self):
        if self.kind is TASK:
            self.stop(self.planned(STOP_THEN_DELETE))
        else:
            self.remove_tasks_first(self.planned(REMOVE_TASKS_THEN_DELETE))

    def stop(self, busy):
        """Stop busy tasks (not one already stopping) and wait until the service would delete them."""
        pending = []
        for ev in busy:
            if not stop_under_way(ev.record):
                try:
                    self.client.task_action(ev.id, "stop")
                except SmsApiError as error:
                    ev.stop, ev.error = (UNKNOWN if error.uncertain else REJECTED), error
                    if error.status == 401:
                        raise  # refused credentials: repeating them task by task could lock the access key
                    continue
                ev.stop = ACCEPTED
            pending.append(ev)
        self.wait_until_deletable(pending)

    def wait_until_deletable(self, pending):
        def all_deletable():
            seen = self.still_there([ev.id for ev in pending])
            for ev in list(pending):
                latest = seen.get(ev.id)
                if latest is None:
                    ev.ready = GONE
                elif deletion_blocker(latest) is None:
                    ev.ready = READY
                else:
                    ev.last_seen = latest
                    continue
                pending.remove(ev)
            return not pending

        if pending and not self.wait(all_deletable):
            for ev in pending:
                ev.ready = TIMED_OUT

    def remove_tasks_first(self, busy):
        """Busy sources, with force: their tasks removed as sms_task with force removes them (one removal for all of
        them); a source is ready once its tasks are all gone."""
        task_ids = [task_id for ev in busy for task_id in ev.task_ids]
        if not task_ids:
            for ev in busy:
                ev.ready = READY
            return
        tasks = Removal(self.client, Settings(TASK, force=True, wait=True, wait_timeout=self.how.wait_timeout),
                        task_ids, sleep=self.sleep)
        for ev in busy:
            ev.tasks = tasks  # set first: a failure half way still reports what was done to them
        tasks.carry_out()
        for ev in busy:
            done = all(entry["result"] in GONE_RESULTS or entry["result"] == "deleting"
                       for entry in tasks.entries(ev.task_ids))
            ev.ready = READY if done else FAILED

    # ---- deleting ----

    def delete(self):
        ready = self.planned(DELETE) + [ev for ev in self.planned(STOP_THEN_DELETE, REMOVE_TASKS_THEN_DELETE)
                                        if ev.ready == READY]
        if len(ready) > 1:
            for batch in chunks(ready, BATCH_SIZE):
                self.delete_batch(batch)
        else:
            for ev in ready:
                self.delete_one(ev)
        # Predicted refusals still go to the service, which decides, one by one.
        for ev in self.planned(REFUSED):
            self.delete_one(ev)

    def delete_batch(self, batch):
        try:
            self.client.delete_records(self.kind.api, [ev.id for ev in batch])
        except SmsApiError as error:
            if error.status == 401:
                for ev in batch:
                    ev.delete, ev.error = REJECTED, error
                raise  # refused credentials: asking record by record would only repeat that
            # Refused, denied (an account may delete one by one but not in batches), or its fate unknown (a batch
            # may delete some ids and then fail): ask record by record, so that every outcome is attributed.
            fate = REJECTED if error.status == 403 else UNKNOWN
            for ev in batch:
                ev.delete, ev.error = fate, error  # until its own deletion says more
            for ev in batch:
                self.delete_one(ev, earlier=fate)
            return
        for ev in batch:
            ev.delete = ACCEPTED

    def delete_one(self, ev, earlier=None):
        try:
            self.client.delete_record(self.kind.api, ev.id)
        except SmsApiError as error:
            ev.error = error
            ev.delete = UNKNOWN if error.uncertain or earlier == UNKNOWN else REJECTED
            if error.status == 401:
                raise  # refused credentials: repeating them record by record could lock the access key
            if error.status == 404 or ev.delete == UNKNOWN:
                self.read_again(ev)  # a 404 to a write may mean something else (SMS.2252); a lost answer decides nothing
            return
        ev.delete = ACCEPTED

    def read_again(self, ev):
        try:
            latest = self.client.get_record(self.kind.api, ev.id)
        except SmsApiError as error:
            ev.after, ev.read_error = UNREADABLE, error
            return
        if latest is None:
            ev.after = GONE
        else:
            ev.last_seen = latest
            ev.after = DELETING if self.is_being_deleted(latest) else THERE

    def is_being_deleted(self, record):
        return self.kind.plan_of(record, False).action == BEING_DELETED

    # ---- confirming ----

    def confirm(self):
        """With wait: every record whose deletion was accepted (or was under way before the run) until SMS says it
        is gone."""
        if not self.how.wait:
            return
        pending = [ev for ev in self.evidence.values() if ev.plan.action == BEING_DELETED or ev.delete == ACCEPTED
                   or (ev.delete == UNKNOWN and ev.after == DELETING)]

        def all_gone():
            seen = self.still_there([ev.id for ev in pending])
            for ev in list(pending):
                if ev.id in seen:
                    ev.last_seen = seen[ev.id]
                else:
                    ev.wait = GONE
                    pending.remove(ev)
            return not pending

        if pending and not self.wait(all_gone):
            for ev in pending:
                ev.wait = TIMED_OUT

    def wait(self, condition):
        """``condition`` true within wait_timeout (looks at once, then after growing pauses)?"""
        return wait_until(condition, self.how.wait_timeout, sleep=self.sleep)

    def still_there(self, ids):
        """Those of ``ids`` that still exist, each as last read, by the cheaper read.

        Fewer ids than the account has pages: each is read on its own, and SMS's own 404 says it is gone. Otherwise
        list pages; a record they do not show is gone only when the pages were read to the end unchanged and a
        listing of this run showed it before (a listing shows only what these credentials may see); any other is
        read on its own.
        """
        if len(ids) <= FEW_IDS or (self.account_size is not None and pages_for(self.account_size) >= len(ids)):
            return self.read_each(ids)
        seen, complete = self.find_in_pages(set(ids))
        unproven = [record_id for record_id in ids
                    if record_id not in seen and not (complete and self.evidence[record_id].listed)]
        seen.update(self.read_each(unproven))
        return seen

    def read_each(self, ids):
        seen = {}
        for record_id in ids:
            record = self.client.get_record(self.kind.api, record_id)
            if record is not None:
                seen[record_id] = record
        return seen

    def find_in_pages(self, wanted):
        """The records of ``wanted`` that list pages show, and whether the pages were read to the end unchanged.

        The first page tells how many records the account holds. Pages are read on only while the pages left are
        fewer than the wanted ids not seen yet (none unseen: no page more); the rest is cheaper read one by one. A
        count that changes, or an id seen twice, means the pages shifted: the result is then not complete.
        """
        found, read, stable = {}, 0, True
        for items, count, steady in self.client.record_pages(self.kind.api):
            stable = steady
            self.account_size = count
            read += len(items)
            for item in items:
                if item["id"] in wanted:
                    found[item["id"]] = item
                    self.evidence[item["id"]].listed = True
            unseen = len(wanted) - len(found)
            if not unseen or pages_for(count - read) >= unseen:
                return found, False
        return found, stable

    # ---- reporting ----

    def outcomes(self):
        return {record_id: outcome(self.evidence[record_id], self.how) for record_id in self.ids}

    def changed(self):
        return any(done.changed for done in self.outcomes().values())

    def entries(self, ids=None):
        """One entry per record: its id, result and why, and what is known of it."""
        entries = []
        for record_id in self.ids if ids is None else ids:
            ev, done = self.evidence[record_id], outcome(self.evidence[record_id], self.how)
            entry = {"id": record_id, "result": done.result, "msg": done.msg}
            if ev.record is not None:
                entry.update(self.kind.identify(ev.record))
                if done.result in REMOVED:
                    entry["left_behind"] = self.kind.leftovers(ev.record)
            if done.error is not None:
                entry["error"] = done.error.to_dict()
            if ev.outside:
                entry["task_ids"] = ev.outside
            elif ev.task_ids:
                entry["task_ids"] = ev.task_ids
            if ev.tasks is not None:
                entry["tasks"] = ev.tasks.entries(ev.task_ids)
            entries.append(entry)
        return entries

    def result(self, single=False, diff=False):
        """The module's result; ``failed`` is true when a record could not be removed."""
        outcomes = self.outcomes()
        entries = self.entries()
        counts = {}
        for done in outcomes.values():
            counts[done.result] = counts.get(done.result, 0) + 1
        tally = ", ".join("%d %s" % (count, result.replace("_", " ")) for result, count in sorted(counts.items()))
        failures = [entry for entry in entries if entry["result"] in FAILURES]
        result = {"changed": any(done.changed for done in outcomes.values()), self.kind.result_key: entries,
                  "failed": bool(failures)}
        if single:
            ev = self.evidence[self.ids[0]]
            result[self.kind.single_key] = ev.record or {}
            result["msg"] = entries[0]["msg"]
            if "error" in entries[0]:
                result["error"] = entries[0]["error"]
        elif failures:
            result["msg"] = "Could not delete %d of %s (%s): %s" % (
                len(failures), counted(len(entries), self.kind.noun), tally,
                "; ".join("%s: %s" % (entry["id"], entry["msg"]) for entry in failures))
        else:
            result["msg"] = "%s: %s" % (counted(len(entries), self.kind.noun), tally)
        if any(entry.get("left_behind") for entry in entries) and self.kind is SOURCE:
            result["reminder"] = CLEAN_UP_REMINDER
        if diff:
            result["diff"] = self.diff(single, outcomes)
        return result

    def diff(self, single, outcomes):
        before, after = [], []
        for record_id in self.ids:
            ev = self.evidence[record_id]
            seen = self.kind.summary_of(ev.record) if ev.record else {"id": record_id, "state": "absent"}
            before.append(seen)
            kept = outcomes[record_id].result in FAILURES + ("kept", "deleting") and \
                not (outcomes[record_id].result == "deleting" and ev.wait == GONE)
            after.append(seen if kept else {"id": record_id, "state": "absent"})
        if single:
            return {"before": before[0], "after": after[0]}
        return {"before": {self.kind.result_key: before}, "after": {self.kind.result_key: after}}


def remove(sms, kind, one, many, allowed_task_ids=None):
    """What sms_task and sms_source_server do: remove the records named by option ``one``, ``many`` or ``name``."""
    params = sms.params
    if params["name"] is not None:
        try:
            ids = named(sms.client, kind, params["name"], many)
        except SmsApiError as error:
            raise SmsFailure(error.message(), cause=error, changed=False, **{kind.result_key: [], kind.single_key: {}})
        if not ids:
            return {"changed": False, kind.result_key: [], kind.single_key: {},
                    "msg": "No %s named %r is visible to these credentials (a listing shows only what they may see, "
                           "such as the records of their enterprise projects): nothing was deleted" % (
                               kind.noun, params["name"])}
    else:
        ids = params[many] if params[many] is not None else [params[one]]
    how = Settings(kind, check_mode=sms.module.check_mode, force=params["force"], wait=params["wait"],
                   wait_timeout=params["wait_timeout"])
    removal = Removal(sms.client, how, ids, allowed_task_ids=allowed_task_ids)
    return removal.run(single=params[many] is None, diff=sms.module._diff)  # pylint: disable=protected-access


def named(client, kind, name, many):
    """The id of the one record named exactly ``name`` (a list, empty when none is visible); several fail."""
    matches = [listed["id"] for listed in client.list_records(kind.api, name=name) if listed.get("name") == name]
    if len(matches) > 1:
        raise SmsFailure("%d %ss are named %r, so none was deleted; name one by %s: %s" % (
            len(matches), kind.noun, name, many[:-1], ", ".join(matches)), changed=False,
            **{kind.result_key: [], kind.single_key: {}, many: matches})
    return matches


__all__ = ["Removal", "Settings", "Evidence", "Outcome", "outcome", "remove", "TASK", "SOURCE"]
