#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_task_info
short_description: List Huawei Cloud SMS migration tasks, or show one
version_added: 0.1.0
description:
  - Lists Server Migration Service (SMS) migration tasks with the service's filters, following pages to the end,
    or shows one task by its id.
  - Adds to each task whether the service would allow its deletion now (RV(tasks[].deletable)) and why not
    (RV(tasks[].deletion_blocker)), by the same rule as M(hwcloud.sms.sms_task).
options:
  task_id:
    description:
      - Show this task only. An id that SMS says does not exist gives an empty RV(tasks) list; a 404 from the API
        gateway or a proxy is a failure.
      - Cannot be combined with the filters.
    type: str
  name:
    description:
      - Only tasks with exactly this name. The service's name filter is used and its answer compared exactly.
    type: str
  state:
    description:
      - Only tasks in this state.
      - The service's list filter accepts V(READY), V(RUNNING), V(SYNCING), V(MIGRATE_SUCCESS), V(MIGRATE_FAIL),
        V(ABORTING), V(ABORT), V(DELETING), V(SYNC_F_ROLLBACKING) and V(SYNC_F_ROLLBACK_SUCCESS), which are sent to
        it. The other states are filtered on this side, from a listing of every task.
    type: str
    choices: [READY, RUNNING, SYNCING, MIGRATE_SUCCESS, SYNC_SUCCESS, MIGRATE_FAIL, SYNC_FAIL, ABORTING, ABORT,
              SKIPPING, DELETING, RESETING, SYNC_F_ROLLBACKING, SYNC_F_ROLLBACK_SUCCESS]
  source_server_id:
    description:
      - Only the tasks of this source server. The service's filter is used and every task it returns is checked
        again on this side, so that a service or gateway that ignored the filter cannot widen the answer.
    type: str
  enterprise_project_id:
    description:
      - Only the tasks of this enterprise project, checked again on this side as O(source_server_id) is.
    type: str
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
  - hwcloud.sms.attributes.info_module
seealso:
  - module: hwcloud.sms.sms_task
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Find the migration tasks of a source server
  hwcloud.sms.sms_task_info:
    source_server_id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
  register: found

- name: Delete those that may be deleted now
  hwcloud.sms.sms_task:
    task_ids: "{{ found.tasks | selectattr('deletable', 'true') | map(attribute='id') | list }}"
    state: absent

- name: Show one task
  hwcloud.sms.sms_task_info:
    task_id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
  register: one
"""

RETURN = r"""
tasks:
  description:
    - The tasks as the service returned them (unknown keys included), each with RV(tasks[].deletable) and
      RV(tasks[].deletion_blocker) added.
    - Listed tasks carry the fields of the service's list items, which lack C(connected); a task shown by
      O(task_id) carries every field of C(GET /v3/tasks/{task_id}).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Task id.
      type: str
    name:
      description: Task name.
      type: str
    state:
      description: Task state, for example V(MIGRATE_SUCCESS).
      type: str
    source_server:
      description: The source server, with its C(state).
      type: dict
    deletable:
      description:
        - Whether the service would delete the task now. V(null) only when a busy task vanished before it could be
          read on its own.
      type: bool
    deletion_blocker:
      description:
        - Why the service would refuse to delete the task now (the reason M(hwcloud.sms.sms_task) gives), for example
          V(the source server is in state 'replicate' and its agent is connected); V(null) when it is deletable.
      type: str
      version_added: 1.1.0
  sample:
    - id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
      name: web-01-migration
      state: MIGRATE_SUCCESS
      source_server: {id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab, name: web-01, state: finished}
      deletable: true
      deletion_blocker: null
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

from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsFailure, SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.options import check_id
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import deletable, deletion_blocker

FILTERS = ("name", "state", "source_server_id", "enterprise_project_id")
# The states the service's list filter accepts; the others are filtered here, on the client side.
LIST_FILTER_STATES = frozenset([
    "READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORTING", "ABORT", "DELETING",
    "SYNC_F_ROLLBACKING", "SYNC_F_ROLLBACK_SUCCESS"])


def matches(task, params):
    """True when the listed ``task`` has every value the filters ask for."""
    values = {"name": task.get("name"), "state": task.get("state"),
              "source_server_id": (task.get("source_server") or {}).get("id"),
              "enterprise_project_id": task.get("enterprise_project_id")}
    return all(params[key] is None or values[key] == params[key] for key in FILTERS)


def judged(client, task):
    """``task`` with whether the service would delete it now, and why not. A listed busy task is read on its own:
    list items do not say whether the agent is connected. ``deletable`` is None when it vanished meanwhile."""
    verdict, read = deletable(task), task
    if verdict is None:
        read = client.get_task(task["id"])
        verdict = deletable(read) if read else None
    blocker = deletion_blocker(read) if read and verdict is False else None
    return dict(task, deletable=verdict, deletion_blocker=blocker)


def main():
    sms = SmsModule(
        argument_spec=dict(
            task_id=dict(type="str"),
            name=dict(type="str"),
            state=dict(type="str", choices=[
                "READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "SYNC_SUCCESS", "MIGRATE_FAIL", "SYNC_FAIL",
                "ABORTING", "ABORT", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING",
                "SYNC_F_ROLLBACK_SUCCESS"]),
            source_server_id=dict(type="str"),
            enterprise_project_id=dict(type="str"),
        ),
        mutually_exclusive=[("task_id", key) for key in FILTERS],
        supports_check_mode=True,
    )
    sms.run(lambda: {"changed": False, "tasks": find(sms.client, sms.params)})


def find(client, params):
    """The tasks the options ask for, each with whether the service would delete it now."""
    if params["task_id"] is not None:
        check_id(params["task_id"], "task_id")
    try:
        if params["task_id"] is not None:
            task = client.get_task(params["task_id"])
            tasks = [task] if task else []
        else:
            filters = {key: params[key] for key in FILTERS}
            if filters["state"] not in LIST_FILTER_STATES:
                filters["state"] = None
            # every filter is checked again here: the name filter may match more than the name, the state filter
            # knows only some states, and a service or gateway may ignore any of them
            tasks = [task for task in client.list_tasks(**filters) if matches(task, params)]
        return [judged(client, task) for task in tasks]
    except SmsApiError as error:
        raise SmsFailure(error.message(), cause=error, tasks=[])


if __name__ == "__main__":
    main()
