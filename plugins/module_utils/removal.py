# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing SMS records: find them, plan (task_rules), and in check mode report the plan, in a real run carry it
out. One task (TaskRemover), many tasks in batches (BulkRemover), source servers in batches (SourceRemover, which
removes a busy source's tasks through BulkRemover when forced)."""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import BATCH_SIZE, LIST_PAGE_SIZE, SOURCES, TASKS
from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, with_hint
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    ABSENT,
    BEING_DELETED,
    DELETE,
    REFUSED,
    REMOVE_TASKS_THEN_DELETE,
    STOP_THEN_DELETE,
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
REFUSAL_HINT = "Stop the task first, or set force: true to stop it and then delete it."
SOURCE_REFUSAL_HINT = ("Stop the source server's migration task first, or set force: true to stop and delete the "
                       "source server's tasks and then the record.")
CLEAN_UP_REMINDER = ("SMS deletes neither target servers nor clone servers (see left_behind), and the temporary disks "
                     "and synchronisation snapshots of a migration may remain: check them, they may still cost money.")


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


def describe(task):
    return "SMS task %s (%s)" % (task.get("id"), task.get("name"))


def seen_as(task):
    return "state %s, source server state %s" % (task.get("state"), source_state(task))


def pages_for(tasks):
    """How many list pages hold ``tasks`` tasks."""
    return -(-max(tasks, 0) // LIST_PAGE_SIZE)


def refusal_hint(blocker):
    return "%s%s" % ("The task is busy: %s. " % blocker if blocker else "", REFUSAL_HINT)


class Remover:
    """What both removers share: the module, its client and options, and whether anything changed yet."""

    def __init__(self, sms):
        self.sms = sms
        self.client = sms.client
        self.params = sms.params
        self.check_mode = sms.module.check_mode
        self.changed = False  # becomes true once a request that changes a task was accepted

    def wait(self, condition):
        """``condition`` true within wait_timeout (looks at once, then after growing pauses)?"""
        return wait_until(condition, self.params["wait_timeout"], sleep=self.client.sleep)


class TaskRemover(Remover):
    """``task_id`` or ``name``: find the task, plan, act, report: the behaviour table of the module."""

    def __init__(self, sms):
        super().__init__(sms)
        self.task = None

    def partial(self):
        """What is known so far, for a failure half way."""
        return {"task": self.task or {}}

    def find(self):
        if self.params["task_id"] is not None:
            return self.client.get_task(self.params["task_id"])
        name = self.params["name"]
        matches = [task for task in self.client.list_tasks(name=name) if task.get("name") == name]
        if len(matches) > 1:
            self.sms.fail("%d SMS tasks are named %r, so none was deleted; name one by task_id: %s"
                          % (len(matches), name, ", ".join(task["id"] for task in matches)),
                          task={}, task_ids=[task["id"] for task in matches])
        # List items lack "connected", which the deletion rule needs: read the task itself.
        return self.client.get_task(matches[0]["id"]) if matches else None

    def run(self):
        task = self.task = self.find()
        decided = plan(task, self.params["force"])
        if decided.action == ABSENT:
            wanted = self.params["task_id"] or "named %r" % self.params["name"]
            return self.result(False, "SMS task %s is already absent" % wanted, None, gone=True)
        if decided.action == BEING_DELETED:
            if self.params["wait"] and not self.check_mode:
                self.wait_until_gone(task)
                return self.result(False, "%s was already being deleted and is now gone" % describe(task), task)
            return self.result(False, "%s is already being deleted" % describe(task), task, gone=False)
        return self.predict(task, decided) if self.check_mode else self.execute(task, decided)

    def predict(self, task, decided):
        """Check mode: the plan, said as what would happen."""
        if decided.action == REFUSED:
            self.sms.fail("%s cannot be deleted now: %s. %s" % (describe(task), decided.reason, REFUSAL_HINT), task=task)
        if decided.action == STOP_THEN_DELETE:
            return self.result(True, "%s would be stopped (%s) and then deleted" % (describe(task), decided.reason), task)
        return self.result(True, "%s would be deleted" % describe(task), task)

    def execute(self, task, decided):
        """A real run: stop first when the plan says so, then delete (a predicted refusal still asks the service)."""
        stopped = ""
        if decided.action == STOP_THEN_DELETE:
            if not stop_under_way(task):
                self.client.task_action(task["id"], "stop")
                self.changed = True
            stopped = "stopped and "
            if not self.wait_until_deletable(task):
                return self.result(True, "%s was stopped and vanished before it was deleted" % describe(task), task)
        try:
            deleted = self.client.delete_record(TASKS, task["id"])
        except SmsApiError as error:
            if not is_refusal(error, task):
                raise
            self.sms.fail_api(error, hint=refusal_hint(decided.reason), changed=self.changed, **self.partial())
        if not deleted:
            return self.result(self.changed, "%s %svanished before it was deleted" % (describe(task), stopped), task)
        self.changed = True
        if self.params["wait"]:
            self.wait_until_gone(task)
        return self.result(True, "%s %sdeleted" % (describe(task), stopped), task)

    def poll(self, task, done, waiting_for):
        """Read the task until ``done(task_or_None)``; fail after wait_timeout naming the last state seen."""
        seen = {"task": task}

        def condition():
            seen["task"] = self.client.get_task(task["id"])
            return done(seen["task"])

        if not self.wait(condition):
            self.sms.fail("Timed out after %d seconds waiting for %s %s; it was last seen in %s"
                          % (self.params["wait_timeout"], describe(task), waiting_for, seen_as(seen["task"])), task=task,
                          changed=self.changed)
        return seen["task"]

    def wait_until_gone(self, task):
        self.poll(task, lambda latest: latest is None, "to be deleted")

    def wait_until_deletable(self, task):
        """After a stop: True once the service would allow the deletion, False if the task vanished."""
        latest = self.poll(task, lambda latest: latest is None or deletion_blocker(latest) is None,
                           "to stop and become deletable")
        return latest is not None

    def result(self, changed, msg, task, gone=True):
        """The module's result; ``gone`` says whether the task is (or in check mode would be) absent afterwards."""
        result = {"changed": changed, "msg": msg, "task": task or {}}
        if self.sms.module._diff:
            before = summary(task) if task else {"id": self.params["task_id"], "state": "absent"}
            after = {"id": before["id"], "state": "absent"} if gone else before
            result["diff"] = {"before": before, "after": after}
        return result


# a planned record's result in check mode (and until the run carries the plan out)
PREDICTED = {ABSENT: "absent", BEING_DELETED: "deleting", DELETE: "would_delete",
             STOP_THEN_DELETE: "would_stop_and_delete", REFUSED: "would_be_refused",
             REMOVE_TASKS_THEN_DELETE: "would_delete_tasks_and_delete"}


class BulkRemover(Remover):
    """``task_ids``: read with the fewest requests, delete in batches, and attribute every outcome to its task.

    The subclass SourceRemover does the same for source servers; what differs is said by the class attributes
    and the methods marked "per kind".
    """

    FAILED = ("refused", "failed", "would_be_refused", "timed_out")
    # results of a record that is gone or going (in check mode: would be) through this run or the service
    REMOVED = ("deleted", "stopped_and_deleted", "deleted_with_tasks", "deleting", "would_delete",
               "would_stop_and_delete", "would_delete_tasks_and_delete")
    KIND = TASKS
    RESULT_KEY = "tasks"
    READIED = "stopped_and_deleted"  # the result of a record made deletable first, then deleted
    LIST_ITEMS_COMPLETE = False  # task list items lack "connected", which the rule needs
    HINT = REFUSAL_HINT

    def __init__(self, sms, ids=None, force=None, wait=None):
        super().__init__(sms)
        self.ids = list(dict.fromkeys(self.params["task_ids"] if ids is None else ids))
        self.force = self.params["force"] if force is None else force
        self.wait_for_deletion = self.params["wait"] if wait is None else wait
        self.entries = {task_id: {"id": task_id, "result": None} for task_id in self.ids}
        self.before = {}
        self.found = {}
        self.confirmed_gone = set()  # tasks that SMS itself said are gone (404 of its own)
        self.account_size = None  # tasks in the account, as the last list page counted them

    def partial(self):
        """On a failure half way: every task's outcome so far; planned but not tried is said so."""
        if not self.check_mode:
            for entry in self.entries.values():
                if entry["result"] is None or entry["result"].startswith("would_"):
                    entry["result"] = "not_attempted"
        result = {self.RESULT_KEY: [self.entries[task_id] for task_id in self.ids]}
        result.update(self.extra_result())
        return result

    def record(self, task_id, result, error=None, msg=None, hint=None):
        entry = self.entries[task_id]
        entry["result"] = result
        if error is not None:
            entry["error"] = error.to_dict()
            msg = with_hint(error, hint)
        if msg:
            entry["msg"] = msg

    def read(self):
        """Each requested task as the service knows it, or None, by the cheaper read (see find_in_pages)."""
        if len(self.ids) <= FEW_IDS:
            return {task_id: self.client.get_record(self.KIND, task_id) for task_id in self.ids}
        found, _complete = self.find_in_pages(set(self.ids))
        for task_id, task in list(found.items()):
            if not self.LIST_ITEMS_COMPLETE and self.plan_of(task, force=False).action == REFUSED:
                found[task_id] = self.client.get_record(self.KIND, task_id)  # list items lack "connected"
        for task_id in self.ids:
            if task_id not in found:
                found[task_id] = self.client.get_record(self.KIND, task_id)  # "absent" only on the service's own word
        return {task_id: found[task_id] for task_id in self.ids}

    def find_in_pages(self, wanted):
        """The tasks of ``wanted`` that list pages show, and whether the pages were read to the end unchanged.

        The first page tells how many tasks the account holds. Pages are read on only while the pages left are
        fewer than the wanted ids not seen yet (none unseen: no page more); the rest is cheaper read one by one. A
        count that changes, or an id seen twice, means the pages shifted: the result is then not complete.
        """
        found, read, stable = {}, 0, True
        for items, count, steady in self.client.record_pages(self.KIND):
            stable = steady
            self.account_size = count
            read += len(items)
            found.update((item["id"], item) for item in items if item["id"] in wanted)
            unseen = len(wanted) - len(found)
            if not unseen or pages_for(count - read) >= unseen:
                return found, False
        return found, stable

    def still_there(self, ids, confirm=()):
        """Those of ``ids`` that still exist, each as last read, by the cheaper read.

        Fewer ids than the account has pages: each is read on its own, and SMS's own 404 says it is gone.
        Otherwise list pages; a task they do not show is taken as gone only when the pages were read to the end
        unchanged and it is not in ``confirm`` (tasks this run did not delete: a list may hide tasks), else it
        is read on its own.
        """
        if len(ids) <= FEW_IDS or (self.account_size is not None and pages_for(self.account_size) >= len(ids)):
            return self.read_each(ids)
        seen, complete = self.find_in_pages(set(ids))
        seen.update(self.read_each([task_id for task_id in ids if task_id not in seen
                                    and (task_id in confirm or not complete)]))
        return seen

    def read_each(self, ids):
        """The tasks of ``ids`` that SMS has not said are gone, each read on its own."""
        seen = {}
        for task_id in ids:
            if task_id in self.confirmed_gone:
                continue
            task = self.client.get_record(self.KIND, task_id)
            if task is None:
                self.confirmed_gone.add(task_id)
            else:
                seen[task_id] = task
        return seen

    def run(self):
        self.carry_out()
        return self.finish()

    def carry_out(self):
        """Read, plan, and (unless in check mode) act; every outcome is recorded in ``entries``."""
        self.found = self.read()
        planned = self.plan_all()
        if self.check_mode:
            return
        readied = self.make_ready(planned[STOP_THEN_DELETE] + planned[REMOVE_TASKS_THEN_DELETE])
        self.delete_in_batches(planned[DELETE] + readied, readied)
        # Predicted refusals still go to the service, which decides, one by one.
        self.delete_each(planned[REFUSED], readied)
        if self.wait_for_deletion:
            self.wait_until_gone([task_id for task_id, entry in self.entries.items()
                                  if entry["result"] in ("deleted", self.READIED, "deleting")])

    # ---- per kind ----

    def plan_of(self, task, force=None):
        return plan(task, self.force if force is None else force)

    @staticmethod
    def describe(task):
        return describe(task)

    @staticmethod
    def summary_of(task):
        return summary(task)

    @staticmethod
    def leftovers(task):
        return servers_of(task)

    @staticmethod
    def identify(task):
        """What a result entry tells of a found task besides its id: its name and its source server's id."""
        return {"name": task.get("name"), "source_server_id": (task.get("source_server") or {}).get("id")}

    @staticmethod
    def is_refusal_of(error, task):
        return is_refusal(error, task)

    def make_ready(self, ids):
        """Busy tasks, with force: stop them and wait until deletable; returns the ids ready for deletion."""
        return self.stop(ids)

    # ----

    def plan_all(self):
        """Every task's plan, recorded as its predicted result; the ids grouped by action."""
        planned = {action: [] for action in PREDICTED}
        for task_id, task in self.found.items():
            decided = self.plan_of(task)
            planned[decided.action].append(task_id)
            if task is not None:
                self.entries[task_id].update(self.identify(task))
                self.before[task_id] = self.summary_of(task)
            msg = decided.reason
            if decided.action == REFUSED:
                msg = "%s cannot be deleted now: %s. %s" % (self.describe(task), decided.reason, self.HINT)
            self.record(task_id, PREDICTED[decided.action], msg=msg)
        return planned

    def delete_in_batches(self, ids, stopped):
        for batch in chunks(ids, BATCH_SIZE):
            try:
                self.client.delete_records(self.KIND, batch)
            except SmsApiError as error:
                if error.status in (401, 403):
                    raise  # the credentials or permissions are refused: asking task by task would only repeat that
                # The service refused (or lost) the batch: ask task by task, so that every deletable task is still
                # deleted and every refusal is attributed to its task.
                self.delete_each(batch, stopped, batch_lost=error.status is None or error.status >= 500)
                continue
            self.changed = True
            for task_id in batch:
                self.record(task_id, self.READIED if task_id in stopped else "deleted")

    def delete_each(self, ids, stopped, batch_lost=False):
        for task_id in ids:
            try:
                deleted = self.client.delete_record(self.KIND, task_id)
            except SmsApiError as error:
                if error.status == 401:
                    raise  # refused credentials: repeating them task by task could lock the access key
                refused = self.is_refusal_of(error, self.found.get(task_id))
                self.record(task_id, "refused" if refused else "failed", error=error,
                            hint=self.HINT if refused else None)
                continue
            if deleted or batch_lost:
                # after a batch whose answer was lost, a 404 means the batch itself deleted the task
                self.changed = True
                self.record(task_id, self.READIED if task_id in stopped else "deleted")
            else:
                self.record(task_id, "vanished")

    def stop(self, ids):
        """Stop busy tasks and wait until the service would delete them; returns the ids ready for deletion."""
        pending = []
        for task_id in ids:
            try:
                if not stop_under_way(self.found[task_id]):
                    self.client.task_action(task_id, "stop")
            except SmsApiError as error:
                if error.status == 401:
                    raise  # refused credentials: repeating them task by task could lock the access key
                self.record(task_id, "failed", error=error)
                continue
            self.changed = True
            self.record(task_id, "stopped")
            pending.append(task_id)
        return self.wait_until_deletable(pending)

    def wait_until_deletable(self, pending):
        ready, last_seen = [], {}

        def all_deletable():
            seen = self.still_there(pending, confirm=pending)
            for task_id in list(pending):
                task = seen.get(task_id)
                if task is None:
                    self.record(task_id, "vanished")
                elif not deletion_blocker(task):
                    ready.append(task_id)
                else:
                    last_seen[task_id] = task
                    continue
                pending.remove(task_id)
            return not pending

        if pending and not self.wait(all_deletable):
            for task_id in pending:
                self.record(task_id, "timed_out", msg="still not deletable after %d seconds: %s" % (
                    self.params["wait_timeout"], seen_as(last_seen[task_id])))
        return ready

    def wait_until_gone(self, ids):
        remaining = {"tasks": {}}
        # tasks already being deleted before this run: the list alone does not prove them gone
        others = [task_id for task_id in ids if self.entries[task_id]["result"] == "deleting"]

        def all_gone():
            remaining["tasks"] = self.still_there(ids, confirm=others)
            return not remaining["tasks"]

        if ids and not self.wait(all_gone):
            for task_id, task in remaining["tasks"].items():
                self.record(task_id, "timed_out", msg="still present after %d seconds, in %s" % (
                    self.params["wait_timeout"], seen_as(task)))

    def finish(self):
        for task_id, entry in self.entries.items():
            found = self.found.get(task_id)
            if found is not None and entry["result"] in self.REMOVED:
                entry["left_behind"] = self.leftovers(found)
        tasks = [self.entries[task_id] for task_id in self.ids]
        counts = {}
        for entry in tasks:
            counts[entry["result"]] = counts.get(entry["result"], 0) + 1
        summary_text = ", ".join("%d %s" % (count, result.replace("_", " ")) for result, count in sorted(counts.items()))
        changed = self.changed or any(entry["result"].startswith("would_") and entry["result"] != "would_be_refused"
                                      for entry in tasks)
        result = {"changed": changed, self.RESULT_KEY: tasks}
        result.update(self.extra_result())
        if self.sms.module._diff:
            key = self.RESULT_KEY
            result["diff"] = {
                "before": {key: [self.before.get(task_id, {"id": task_id, "state": "absent"}) for task_id in self.ids]},
                "after": {key: [self.before[task_id] if self.entries[task_id]["result"] in self.FAILED
                                else {"id": task_id, "state": "absent"} for task_id in self.ids]},
            }
        failures = [entry for entry in tasks if entry["result"] in self.FAILED]
        if failures:
            reasons = "; ".join("%s: %s" % (entry["id"], entry.get("msg", "")) for entry in failures)
            message = "Could not delete %d of %d %ss (%s): %s" % (len(failures), len(tasks), self.KIND.noun, summary_text,
                                                                  reasons)
            self.sms.fail(message, **result)
        result["msg"] = "%d %ss: %s" % (len(tasks), self.KIND.noun, summary_text)
        return result

    def extra_result(self):
        return {"task": {}}


class SourceRemover(BulkRemover):
    """``source_server_id``, ``name`` or ``source_server_ids``: source-server records, as BulkRemover removes tasks.

    A busy source (its current task busy by the task rule) is refused without force; with force its tasks are
    first removed by BulkRemover (stopped, deleted, waited for), then the record is deleted. One id alone is
    deleted with its own DELETE; more go in batches of BATCH_SIZE.
    """

    KIND = SOURCES
    RESULT_KEY = "source_servers"
    READIED = "deleted_with_tasks"
    LIST_ITEMS_COMPLETE = True  # source list items carry "connected" and the current task
    HINT = SOURCE_REFUSAL_HINT

    def plan_of(self, task, force=None):
        return source_plan(task, self.force if force is None else force)

    @staticmethod
    def describe(task):
        return "SMS source server %s (%s)" % (task.get("id"), task.get("name"))

    @staticmethod
    def summary_of(task):
        return source_summary(task)

    @staticmethod
    def identify(task):
        return {"name": task.get("name")}

    @staticmethod
    def leftovers(task):
        return left_behind(task)

    @staticmethod
    def is_refusal_of(error, task):
        return is_source_refusal(error, task)

    def plan_all(self):
        planned = super().plan_all()
        for source_id in planned[REMOVE_TASKS_THEN_DELETE]:
            self.entries[source_id]["task_ids"] = self.tasks_of(source_id)
        return planned

    def tasks_of(self, source_id):
        """The ids of the source's tasks: those listed for it, and its current task (a list may hide a task)."""
        ids = [task["id"] for task in self.client.list_tasks(source_server_id=source_id)]
        current = (self.found[source_id].get("current_task") or {}).get("id")
        return ids + [current] if current and current not in ids else ids

    def make_ready(self, ids):
        """With force: the busy sources' tasks removed as sms_task with force removes them; the sources whose
        tasks are all gone are ready for deletion, the others fail with their tasks' outcomes."""
        task_ids = [task_id for source_id in ids for task_id in self.entries[source_id]["task_ids"]]
        if not task_ids:
            return list(ids)
        tasks = BulkRemover(self.sms, ids=task_ids, force=True, wait=True)
        try:
            tasks.carry_out()
        finally:
            self.changed = self.changed or tasks.changed
        ready = []
        for source_id in ids:
            outcomes = [tasks.entries[task_id] for task_id in self.entries[source_id]["task_ids"]]
            self.entries[source_id]["tasks"] = outcomes
            failed = [entry for entry in outcomes if entry["result"] in self.FAILED]
            if failed:
                self.record(source_id, "failed", msg="its tasks could not all be deleted: %s" % "; ".join(
                    "%s %s%s" % (entry["id"], entry["result"], ": %s" % entry["msg"] if entry.get("msg") else "")
                    for entry in failed))
            else:
                ready.append(source_id)
        return ready

    def delete_in_batches(self, ids, stopped):
        if len(ids) == 1:
            self.delete_each(ids, stopped)  # one record: its own DELETE, as the API reference shows it
        else:
            super().delete_in_batches(ids, stopped)

    def extra_result(self):
        removed = any(entry.get("left_behind") for entry in self.entries.values())
        return {"reminder": CLEAN_UP_REMINDER} if removed else {}
