#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_source_server_info
short_description: List Huawei Cloud SMS source servers, or show one
version_added: 0.1.0
description:
  - Lists the source-server records of the Server Migration Service (SMS), the record each migrated server leaves
    behind, with the service's filters and following pages to the end (C(GET /v3/sources)), or shows one record
    by its id (C(GET /v3/sources/{source_id})).
  - Adds to each record whether the service would allow its deletion now (RV(source_servers[].deletable)), why not
    (RV(source_servers[].deletion_blocker)), and the servers SMS does not delete with the record
    (RV(source_servers[].left_behind)).
  - The service documents no rule for deleting a source server. This module applies the rule for migration tasks to
    the source's current task, as M(hwcloud.sms.sms_task) does - a source whose agent is connected while its current
    task is busy (the source server replicating, syncing, cloning, cutting over, ...) is predicted to be refused.
  - Only reads; changes nothing. M(hwcloud.sms.sms_source_server) deletes the records.
options:
  source_server_id:
    description:
      - Show this source server only. An id that SMS says does not exist gives an empty RV(source_servers) list; a
        404 from the API gateway or a proxy is a failure.
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Cannot be combined with the filters. The filters combine with each other; a source server must match them
        all.
    type: str
  name:
    description:
      - Only source servers with exactly this name. The service's name filter is used and its answer compared
        exactly, since the service's filter may match more than the exact name.
    type: str
  state:
    description:
      - Only source servers in this state, as the service's filter selects them.
      - V(unavailable) means the environment check failed, V(stopped) that the migration is paused.
    type: str
    choices: [unavailable, waiting, initialize, replicate, syncing, stopping, stopped, skipping, deleting, clearing,
              cleared, clearfailed, premigready, premiged, premigfailed, premiging, cloning, cutovering, finished,
              error]
  ip:
    description:
      - Only source servers with this IP address, as the service's filter selects them.
    type: str
  migration_cycle:
    description:
      - Only source servers at this step of their migration, as the service's filter selects them.
    type: str
    choices: [checking, setting, replicating, syncing, cutovering, cutovered]
  connected:
    description:
      - Only source servers whose agent is connected to SMS (V(true)) or not (V(false)), as the service's filter
        selects them.
      - This filter and O(name), O(state), O(ip), O(migration_cycle) and O(enterprise_project_id) are checked again on
        every record returned, so that a service or gateway that ignored a filter cannot widen the answer.
    type: bool
  migproject:
    description:
      - Only source servers of this migration project (its id), as the service's filter selects them.
      - A listed record does not name its migration project, so this filter alone cannot be checked again here.
    type: str
  enterprise_project_id:
    description:
      - Only source servers of this enterprise project, as the service's filter selects them.
    type: str
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
  - hwcloud.sms.attributes.info_module
notes:
  - Deleting a source-server record touches neither the source machine nor the target server; SMS deletes no target
    or clone server (RV(source_servers[].left_behind)), and the temporary disks and synchronisation snapshots of a
    migration may remain too.
seealso:
  - module: hwcloud.sms.sms_source_server
    description: Deletes source-server records, by the same rule.
  - module: hwcloud.sms.sms_task_info
    description: The migration tasks of a source server.
  - name: SMS API reference, ListServers
    description: The listing this module reads, with its filters.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/ListServers.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Find the source servers whose migration is over
  hwcloud.sms.sms_source_server_info:
    migration_cycle: cutovered
  register: migrated

- name: Show what they leave behind, and which of them could be deleted now
  ansible.builtin.debug:
    msg: "{{ item.name }}: deletable {{ item.deletable }}, target server {{ item.left_behind.target_server_vm_id }}"
  loop: "{{ migrated.source_servers }}"
  loop_control:
    label: "{{ item.id }}"

- name: Find a source server by its exact name
  hwcloud.sms.sms_source_server_info:
    name: web-01
  register: web

- name: Show one source server
  hwcloud.sms.sms_source_server_info:
    source_server_id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
  register: one

- name: Source servers whose agent is connected, in one enterprise project
  hwcloud.sms.sms_source_server_info:
    connected: true
    enterprise_project_id: "0"
  register: connected
