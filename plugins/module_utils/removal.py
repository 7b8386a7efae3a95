# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing SMS records: one executor for every kind of record and every way of naming them (one id, a name, a
list of ids: a single record is a list of one).

The executor reads the records, plans (task_rules), and in a real run carries the plan out. For every record it
writes down what this run saw, what it sent and what came back: the record's Evidence. What that evidence means is
decided in outcomes.py alone.
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import BATCH_SIZE
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError, SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.options import check_id, check_removal_options
from ansible_collections.hwcloud.sms.plugins.module_utils.outcomes import (
    ACCEPTED,
    DELETING,
    GONE,
    READY,
    REJECTED,
    THERE,
    TIMED_OUT,
    UNKNOWN,
    UNREADABLE,
    Evidence,
    Settings,
    report,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.readying import clear_first
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    ABSENT,
    BEING_DELETED,
    DELETE,
    REFUSED,
    Plan,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.waiting import wait_until

FEW_IDS = 3  # up to this many ids are read one by one; more are found in list pages


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


def pages_for(records, kind):
    """How many list pages of ``kind`` hold ``records`` records."""
    return -(-max(records, 0) // kind.api.page_size)


class Removal:
    """Remove the records ``ids`` of one kind: read with the fewest requests, plan, and (unless in check mode) make
    busy records deletable (force), delete (in batches when there are several), and confirm (wait)."""

    def __init__(self, client, how, ids, allowed_task_ids=None):
        self.client = client
        self.how = how
        self.kind = how.kind
        self.ids = list(dict.fromkeys(ids))
        self.evidence = {record_id: Evidence(record_id) for record_id in self.ids}
        self.allowed = None if allowed_task_ids is None else set(allowed_task_ids)
        self.reader = Reader(client, how.kind, self.evidence)

    # ---- the run ----

    def run(self, single=False, diff=False):
        """Carry the removal out and return the module's result; SmsFailure (with the result so far) when a record
        could not be removed or the run could not go on."""
        try:
            self.carry_out()
        except SmsApiError as error:
            result = report(self, single, diff)
            for key in ("failed", "msg", "error"):
                result.pop(key, None)
            raise SmsFailure(error.message(), cause=error, **result)
        result = report(self, single, diff)
        if result.pop("failed"):
            raise SmsFailure(result.pop("msg"), **result)
        return result

    def carry_out(self):
        self.read()
        self.plan()
        if self.how.check_mode:
            return
        self.make_ready()
        if self.how.clear_snapshots:
            clear_first(self, self.about_to_delete(cleared=False))
        self.delete()
        self.confirm()

    def read(self):
        """Each record as the service knows it, by the cheaper read (see find_in_pages)."""
        if len(self.ids) <= FEW_IDS:
            for record_id in self.ids:
                self.first_read(record_id, self.reader.get(record_id))
            return
        found, _complete = self.reader.find_in_pages(set(self.ids))
        for record_id in self.ids:
            record = found.get(record_id)
            # list items of tasks lack "connected": a busy one is read on its own; one not listed is read on its
            # own too ("absent" only on SMS's own word)
            if record is None or (not self.kind.list_items_complete and
                                  self.kind.plan_of(record, False).action == REFUSED):
                record = self.reader.get(record_id)
            self.first_read(record_id, record)

    def first_read(self, record_id, record):
        ev = self.evidence[record_id]
        ev.record, ev.absent = record, record is None

    def plan(self):
        for ev in self.evidence.values():
            ev.plan = self.kind.plan_of(ev.record, self.how.force) if ev.record is not None else Plan(ABSENT)
        self.kind.readying.plan(self)

    def planned(self, *actions):
        return [ev for ev in self.evidence.values() if ev.plan is not None and ev.plan.action in actions]

    # ---- making busy records deletable (force) ----

    def make_ready(self):
        """Busy records, with force: made deletable the way of their kind (readying.py)."""
        self.kind.readying.make_ready(self, self.planned(self.kind.readying.action))

    def another(self, kind, ids):
        """A removal of other records (a source server's tasks), with force and this run's wait_timeout."""
        return Removal(self.client, Settings(kind, force=True, wait=True, wait_timeout=self.how.wait_timeout), ids)

    def watch(self, pending, field, settled):
        """Read the ``pending`` records (the cheaper way) until each settles: ``settled(latest)`` (the record as read,
        None once SMS says it is gone) gives the value of the evidence's ``field``, or None to look again later.
        Those not settled when wait_timeout passes get TIMED_OUT."""
        pending = list(pending)

        def all_settled():
            seen = self.reader.still_there([ev.id for ev in pending])
            for ev in list(pending):
                value = settled(seen.get(ev.id))
                if value is None:
                    ev.last_seen = seen[ev.id]
                else:
                    setattr(ev, field, value)
                    pending.remove(ev)
            return not pending

        if pending and not wait_until(all_settled, self.how.wait_timeout, sleep=self.client.sleep,
                                      clock=self.client.clock):
            for ev in pending:
                setattr(ev, field, TIMED_OUT)

    # ---- deleting ----

    def about_to_delete(self, cleared=True):
        """The records a deletion will be sent for: deletable, made ready, or (predicted refused) for the service to
        decide. With clear_snapshots, never a predicted refusal: a busy task without force gets no write, not even a
        clear (it would clear a running migration's snapshots); and with ``cleared``, only those whose snapshots were
        cleared."""
        records = self.planned(DELETE) + [ev for ev in self.planned(self.kind.readying.action) if ev.ready == READY]
        if not self.how.clear_snapshots:
            return records + self.planned(REFUSED)
        return [ev for ev in records if ev.cleared == READY] if cleared else records

    def delete(self):
        records = self.about_to_delete()
        ready = [ev for ev in records if ev.plan.action != REFUSED]
        if len(ready) > 1 and self.kind.api.batch:
            for batch in chunks(ready, BATCH_SIZE):
                self.delete_batch(batch)
        else:
            for ev in ready:
                self.delete_one(ev)
        # Predicted refusals still go to the service, which decides, one by one.
        for ev in records:
            if ev.plan.action == REFUSED:
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
            latest = self.reader.get(ev.id)
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
        self.watch(pending, "wait", lambda latest: GONE if latest is None else None)


class Reader:
    """Reads the records of one kind by the cheaper way, and notes in their evidence which ids a listing showed."""

    def __init__(self, client, kind, evidence):
        self.client = client
        self.kind = kind
        self.evidence = evidence
        self.account_size = None  # records of this kind in the account, as the last list page counted them

    def get(self, record_id):
        """The record, or None on SMS's own 404."""
        return self.client.get_record(self.kind.api, record_id)

    def still_there(self, ids):
        """Those of ``ids`` that still exist, each as last read, by the cheaper read.

        Fewer ids than the account has pages: each is read on its own, and SMS's own 404 says it is gone. Otherwise
        list pages; a record they do not show is gone only when the pages were read to the end unchanged and a
        listing of this run showed it before (a listing shows only what these credentials may see); any other is
        read on its own.
        """
        if len(ids) <= FEW_IDS or (self.account_size is not None and pages_for(self.account_size, self.kind) >= len(ids)):
            return self.read_each(ids)
        seen, complete = self.find_in_pages(set(ids))
        unproven = [record_id for record_id in ids
                    if record_id not in seen and not (complete and self.evidence[record_id].listed)]
        seen.update(self.read_each(unproven))
        return seen

    def read_each(self, ids):
        seen = {}
        for record_id in ids:
            record = self.get(record_id)
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
            if not unseen or pages_for(count - read, self.kind) >= unseen:
                return found, False
        return found, stable


def remove(sms, kind, one, many, allowed_task_ids=None):
    """What sms_task and sms_source_server do: remove the records named by option ``one``, ``many`` or ``name``."""
    params = sms.params
    if not check_removal_options(params, one, many):
        return {"changed": False, kind.result_key: [], kind.single_key: {}, "msg": "%s is empty: nothing to delete" % many}
    for index, task_id in enumerate(allowed_task_ids or []):
        check_id(task_id, "allowed_task_ids[%d]" % index)
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
    how = Settings(kind, check_mode=sms.module.check_mode, force=params.get("force", False), wait=params["wait"],
                   wait_timeout=params["wait_timeout"], clear_snapshots=params.get("clear_snapshots", False))
    removal = Removal(sms.client, how, ids, allowed_task_ids=allowed_task_ids)
    return removal.run(single=params[many] is None, diff=sms.module._diff)  # pylint: disable=protected-access


def named(client, kind, name, many):
    """The id of the one record named exactly ``name`` (a list, empty when none is visible); several fail."""
    # the service's name filter, where it has one, may match more than the exact name: every answer is compared
    filters = {"name": name} if "name" in kind.api.filters else {}
    matches = [listed["id"] for listed in client.list_records(kind.api, **filters) if listed.get("name") == name]
    if len(matches) > 1:
        raise SmsFailure("%d %ss are named %r, so none was deleted; name one by %s: %s" % (
            len(matches), kind.noun, name, many[:-1], ", ".join(matches)), changed=False,
            **{kind.result_key: [], kind.single_key: {}, many: matches})
    return matches


__all__ = ["Removal", "Reader", "remove", "named"]
