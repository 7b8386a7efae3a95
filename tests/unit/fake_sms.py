# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An SMS account in memory, behind the client interface the removal executor uses: no sockets, no real time.

``FakeSms`` answers ``get_record``, ``list_records``, ``list_tasks``, ``record_pages``, ``delete_record``,
``delete_records`` and ``task_action`` as the service does by sms-api.md (a ``kind`` is the client's ``TASKS`` or
``SOURCES``: only its ``segment`` is used), and has a fake ``clock`` that only ``sleep`` moves on. Every call is
written to ``journal``, so that a test asserts on what was sent, and a test scripts faults with :meth:`FakeSms.fail`.

The deletion rule is written here from sms-api.md section 4, not taken from the collection's code: the service
refuses (400 ``SMS.2015``) to delete a task while its agent is connected and its source server is busy, and a source
record while its current task is so. A stop makes the source server ``stopping`` for ``stop_polls`` reads, then
``stopped``; a deletion leaves the record ``DELETING`` for ``deleting_polls`` reads, then it is gone. Each read of a
record (a GET, or a list page holding it) is one look at it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError

# sms-api.md section 4
BUSY_SOURCE_STATES = frozenset(["initialize", "stopping", "deleting", "cloning", "replicate", "syncing", "cutovering",
                                "skipping", "clearing", "premiging"])
