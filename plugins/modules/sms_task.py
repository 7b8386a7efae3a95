#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_task
short_description: Delete Huawei Cloud SMS migration tasks
version_added: 0.1.0
description:
  - Deletes a Server Migration Service (SMS) migration task, named by its id or by its exact name, through
    C(DELETE /v3/tasks/{task_id}) of the SMS v3 API.
  - Reads the task first, so that a task that is already gone is reported as unchanged, check mode can tell what
    would happen without changing anything, and a task the service would refuse to delete is explained.
  - A task is reported gone only on SMS's own word about its id - a 404 whose error code is C(SMS.) followed by
    digits, or its absence from a complete listing that showed it earlier in the same run. A 404 from the API gateway,
    a proxy or another service fails the run with a hint about the endpoint, site and proxy settings. A 404 to the
    deletion itself, and a deletion whose answer was lost, are followed by a read of the task before anything is
    concluded.
  - C(changed) is true as soon as a write of this run may have taken effect (an accepted stop or deletion, a batch
    that failed after deleting some ids, a write whose answer was lost), and false when no write was sent.
  - One id, a name and a list of ids go through the same steps; the behaviour table is in the collection's
    C(docs/modules.md).
  - The service refuses to delete a task while the agent on its source server is connected and the source
    server is busy (replicating, syncing, cloning, cutting over, ...). O(force=true) stops such a task first.
