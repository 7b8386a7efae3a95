#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_source_server
short_description: Delete Huawei Cloud SMS source-server records
version_added: 1.0.0
description:
  - Deletes the source-server records that migrated servers leave behind in the Server Migration Service (SMS),
    through C(DELETE /v3/sources/{source_id}), or C(POST /v3/sources/delete) for several.
  - A record stays in the console after its migration task is deleted and counts against the quota of 1,000 source
    servers per account. Deleting it touches neither the source machine nor the target server; the record comes
    back only when the agent on the source server is restarted.
  - Reads first, so that a record that is already gone is reported as unchanged, and check mode tells what would
    happen without changing anything.
  - The service documents no rule for refusing a deletion. The module applies the task rule to the source's current
    task - a source whose agent is connected and whose state is busy (replicating, syncing, cloning, ...) is
    predicted refused; without O(force), a real run still asks the service, which decides.
  - The result says what SMS leaves to the user - each deleted record's target server and clone server (ECS
    servers that SMS cannot delete) - and reminds that temporary disks and synchronisation snapshots may remain.
options:
  source_server_id:
    description:
      - Id of the source server (its record).
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Exactly one of O(source_server_id), O(source_server_ids) and O(name) is required.
    type: str
  source_server_ids:
    description:
      - Ids of several source servers to delete in one run, each checked as O(source_server_id) is; duplicates are
        ignored.
      - Reads follow the rule of M(hwcloud.sms.sms_task) for O(hwcloud.sms.sms_task#module:task_ids) - up to three
        ids are read one by one; for more, list pages are read on only while the pages left are fewer than the ids
        not seen yet, and the rest is read one by one.
      - Deletable records are deleted through the batch call C(POST /v3/sources/delete), 50 ids at a time. When the
        service refuses a batch, its records are deleted one by one, so that every deletable record is still
        deleted and every refusal is attributed to its record.
      - The result lists every requested record in RV(source_servers). The module fails when any record could not
        be deleted, and RV(source_servers) still says which ones were.
      - An empty list is not an error - nothing is sent and the result is C(changed=false).
    type: list
    elements: str
  name:
    description:
      - Exact name of the source server. The records are listed with this name and compared exactly.
      - When several records have this name, the module fails, lists their ids and deletes nothing; use
        O(source_server_id).
    type: str
  state:
    description:
      - V(absent) deletes the record. Required, so that a forgotten O(state) can never mean a deletion.
    type: str
    required: true
    choices: [absent]
  force:
    description:
      - For a source whose current task is busy, first remove the source's migration tasks (those listed for it,
        C(GET /v3/tasks?source_server_id=), and its current task) as M(hwcloud.sms.sms_task) with O(force=true)
        does - stop, wait until deletable, delete, wait until gone - then delete the record.
      - A source that is not busy is deleted without touching its tasks.
      - When one of its tasks cannot be removed, the record is not deleted and its entry lists the tasks' outcomes.
      - The tasks are those whose C(source_server.id) names the source - the listing's filter is checked again on
        every task, so that a service or gateway that ignores it can never widen the removal.
    type: bool
    default: false
  allowed_task_ids:
    description:
      - The only migration tasks this run may stop or delete together with the records - typically the tasks a
        decommissioning run was asked to delete.
      - Each record's server's tasks are listed (C(GET /v3/tasks?source_server_id=), checked again on this side, one
        listing of every task for more than three records) and its current task is added. A record whose server
        still has a task outside this list is not touched - its result is V(kept), its C(task_ids) name those tasks,
        and it is neither a change nor a failure.
      - Without it, every task of a named source server may be removed with O(force=true).
    type: list
    elements: str
    version_added: 1.1.0
  wait:
    description:
      - Wait until every deleted record is gone (the service answers HTTP 404 for it) before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the deletion with O(wait=true), and for the tasks removed with O(force=true).
    type: int
    default: 300
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
attributes:
  check_mode:
    support: full
    description: Reads the records (and, with O(force), lists a busy source's tasks) and predicts the outcome; sends nothing but reads.
  diff_mode:
    support: full
    description: Shows each record's id, name, state, agent connection, migration cycle and current task before, and V(absent) after.
seealso:
  - module: hwcloud.sms.sms_source_server_info
  - module: hwcloud.sms.sms_task
  - name: SMS API reference, DeleteServer
    description: The call this module wraps.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/DeleteServer.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Delete the record of a migrated server
  hwcloud.sms.sms_source_server:
    source_server_id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
    state: absent
  register: removed

- name: Show what is left to clean by hand (target and clone servers)
  ansible.builtin.debug:
    msg: "{{ removed.source_servers | map(attribute='left_behind') | list }}"

- name: Delete a record by its exact name, removing its migration tasks first if it is still busy
  hwcloud.sms.sms_source_server:
    name: web-01
    state: absent
    force: true

- name: Delete the records of a whole migration wave (batch calls of 50 ids)
  hwcloud.sms.sms_source_server:
    source_server_ids: "{{ wave_source_ids }}"
    state: absent

# Ad-hoc:
#   ansible localhost -m hwcloud.sms.sms_source_server -a "source_server_id=c3f1d2e4-aaaa-bbbb-cccc-0123456789ab state=absent" --check --diff
"""

RETURN = r"""
msg:
  description: What happened, or what would happen in check mode.
  returned: always
  type: str
  sample: "1 SMS source servers: 1 deleted"
source_server:
  description:
    - With O(source_server_id) or O(name), the record as the service returned it before the deletion (fields of
      C(GET /v3/sources/{source_id})); an empty dict when it did not exist.
  returned: when O(source_server_id) or O(name) is used
  type: dict
  sample:
    id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
    name: web-01
    state: finished
    connected: false
    migration_cycle: cutovered
source_servers:
  description: One entry per requested record, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The source server id.
      type: str
    name:
      description: The source server name, when it was found.
      type: str
    result:
      description:
        - V(deleted), V(deleted_with_tasks) (its tasks removed first, with O(force)), V(absent) (not found),
          V(vanished) (gone before its deletion), V(deleting) (already being deleted), V(refused) (the service
          refused), V(failed) (another error, or its tasks could not all be removed), V(timed_out)
          (O(wait_timeout) passed), V(kept) (its server still has tasks outside O(allowed_task_ids) - not touched,
          not a failure), V(not_attempted) (the run failed before this record's turn);
        - in check mode V(would_delete), V(would_delete_tasks_and_delete), V(would_be_refused).
      type: str
    msg:
      description: What happened to the record, or why it was not deleted, in words.
      type: str
    error:
      description: For a refusal or another API failure, the service's error as RV(error) holds it.
      type: dict
    task_ids:
      description:
        - With O(force), the tasks of a busy source that are (or in check mode would be) removed first.
        - For a V(kept) record, its server's tasks outside O(allowed_task_ids).
      type: list
      elements: str
    tasks:
      description: With O(force), each of those tasks' outcome, as RV(hwcloud.sms.sms_task#module:tasks) reports it.
      type: list
      elements: dict
    left_behind:
      description:
        - For a record that is (or would be) deleted, what SMS does not delete with it - ECS servers to check by hand.
      type: dict
      contains:
        target_server_vm_id:
          description: The target server of the source's current task, or null.
          type: str
        clone_server_vm_id:
          description: The clone server of the source's current task, or null.
          type: str
        target_snapshot_id:
          description: The target snapshot of the source's current task, when the record names one, or null.
          type: str
          version_added: 1.1.0
  sample:
    - {id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab, name: web-01, result: deleted,
       left_behind: {target_server_vm_id: 5e6f7a8b-1111-2222-3333-444455556666, clone_server_vm_id: null, target_snapshot_id: null}}
reminder:
  description: A reminder of the resources SMS does not delete (target and clone servers, temporary disks, snapshots).
  returned: when a record was (or would be) deleted
  type: str
source_server_ids:
  description: The ids of the records that share the O(name), when there are several and nothing was deleted.
  returned: when O(name) matches more than one record
  type: list
  elements: str
error:
  description: On an API failure, the service's error exactly as it was sent.
  returned: when the service answered with an error or could not be reached
  type: dict
  contains:
    status:
      description: HTTP status, or null when no answer arrived.
      type: int
    request_id:
      description: Request id from the C(X-Request-Id) header or the body's C(request_id). Quote it to Huawei support.
      type: str
    error_code:
      description: The service's error code.
      type: str
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
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import SOURCE
from ansible_collections.hwcloud.sms.plugins.module_utils.options import removal_options
from ansible_collections.hwcloud.sms.plugins.module_utils.removal import remove


def main():
    options = removal_options("source_server_id", "source_server_ids")
    options["argument_spec"]["allowed_task_ids"] = dict(type="list", elements="str")
    sms = SmsModule(**options)
    sms.run(lambda: remove(sms, SOURCE, "source_server_id", "source_server_ids",
                           allowed_task_ids=sms.params["allowed_task_ids"]))


if __name__ == "__main__":
    main()