BUSY_TASK_STATES = frozenset(["RUNNING", "SYNCING", "ABORTING", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING"])
READS = ("get_record", "list_records", "record_pages")
WRITES = ("delete_record", "delete_records", "task_action")
NOUNS = {"tasks": "SMS task", "sources": "SMS source server"}
REFUSED_MSG = "The task is in progress or being stopped and cannot be deleted."


def busy(task):
    """The service's rule: would it refuse to delete ``task`` now?"""
    if not task.get("connected"):
        return False
    source_state = (task.get("source_server") or {}).get("state")
    if source_state:
        return source_state.lower() in BUSY_SOURCE_STATES
    return task.get("state") in BUSY_TASK_STATES


def not_found(segment, record_id, operation):
    return SmsApiError(operation, status=404, error_code="SMS.1801", error_msg="The %s does not exist." % NOUNS[segment],
                       error_param=[record_id])


def refused(record_ids, operation):
    return SmsApiError(operation, status=400, error_code="SMS.2015", error_msg=REFUSED_MSG, error_param=list(record_ids))


@dataclass
class Call:
    """One call to the client: ``method`` (the client's method name), the ``kind`` segment, the ids it named, the
    fake clock's time, and what else it carried (the operation of an action, the filters and offset of a listing)."""

    method: str
    kind: str
    ids: tuple
    at: float
    detail: object = None


@dataclass
class Fault:
    """A scripted failure: the ``times`` calls of ``method`` (on ``kind``, naming ``record_id``) after the first
    ``skip`` ones raise ``error``. ``takes_effect``: the write is carried out before the error comes (an answer lost
    on the way back); ``deletes_first``: a batch deletes that many of its ids first."""

    method: str
    error: SmsApiError
    record_id: str | None = None
    kind: str | None = None
    skip: int = 0
    times: int | None = 1  # None: every time
    takes_effect: bool = False
    deletes_first: int = 0

    def matches(self, method, segment, ids):
        return (self.method == method and self.kind in (None, segment) and (self.record_id is None or self.record_id in ids)
                and (self.times is None or self.times > 0))


@dataclass
class Life:
    """How a record moves on as it is looked at: reads left showing a stop under way, or a deletion under way."""

    stop_polls: int = 0
    stop_left: int | None = None
    deleting_polls: int = 0
    deleting_left: int | None = None
    clear_polls: int = 0
    clear_left: int | None = None
    clear_ends: str = "cleared"  # or "clearfailed"


@dataclass
class Store:
    """The records of one kind, in the order they were added."""

    segment: str
    records: dict = field(default_factory=dict)
    lives: dict = field(default_factory=dict)


class FakeSms:
    """The client interface of the removal executor, over an account in memory."""

    page_size = 200  # the client's list page (limit=200)

    def __init__(self):
        self.now = 0.0
        self.sleeps = []
        self.journal = []
        self.faults = []
        self.ignored_filters = set()  # list filters the "service" ignores (a gateway that drops the query)
        # ids these credentials reach only one by one (an enterprise project, a condition key): no listing shows
        # them, and a batch naming them leaves them alone while answering success; GET and DELETE still work
        self.out_of_reach = set()
        self.tasks = Store("tasks")
        self.sources = Store("sources")

    # ---- the fake clock ----

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    # ---- the account ----

    def add_task(self, task_id, name=None, state="MIGRATE_SUCCESS", source_state="finished", connected=False,
                 source_id=None, stop_polls=0, deleting_polls=0, clear_polls=0, clear_ends="cleared"):
        """A task; one that names ``source_id`` is that source's current task (the one added last)."""
        task = {"id": task_id, "name": name or task_id, "state": state, "connected": connected,
                "source_server": {"id": source_id or "src-of-" + task_id, "state": source_state},
                "target_server": {"vm_id": "vm-" + task_id, "name": "target-" + task_id}}
        self.tasks.records[task_id] = task
        life = Life(stop_polls=stop_polls, deleting_polls=deleting_polls, clear_polls=clear_polls, clear_ends=clear_ends)
        if source_state == "stopping":
            life.stop_left = stop_polls  # a stop already under way
        self.tasks.lives[task_id] = life
        return task

    def add_busy_task(self, task_id, **fields):
        """A task replicating with its agent connected: the service refuses to delete it until it is stopped."""
        return self.add_task(task_id, **dict(dict(state="RUNNING", source_state="replicate", connected=True), **fields))

    def add_source(self, source_id, name=None, state="finished", connected=False, deleting_polls=0):
        """A source-server record. While a task names it, its state and agent are that task's view of them."""
        self.sources.records[source_id] = {"id": source_id, "name": name or source_id, "state": state,
                                           "connected": connected, "migration_cycle": "cutovered"}
        self.sources.lives[source_id] = Life(deleting_polls=deleting_polls)

    def fail(self, method, error, **how):
        """Script a fault (see :class:`Fault`); returns it."""
        fault = Fault(method, error, **how)
        self.faults.append(fault)
        return fault

    # ---- what was sent ----

    def calls(self, *methods):
        return [call for call in self.journal if not methods or call.method in methods]

    def writes(self):
        return self.calls(*WRITES)

    def sent(self):
        """Every call as ``(method, ids)``, in order."""
        return [(call.method, call.ids) for call in self.journal]

    # ---- the client interface ----

    def get_record(self, kind, record_id):
        """The record as GET shows it, or None on SMS's own 404 (a scripted one too, as the real client does)."""
        store = self._store(kind)
        fault = self._called("get_record", store, [record_id])
        if fault is not None:
            if fault.error.is_absence():
                return None
            raise fault.error
        self._look(store, record_id)
        return self._view(store, record_id, listed=False)

    def list_records(self, kind, **filters):
        store = self._store(kind)
        fault = self._called("list_records", store, [], filters)
        if fault is not None:
            raise fault.error
        for record_id in list(store.records):
            self._look(store, record_id)
        return [self._view(store, record_id, listed=True) for record_id in self._matching(store, filters)]

    def list_tasks(self, **filters):
        return self.list_records(self.tasks, **filters)

    def record_pages(self, kind, **filters):
        store, offset, first_count = self._store(kind), 0, None
        while True:
            fault = self._called("record_pages", store, [], dict(filters, offset=offset))
            if fault is not None:
                raise fault.error
            for record_id in list(store.records):
                self._look(store, record_id)
            matching = self._matching(store, filters)
            first_count = len(matching) if first_count is None else first_count
            page = matching[offset:offset + self.page_size]
            yield [self._view(store, record_id, listed=True) for record_id in page], len(matching), first_count == len(matching)
            offset += len(page)
            if not page or offset >= len(matching):
                return

    def delete_record(self, kind, record_id):
        store = self._store(kind)
        operation = "delete %s %s" % (NOUNS[store.segment], record_id)
        fault = self._called("delete_record", store, [record_id])
        if fault is not None and not fault.takes_effect:
            raise fault.error
        if record_id not in store.records:
            error = not_found(store.segment, record_id, operation)
        elif self._refuses(store, record_id):
            error = refused([record_id], operation)
        else:
            error = None
            self._start_deletion(store, record_id)
        if fault is not None:
            raise fault.error
        if error is not None:
            raise error

    def delete_records(self, kind, record_ids):
        store = self._store(kind)
        fault = self._called("delete_records", store, record_ids)
        # unknown ids and those out of reach are left alone, without a word
        known = [record_id for record_id in record_ids if record_id in store.records and record_id not in self.out_of_reach]
        if fault is not None:
            for record_id in known if fault.takes_effect else known[:fault.deletes_first]:
                if not self._refuses(store, record_id):
                    self._start_deletion(store, record_id)
            raise fault.error
        refusals = [record_id for record_id in known if self._refuses(store, record_id)]
        if refusals:
            raise refused(refusals, "delete %d %ss in one batch" % (len(record_ids), NOUNS[store.segment]))
        for record_id in known:
            self._start_deletion(store, record_id)

    def task_action(self, task_id, operation):
        fault = self._called("task_action", self.tasks, [task_id], operation)
        if fault is not None and not fault.takes_effect:
            raise fault.error
        task = self.tasks.records.get(task_id)
        if task is None:
            raise not_found("tasks", task_id, "%s SMS task %s" % (operation, task_id))
        if operation == "clear":
            if busy(task):
                raise refused([task_id], "clear SMS task %s" % task_id)
            life = self.tasks.lives[task_id]
            task["source_server"]["state"] = "clearing"
            life.clear_left = life.clear_polls
        if operation == "stop":
            task["state"] = "ABORTING"
            task["source_server"]["state"] = "stopping"
            life = self.tasks.lives[task_id]
            life.stop_left = life.stop_polls
            if not life.stop_left:
                self._look(self.tasks, task_id)
        if fault is not None:
            raise fault.error

    # ---- inside the "service" ----

    def _store(self, kind):
        return kind if isinstance(kind, Store) else {"tasks": self.tasks, "sources": self.sources}[kind.segment]

    def _called(self, method, store, ids, detail=None):
        """Journal the call; the scripted fault it meets, if any."""
        self.journal.append(Call(method, store.segment, tuple(ids), self.now, detail))
        for fault in self.faults:
            if fault.matches(method, store.segment, ids):
                if fault.skip:
                    fault.skip -= 1
                    return None
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _look(self, store, record_id):
        """One look at a record: a stop or a deletion under way moves on."""
        life = store.lives.get(record_id)
        if life is None or record_id not in store.records:
            return
        if life.deleting_left is not None:
            if life.deleting_left <= 0:
                self._forget(store, record_id)
            else:
                life.deleting_left -= 1
            return
        if life.clear_left is not None:
            if life.clear_left > 0:
                life.clear_left -= 1
                return
            life.clear_left = None
            store.records[record_id]["source_server"]["state"] = life.clear_ends
            return
        if life.stop_left is not None:
            if life.stop_left > 0:
                life.stop_left -= 1
                return
            life.stop_left = None
            task = store.records[record_id]
            task["state"] = "ABORT"
            task["source_server"]["state"] = "stopped"

    def _refuses(self, store, record_id):
        record = store.records[record_id]
        if store.segment == "tasks":
            return record.get("state") != "DELETING" and busy(record)
        current = self._current_task(record_id)
        return current is not None and busy(current)

    def _start_deletion(self, store, record_id):
        life = store.lives[record_id]
        if life.deleting_left is not None:
            return  # being deleted already
        if not life.deleting_polls:
            self._forget(store, record_id)
            return
        life.deleting_left = life.deleting_polls
        record = store.records[record_id]
        if store.segment == "tasks":
            record["state"] = "DELETING"
            record["source_server"]["state"] = "deleting"
        else:
            record["state"] = "deleting"

    def _forget(self, store, record_id):
        store.records.pop(record_id, None)
        store.lives.pop(record_id, None)

    def _current_task(self, source_id):
        named = [task for task in self.tasks.records.values() if task["source_server"]["id"] == source_id]
        return named[-1] if named else None

    def _matching(self, store, filters):
        """The ids a listing with ``filters`` shows: ``name`` matches in part and without case (as the service may),
        the others exactly; filters in ``ignored_filters`` are not applied at all."""
        ids = []
        for record_id, record in store.records.items():
            shown = record_id not in self.out_of_reach
            for key, value in filters.items():
                if value is None or key in self.ignored_filters:
                    continue
                if key == "name":
                    shown = shown and str(value).lower() in str(record.get("name", "")).lower()
                elif key == "source_server_id":
                    shown = shown and record.get("source_server", {}).get("id") == value
                else:
                    shown = shown and record.get(key) == value
            if shown:
                ids.append(record_id)
        return ids

    def _view(self, store, record_id, listed):
        """The record as an answer shows it: task list items lack ``connected``; a source shows its current task."""
        record = store.records.get(record_id)
        if record is None:
            return None
        view = copy.deepcopy(record)
        if store.segment == "tasks":
            if listed:
                view.pop("connected")
            return view
        current = self._current_task(record_id)
        if current is not None:
            view.update(state=current["source_server"]["state"], connected=current["connected"],
                        current_task={"id": current["id"], "name": current["name"], "state": current["state"],
                                      "target_server": copy.deepcopy(current["target_server"])})
        return view