options:
  task_id:
    description:
      - Id of the task.
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Exactly one of O(task_id), O(task_ids) and O(name) is required.
    type: str
  task_ids:
    description:
      - Ids of several tasks to delete in one run, each checked as O(task_id) is; duplicates are ignored.
      - Reads choose the cheaper way, so that the cost follows the job rather than the account. Up to three ids are
        read one by one. For more, the first list page (200 tasks) tells how many tasks the account holds; pages
        are read on only while the pages left are fewer than the ids not seen yet, and the rest is read one by one
        (C(GET /v3/tasks/{task_id}), which also tells whether the agent is connected; a busy task found in a list
        page is read on its own for that). The confirmation after the deletion (O(wait)) and the wait after a stop
        (O(force)) follow the same rule - fewer ids than the account has pages are each read on their own.
      - For example, 10 tasks among 10,000 cost 22 requests (1 page, 10 reads, 1 batch, 10 confirmations), and
        2,000 among 2,500 cost 56 (13 pages, 40 batches, 3 pages to confirm).
      - Deletable tasks are deleted through the batch call C(POST /v3/tasks/delete), 50 ids at a time (a single
        deletable task with its own C(DELETE)). When the service refuses a batch, denies it (an account may hold
        C(sms:server:deleteTask) without C(sms:server:batchDeleteTask)) or its answer is lost, its tasks are deleted
        one by one, so that every deletable task is still deleted and every outcome is attributed to its task. Tasks
        predicted to be refused are sent one by one.
      - A batch answered with success carries no result per task and may have skipped tasks these credentials cannot
        see - with O(wait=true) each task is confirmed gone (read on its own, unless a complete listing of this run
        showed it before and no longer does).
      - The result lists every requested task in RV(tasks). The module fails when any task could not be deleted,
        and RV(tasks) still says which ones were.
      - An empty list (a computed selection that matched nothing, say a decommissioning job run a second time) is
        not an error - the module sends no request and returns C(changed=false) with a message that there was
        nothing to delete.
    type: list
    elements: str
  name:
    description:
      - Exact name of the task. The tasks are listed with this name and compared exactly.
      - When several tasks have this name, the module fails, lists their ids and deletes nothing; use O(task_id).
      - When no listed task has this name, nothing is deleted and the result is C(changed=false); the message says
        that no task of that name is visible to these credentials (a listing shows only what they may see, such as
        the tasks of their enterprise projects), not that it is absent.
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
      - Wait until the task is gone (SMS answers its own HTTP 404 for it) before returning.
      - A task that is already being deleted is waited for too.
      - With V(false), a deleted task's message says that SMS accepted the deletion, not that the task is gone.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the deletion with O(wait=true), for a stopped task to become deletable with
        O(force=true), and for the snapshots to be cleared with O(clear_snapshots=true).
    type: int
    default: 300
  clear_snapshots:
    description:
      - Before deleting a task, clear its synchronisation snapshots (the task action C(clear), "clear snapshot
        resources"), which SMS does not delete with the task and which may cost money, and wait until its source
        server reports C(cleared).
      - A task whose source server reports C(cleared) already gets no second C(clear). A task whose C(clear) the
        service refuses, or whose source server ends in C(clearfailed), is not deleted (its snapshots would be left
        behind) and fails the run, with the service's error; one still clearing when O(wait_timeout) passes is
        reported as V(timed_out).
      - A busy task without O(force) gets no C(clear) and no deletion, since clearing would reach the snapshots of a
        migration still running. It is reported as V(refused), and O(force=true) stops it first.
      - Which task states allow C(clear) is the service's decision; the module reports its answer. In check mode
        the message says that the snapshots would be cleared first; nothing is sent.
    type: bool
    default: false
    version_added: 1.1.0
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
attributes:
  check_mode:
    support: full
    description: Reads the task and predicts the outcome; sends nothing but reads (and, for password authentication, the IAM token request).
  diff_mode:
    support: full
    description: Shows the task's id, name, state, source server state and agent connection before, and V(absent) after.
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

- name: Delete finished tasks and the synchronisation snapshots they leave behind
  hwcloud.sms.sms_task:
    task_ids: "{{ wave_task_ids }}"
    state: absent
    clear_snapshots: true

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
    - One entry per requested task, in the order given (one entry for O(task_id) and O(name)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    name:
      description: The task name, when the task was found.
      type: str
    source_server_id:
      description:
        - The id of the task's source server, when the task was found and names one (the record that
          M(hwcloud.sms.sms_source_server) removes).
      type: str
      version_added: 1.0.0
    template_id:
      description:
        - The id of the server template the task was created from (its C(vm_template_id)), when the task names one;
          M(hwcloud.sms.sms_server_template) removes it.
      type: str
      returned: for a task that was found and names a template
      version_added: 1.1.0
    snapshots_cleared:
      description:
        - With O(clear_snapshots=true), whether the task's snapshots were cleared (by this run, or before it). V(false)
          in check mode.
      type: bool
      returned: with O(clear_snapshots=true), for a task that was found
      version_added: 1.1.0
    left_behind:
      description:
        - For a task that is (or would be) deleted, what it created that SMS does not delete with it, as far as the API
          tells - the target server (the migrated server), any clone server and the target snapshot; V(null) where
          there is none.
      type: dict
      version_added: 1.0.0
      contains:
        target_server_vm_id:
          description: The target server's id.
          type: str
        clone_server_vm_id:
          description: The clone server's id.
          type: str
        target_snapshot_id:
          description: The id of the task's target snapshot (C(target_snapshot_id) of the task).
          type: str
          version_added: 1.1.0
    result:
      description:
        - V(deleted), V(stopped_and_deleted), V(absent) (SMS said on the first read that it does not exist),
          V(vanished) (gone before this run's deletion took effect, as a read after a refused deletion or during the
          wait after a stop showed), V(deleting) (already being deleted before the run), V(refused) (the service
          refused), V(failed) (another error; also a deletion whose answer was lost and whose task could not be read
          again - the message then says it may have been deleted), V(timed_out) (O(wait_timeout) passed),
          V(not_attempted) (the run failed before this task's turn);
        - in check mode V(would_delete), V(would_stop_and_delete), V(would_be_refused).
      type: str
    msg:
      description: What happened to the task, or why it was not deleted, in words.
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
request_count:
  description: How many HTTP requests the run sent to SMS and IAM, retries included.
  returned: always
  type: int
  sample: 4
  version_added: 1.1.0
elapsed:
  description: How long the run took, in seconds.
  returned: always
  type: float
  sample: 0.518
  version_added: 1.1.0
request_log:
  description:
    - At verbosity 3 or more (C(-vvv)), the SMS endpoint, the IAM endpoint when one is used and the way of
      authentication, then one line per request - method, path and query, status or failure, duration and request id.
    - Never a header, a body or a secret.
  returned: at verbosity 3 or more
  type: list
  elements: str
  sample:
    - SMS endpoint https://sms.ap-southeast-3.myhuaweicloud.com
    - "authentication: an IAM token (auth_token)"
    - GET /v3/tasks/7a9a9540-ff28-4869-b9e4-855fbe12a0c1 -> 200 in 0.084 s, request id 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
  version_added: 1.1.0
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import TASK
from ansible_collections.hwcloud.sms.plugins.module_utils.options import removal_options
from ansible_collections.hwcloud.sms.plugins.module_utils.removal import remove


def main():
    options = removal_options("task_id", "task_ids")
    options["argument_spec"]["clear_snapshots"] = dict(type="bool", default=False)
    sms = SmsModule(**options)
    sms.run(lambda: remove(sms, TASK, "task_id", "task_ids"))


if __name__ == "__main__":
    main()
