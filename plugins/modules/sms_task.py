#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sms_task
short_description: Delete Huawei Cloud SMS migration tasks
version_added: 0.1.0
description:
  - Deletes a Server Migration Service (SMS) migration task, named by its id or by its exact name, through
    C(DELETE /v3/tasks/{task_id}) of the SMS v3 API.
  - Reads the task first, so that a task that is already gone is reported as unchanged, check mode can tell what
    would happen without changing anything, and a task the service would refuse to delete is explained.
  - The service refuses to delete a task while the agent on its source server is connected and the source
    server is busy (replicating, syncing, cloning, cutting over, ...). O(force=true) stops such a task first.
options:
  task_id:
    description:
      - Id of the task.
      - Must not be empty, longer than 255 characters, or contain C(/), C(?), C(#), C(%), whitespace or control
        characters. It is percent-encoded into the request path.
      - Exactly one of O(task_id), O(task_ids) and O(name) is required.
    type: str
  task_ids:
    description:
      - Ids of several tasks to delete in one run, each checked as O(task_id) is; duplicates are ignored.
      - Up to three ids are read one by one; more are found in list pages of 200 tasks (busy ones are then read
        on their own, since list pages do not tell whether the agent is connected).
      - Deletable tasks are deleted through the batch call C(POST /v3/tasks/delete), 50 ids at a time. When the
        service refuses a batch, its tasks are deleted one by one, so that every deletable task is still deleted
        and every refusal is attributed to its task. Tasks predicted to be refused are sent one by one.
      - The result lists every requested task in RV(tasks). The module fails when any task could not be deleted,
        and RV(tasks) still says which ones were.
    type: list
    elements: str
  name:
    description:
      - Exact name of the task. The tasks are listed with this name and compared exactly.
      - When several tasks have this name, the module fails, lists their ids and deletes nothing; use O(task_id).
    type: str
  state:
    description:
      - V(absent) deletes the task. Required, so that a forgotten O(state) can never mean a deletion.
    type: str
    required: true
    choices: [absent]
  force:
    description:
      - Stop a busy task (action C(stop)), wait until the service allows its deletion, then delete it.
      - Without it, a busy task is still sent to the service for deletion, and the service's refusal fails the
        module with an explanation.
    type: bool
    default: false
  wait:
    description:
      - Wait until the task is gone (the service answers HTTP 404 for it) before returning.
      - A task that is already being deleted is waited for too.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the deletion with O(wait=true), and for a stopped task to become deletable with
        O(force=true).
    type: int
    default: 300
extends_documentation_fragment:
  - hwcloud.sms.connection
attributes:
  check_mode:
    support: full
    description: Reads the task and predicts the outcome; sends nothing but reads (and, for password authentication, the IAM token request).
  diff_mode:
    support: full
    description: Shows the task's id, name, state, source server state and agent connection before, and V(absent) after.
  platform:
    support: full
    platforms: all
    description: Runs wherever Python and C(requests) are available; it only talks HTTPS to Huawei Cloud.
seealso:
  - name: SMS API reference, DeleteTask
    description: The call this module wraps.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/DeleteTask.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Delete a migration task by id (credentials from HW_* environment variables)
  hwcloud.sms.sms_task:
    task_id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
    state: absent
    region: cn-north-4

- name: Delete a migration task by its exact name, stopping it first if it is still replicating
  hwcloud.sms.sms_task:
    name: web-01-migration
    state: absent
    force: true
    wait_timeout: 600

- name: Delete the tasks of a whole migration wave in one run (batch calls of 50 ids)
  hwcloud.sms.sms_task:
    task_ids: "{{ wave_task_ids }}"
    state: absent
  register: wave

- name: Set the connection once for every module of the collection
  module_defaults:
    group/hwcloud.sms.sms:
      region: ap-southeast-3
      access_key: "{{ lookup('ansible.builtin.env', 'HW_ACCESS_KEY') }}"
      secret_key: "{{ lookup('ansible.builtin.env', 'HW_SECRET_KEY') }}"
  block:
    - name: See what would be deleted
      hwcloud.sms.sms_task:
        task_id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
        state: absent
      check_mode: true
      diff: true
      register: preview

    - name: Delete it
      hwcloud.sms.sms_task:
        task_id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
        state: absent

# Ad-hoc:
#   ansible localhost -m hwcloud.sms.sms_task -a "task_id=7a9a9540-ff28-4869-b9e4-855fbe12a0c1 state=absent" --check --diff
"""

RETURN = r"""
msg:
  description: What happened, or what would happen in check mode.
  returned: always
  type: str
  sample: SMS task 7a9a9540-ff28-4869-b9e4-855fbe12a0c1 (web-01-migration) deleted
task:
  description:
    - The task as the service returned it before the deletion (fields of C(GET /v3/tasks/{task_id})).
    - An empty dict when the task did not exist, and with O(task_ids).
  returned: always
  type: dict
  sample:
    id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
    name: web-01-migration
    state: MIGRATE_SUCCESS
    connected: false
    source_server:
      id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
      name: web-01
      state: finished
tasks:
  description:
    - With O(task_ids), one entry per requested task, in the order given.
  returned: when O(task_ids) is used
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    name:
      description: The task name, when the task was found.
      type: str
    result:
      description:
        - V(deleted), V(stopped_and_deleted), V(absent) (not found), V(vanished) (gone before its deletion),
          V(deleting) (already being deleted), V(refused) (the service refused), V(failed) (another error),
          V(timed_out) (O(wait_timeout) passed), V(stopped) (stopped, not yet deleted), V(not_attempted) (the run
          failed before this task's turn);
        - in check mode V(would_delete), V(would_stop_and_delete), V(would_be_refused).
      type: str
    msg:
      description: Why the task was not deleted, when it was not.
      type: str
    error:
      description: For a refusal or another API failure, the service's error as RV(error) holds it.
      type: dict
  sample:
    - {id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1, name: web-01-migration, result: deleted}
    - {id: 0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f, result: absent}
task_ids:
  description: The ids of the tasks that share the O(name), when there are several and nothing was deleted.
  returned: when O(name) matches more than one task
  type: list
  elements: str
  sample: [7a9a9540-ff28-4869-b9e4-855fbe12a0c1, 0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f]
error:
  description:
    - On an API failure, the service's error exactly as it was sent.
  returned: when the service answered with an error or could not be reached
  type: dict
  contains:
    status:
      description: HTTP status, or null when no answer arrived.
      type: int
      sample: 403
    request_id:
      description: Request id from the C(X-Request-Id) header or the body's C(request_id). Quote it to Huawei support.
      type: str
      sample: 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
    error_code:
      description: The service's error code.
      type: str
      sample: SMS.9004
    error_msg:
      description: The service's error message.
      type: str
    error_param:
      description: Parameters of the error.
      type: list
      elements: raw
    details:
      description: Detailed errors, each with its own code and message.
      type: list
      elements: raw
    encoded_authorization_message:
      description: Encoded explanation of a permission failure, to decode with IAM.
      type: str
"""

import time

from ansible_collections.hwcloud.sms.plugins.module_utils.client import BATCH_SIZE
from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsModule, with_hint
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import (
    being_deleted,
    deletion_blocker,
    is_refusal,
    source_state,
    summary,
)

POLL_FIRST = 0.5
FEW_IDS = 3  # up to this many ids are read one by one; more are found in list pages
POLL_MAX = 5.0
REFUSAL_HINT = "Stop the task first, or set force: true to stop it and then delete it."


def wait_for(condition, timeout):
    """Call ``condition()`` at once, then after growing pauses, until it returns true.

    Returns False when ``timeout`` seconds pass first. Most deletions are over
    by the first look, so that look costs no pause.
    """
    deadline = time.time() + timeout
    interval = POLL_FIRST
    while True:
        if condition():
            return True
        remaining = deadline - time.time()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))
        interval = min(interval * 1.5, POLL_MAX)


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


def describe(task):
    return "SMS task %s (%s)" % (task.get("id"), task.get("name"))


def seen_as(task):
    return "state %s, source server state %s" % (task.get("state"), source_state(task))


class TaskRemover:
    """Find the named task, decide, act, report: the behaviour table of the module."""

    def __init__(self, sms):
        self.sms = sms
        self.client = sms.client
        self.params = sms.params
        self.check_mode = sms.module.check_mode
        self.task = None
        self.changed = False  # becomes true once a request that changes the task was accepted

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
        if task is None:
            wanted = self.params["task_id"] or "named %r" % self.params["name"]
            return self.result(False, "SMS task %s is already absent" % wanted, None, gone=True)

        if being_deleted(task):
            if self.params["wait"] and not self.check_mode:
                self.wait_until_gone(task)
                return self.result(False, "%s was already being deleted and is now gone" % describe(task), task, gone=True)
            return self.result(False, "%s is already being deleted" % describe(task), task, gone=False)

        blocker = deletion_blocker(task)
        if self.check_mode:
            if blocker and not self.params["force"]:
                self.sms.fail("%s cannot be deleted now: %s. %s" % (describe(task), blocker, REFUSAL_HINT), task=task)
            if blocker:
                return self.result(True, "%s would be stopped (%s) and then deleted" % (describe(task), blocker), task)
            return self.result(True, "%s would be deleted" % describe(task), task)

        stopped = ""
        if blocker and self.params["force"]:
            if source_state(task) != "stopping":
                self.client.task_action(task["id"], "stop")
                self.changed = True
            stopped = "stopped and "
            if not self.wait_until_deletable(task):
                return self.result(True, "%s was stopped and vanished before it was deleted" % describe(task), task)
        try:
            deleted = self.client.delete_task(task["id"])
        except SmsApiError as error:
            if not is_refusal(error, task):
                raise
            self.sms.fail_api(error, hint="%s%s" % ("The task is busy: %s. " % blocker if blocker else "", REFUSAL_HINT),
                              changed=self.changed, **self.partial())
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

        if not wait_for(condition, self.params["wait_timeout"]):
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


class BulkRemover:
    """``task_ids``: read with the fewest requests, delete in batches, and attribute every outcome to its task."""

    FAILED = ("refused", "failed", "would_be_refused", "timed_out")

    def __init__(self, sms):
        self.sms = sms
        self.client = sms.client
        self.params = sms.params
        self.check_mode = sms.module.check_mode
        self.ids = list(dict.fromkeys(self.params["task_ids"]))
        self.entries = dict((task_id, {"id": task_id, "result": None}) for task_id in self.ids)
        self.before = {}
        self.found = {}
        self.confirmed_gone = set()  # tasks that SMS itself said are gone (404 of its own)
        self.changed = False

    def partial(self):
        """On a failure half way: every task's outcome so far; planned but not tried is said so."""
        if not self.check_mode:
            for entry in self.entries.values():
                if entry["result"] is None or entry["result"].startswith("would_"):
                    entry["result"] = "not_attempted"
        return {"task": {}, "tasks": [self.entries[task_id] for task_id in self.ids]}

    def record(self, task_id, result, error=None, msg=None, hint=None):
        entry = self.entries[task_id]
        entry["result"] = result
        if error is not None:
            entry["error"] = error.to_dict()
            msg = with_hint(error, hint)
        if msg:
            entry["msg"] = msg

    def read(self):
        """Each requested task as the service knows it, or None. A few ids: one GET each; more: list pages."""
        if len(self.ids) <= FEW_IDS:
            return dict((task_id, self.client.get_task(task_id)) for task_id in self.ids)
        wanted = set(self.ids)
        found = dict((task["id"], task) for task in self.client.list_tasks() if task["id"] in wanted)
        for task_id, task in list(found.items()):
            if not being_deleted(task) and deletion_blocker(task):
                found[task_id] = self.client.get_task(task_id)  # list items lack "connected"
        for task_id in wanted.difference(found):
            found[task_id] = self.client.get_task(task_id)  # "absent" only on the service's own word
        return dict((task_id, found[task_id]) for task_id in self.ids)

    def run(self):
        batch, singles, to_stop = [], [], []
        self.found = self.read()
        for task_id, task in self.found.items():
            if task is None:
                self.record(task_id, "absent")
                continue
            self.entries[task_id]["name"] = task.get("name")
            self.before[task_id] = summary(task)
            blocker = deletion_blocker(task)
            if being_deleted(task):
                self.record(task_id, "deleting")
            elif blocker and self.params["force"]:
                self.record(task_id, "would_stop_and_delete", msg=blocker)
                to_stop.append(task_id)
            elif blocker:
                self.record(task_id, "would_be_refused", msg="%s cannot be deleted now: %s. %s" % (
                    describe(task), blocker, REFUSAL_HINT))
                singles.append(task_id)
            else:
                self.record(task_id, "would_delete")
                batch.append(task_id)
        if self.check_mode:
            return self.finish()

        stopped = self.stop(to_stop)
        for ids in chunks(batch + stopped, BATCH_SIZE):
            try:
                self.client.delete_tasks(ids)
            except SmsApiError as error:
                if error.status in (401, 403):
                    raise  # the credentials or permissions are refused: asking task by task would only repeat that
                # The service refused (or lost) the batch: ask task by task, so that every deletable task is still
                # deleted and every refusal is attributed to its task.
                self.delete_each(ids, stopped, batch_lost=error.status is None or error.status >= 500)
                continue
            self.changed = True
            for task_id in ids:
                self.record(task_id, "stopped_and_deleted" if task_id in stopped else "deleted")
        # Predicted refusals still go to the service, which decides, one by one.
        self.delete_each(singles, stopped)
        if self.params["wait"]:
            self.wait_until_gone([task_id for task_id, entry in self.entries.items()
                                  if entry["result"] in ("deleted", "stopped_and_deleted", "deleting")])
        return self.finish()

    def delete_each(self, ids, stopped, batch_lost=False):
        for task_id in ids:
            try:
                deleted = self.client.delete_task(task_id)
            except SmsApiError as error:
                if error.status == 401:
                    raise  # refused credentials: repeating them task by task could lock the access key
                refused = is_refusal(error, self.found.get(task_id))
                self.record(task_id, "refused" if refused else "failed", error=error,
                            hint=REFUSAL_HINT if refused else None)
                continue
            if deleted or batch_lost:
                # after a batch whose answer was lost, a 404 means the batch itself deleted the task
                self.changed = True
                self.record(task_id, "stopped_and_deleted" if task_id in stopped else "deleted")
            else:
                self.record(task_id, "vanished")

    def stop(self, ids):
        """Stop busy tasks and wait until the service would delete them; returns the ids ready for deletion."""
        pending = []
        for task_id in ids:
            try:
                if source_state(self.found[task_id]) != "stopping":  # a stop under way needs no second one
                    self.client.task_action(task_id, "stop")
            except SmsApiError as error:
                if error.status == 401:
                    raise  # refused credentials: repeating them task by task could lock the access key
                self.record(task_id, "failed", error=error)
                continue
            self.changed = True
            self.record(task_id, "stopped")
            pending.append(task_id)
        ready, last_seen = [], {}

        def all_deletable():
            seen = self.listed(pending, confirm=pending)
            if seen is None:
                return False
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

        if pending and not wait_for(all_deletable, self.params["wait_timeout"]):
            for task_id in pending:
                self.record(task_id, "timed_out", msg="still not deletable after %d seconds: %s" % (
                    self.params["wait_timeout"], seen_as(last_seen[task_id])))
        return ready

    def listed(self, ids, confirm=()):
        """The current state of those of ``ids`` that still exist, from list pages.

        A list may hide tasks (enterprise projects, permissions scoped by conditions), so a task of ``confirm``
        that the list does not show is read on its own: only SMS's own 404 says it is gone. A task whose deletion
        this run saw accepted may be taken as gone when the list no longer shows it. None while the list keeps
        changing under the reader: the caller looks again later.
        """
        wanted = set(ids)
        tasks = self.client.list_tasks(unstable_ok=True)
        if tasks is None:
            return None
        seen = dict((task["id"], task) for task in tasks if task["id"] in wanted)
        for task_id in confirm:
            if task_id not in seen and task_id not in self.confirmed_gone:
                task = self.client.get_task(task_id)
                if task is None:
                    self.confirmed_gone.add(task_id)
                else:
                    seen[task_id] = task
        return seen

    def wait_until_gone(self, ids):
        remaining = {"tasks": {}}
        # tasks already being deleted before this run: the list alone does not prove them gone
        others = [task_id for task_id in ids if self.entries[task_id]["result"] == "deleting"]

        def all_gone():
            seen = self.listed(ids, confirm=others)
            if seen is not None:
                remaining["tasks"] = seen
            return seen is not None and not seen

        if ids and not wait_for(all_gone, self.params["wait_timeout"]):
            for task_id, task in (remaining["tasks"] or dict((task_id, {}) for task_id in ids)).items():
                self.record(task_id, "timed_out", msg="still present after %d seconds, in %s" % (
                    self.params["wait_timeout"], seen_as(task)))

    def finish(self):
        tasks = [self.entries[task_id] for task_id in self.ids]
        counts = {}
        for entry in tasks:
            counts[entry["result"]] = counts.get(entry["result"], 0) + 1
        summary_text = ", ".join("%d %s" % (count, result.replace("_", " ")) for result, count in sorted(counts.items()))
        changed = self.changed or any(entry["result"].startswith("would_") and entry["result"] != "would_be_refused"
                                      for entry in tasks)
        result = {"changed": changed, "tasks": tasks, "task": {}}
        if self.sms.module._diff:
            result["diff"] = {
                "before": {"tasks": [self.before.get(task_id, {"id": task_id, "state": "absent"}) for task_id in self.ids]},
                "after": {"tasks": [self.before[task_id] if self.entries[task_id]["result"] in self.FAILED
                                    else {"id": task_id, "state": "absent"} for task_id in self.ids]},
            }
        failures = [entry for entry in tasks if entry["result"] in self.FAILED]
        if failures:
            reasons = "; ".join("%s: %s" % (entry["id"], entry.get("msg", "")) for entry in failures)
            message = "Could not delete %d of %d SMS tasks (%s): %s" % (len(failures), len(tasks), summary_text, reasons)
            self.sms.fail(message, **result)
        result["msg"] = "%d SMS tasks: %s" % (len(tasks), summary_text)
        return result


def main():
    sms = SmsModule(
        argument_spec=dict(
            task_id=dict(type="str"),
            task_ids=dict(type="list", elements="str"),
            name=dict(type="str"),
            state=dict(type="str", required=True, choices=["absent"]),
            force=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        mutually_exclusive=[("task_id", "task_ids", "name")],
        required_one_of=[("task_id", "task_ids", "name")],
        supports_check_mode=True,
    )
    params = sms.params
    if params["task_id"] is not None:
        sms.check_task_id(params["task_id"], "task_id")
    if params["task_ids"] is not None:
        if not params["task_ids"]:
            sms.fail("task_ids must name at least one task")
        for index, task_id in enumerate(params["task_ids"]):
            sms.check_task_id(task_id, "task_ids[%d]" % index)
    if params["name"] is not None and not params["name"].strip():
        sms.fail("name must not be empty")
    if params["wait_timeout"] < 0:
        sms.fail("wait_timeout must be 0 or more seconds, got %d" % params["wait_timeout"])

    remover = BulkRemover(sms) if params["task_ids"] is not None else TaskRemover(sms)
    try:
        result = remover.run()
    except SmsApiError as error:
        sms.fail_api(error, changed=remover.changed, **remover.partial())
    sms.module.exit_json(**result)


if __name__ == "__main__":
    main()