"""

RETURN = r"""
source_servers:
  description:
    - The source servers as the service returned them (unknown keys included), each with
      RV(source_servers[].deletable), RV(source_servers[].deletion_blocker) and RV(source_servers[].left_behind)
      added.
    - Listed source servers carry the fields of the service's list items; one shown by O(source_server_id) carries
      every field of C(GET /v3/sources/{source_id}) (disks and networks, for example).
    - Empty when nothing matched, or when SMS says that O(source_server_id) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Source server id.
      type: str
    name:
      description: Source server name.
      type: str
    ip:
      description: The source server's IP address.
      type: str
    state:
      description: Source server state, for example V(finished).
      type: str
    connected:
      description: Whether the agent on the source server is connected to SMS.
      type: bool
    migration_cycle:
      description: The step of the migration, for example V(cutovered).
      type: str
    current_task:
      description: The source server's migration task, with its C(id), C(state), C(target_server) and
        C(clone_server); missing or V(null) when it has none.
      type: dict
    deletable:
      description:
        - Whether the service would delete the record now - V(false) while its agent is connected and its current
          task is busy, V(true) otherwise.
        - V(null) when the record does not say whether its agent is connected while its current task is busy.
      type: bool
    deletion_blocker:
      description:
        - Why the service would refuse to delete the record now, for example
          V(the source server is in state 'replicate' and its agent is connected); V(null) when it is deletable.
      type: str
    left_behind:
      description: The servers SMS does not delete with the record (ECS servers, to be deleted by other means).
      type: dict
      contains:
        target_server_vm_id:
          description: The id of the target server of the current task; V(null) when there is none.
          type: str
        clone_server_vm_id:
          description: The id of the clone server of the current task; V(null) when there is none.
          type: str
        target_snapshot_id:
          description: The id of the target snapshot of the current task, when the record names one; else V(null).
          type: str
          version_added: 1.1.0
  sample:
    - id: c3f1d2e4-aaaa-bbbb-cccc-0123456789ab
      name: web-01
      ip: 198.51.100.7
      state: finished
      connected: false
      migration_cycle: cutovered
      current_task:
        id: 7a9a9540-ff28-4869-b9e4-855fbe12a0c1
        state: MIGRATE_SUCCESS
        target_server: {vm_id: 0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9, name: web-01-target}
      deletable: true
      deletion_blocker: null
      left_behind: {target_server_vm_id: 0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9, clone_server_vm_id: null, target_snapshot_id: null}
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
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import left_behind, source_blocker, source_deletable

SOURCE_STATES = [
    "unavailable", "waiting", "initialize", "replicate", "syncing", "stopping", "stopped", "skipping", "deleting",
    "clearing", "cleared", "clearfailed", "premigready", "premiged", "premigfailed", "premiging", "cloning",
    "cutovering", "finished", "error"]
MIGRATION_CYCLES = ["checking", "setting", "replicating", "syncing", "cutovering", "cutovered"]
FILTERS = ("name", "state", "ip", "migration_cycle", "connected", "migproject", "enterprise_project_id")


def service_filters(params):
    """The list query as the service expects it: the filters given, a boolean as ``true``/``false``."""
    filters = {key: params[key] for key in FILTERS}
    if filters["connected"] is not None:
        filters["connected"] = "true" if filters["connected"] else "false"
    return filters


CHECKED_FILTERS = ("name", "state", "ip", "migration_cycle", "connected", "enterprise_project_id")


def matches(source, params):
    """True when the listed ``source`` has every value the filters ask for (those a listed record shows)."""
    return all(params[key] is None or source.get(key) == params[key] for key in CHECKED_FILTERS)


def described(source):
    """The source as the service sent it, with what the collection can tell about its deletion."""
    return dict(source, deletable=source_deletable(source), deletion_blocker=source_blocker(source),
                left_behind=left_behind(source))


def main():
    sms = SmsModule(
        argument_spec=dict(
            source_server_id=dict(type="str"),
            name=dict(type="str"),
            state=dict(type="str", choices=SOURCE_STATES),
            ip=dict(type="str"),
            migration_cycle=dict(type="str", choices=MIGRATION_CYCLES),
            connected=dict(type="bool"),
            migproject=dict(type="str"),
            enterprise_project_id=dict(type="str"),
        ),
        mutually_exclusive=[("source_server_id", key) for key in FILTERS],
        supports_check_mode=True,
    )
    sms.run(lambda: {"changed": False, "source_servers": [described(source) for source in find(sms.client, sms.params)]})


def find(client, params):
    """The source servers the options ask for."""
    if params["source_server_id"] is not None:
        check_id(params["source_server_id"], "source_server_id")
    try:
        if params["source_server_id"] is not None:
            source = client.get_source(params["source_server_id"])
            return [source] if source else []
        # every filter the answer can show is checked again here (the name filter may match more than the
        # name, and a service or gateway may ignore any filter); migproject is not part of a listed record
        return [source for source in client.list_sources(**service_filters(params)) if matches(source, params)]
    except SmsApiError as error:
        raise SmsFailure(error.message(), cause=error, source_servers=[])


if __name__ == "__main__":
    main()
