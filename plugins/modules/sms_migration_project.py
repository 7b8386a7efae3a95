#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_migration_project
short_description: Delete Huawei Cloud SMS migration projects
version_added: 1.1.0
description:
  - Deletes migration projects of the Server Migration Service (SMS) - the groups SMS keeps source servers and their
    migration settings in - through C(DELETE /v3/migprojects/{mig_project_id}), one project at a time (the service
    has no batch deletion of projects).
  - Reads first, so that a project that is already gone is reported as unchanged, and check mode tells what would
    happen without changing anything.
  - The service deletes only a project without servers, and never the default project. Both are read from the
    project's own fields (C(exist_server), C(isdefault)); such a project is refused here with a clear message and
    result V(refused), before any write is sent - in check mode too - and the module fails.
  - A project is reported gone only on SMS's own word about its id - a 404 whose error code is C(SMS.) followed by
    digits, or its absence from a complete listing that showed it earlier in the same run. A 404 from the API gateway,
    a proxy or another service fails the run with a hint about the endpoint, site and proxy settings.
  - C(changed) is true as soon as a write of this run may have taken effect, and false when no write was sent.
  - One id, a name and a list of ids go through the same steps as M(hwcloud.sms.sms_task); the behaviour table is in
    the collection's C(docs/modules.md).
options:
  migration_project_id:
    description:
      - Id of the migration project (not the IAM project of O(project_id), which is a connection option).
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Exactly one of O(migration_project_id), O(migration_project_ids) and O(name) is required.
    type: str
  migration_project_ids:
    description:
      - Ids of several migration projects to delete in one run, each checked as O(migration_project_id) is;
        duplicates are ignored.
      - Up to three ids are read one by one; for more, the list pages (50 projects each) are read as for
        O(hwcloud.sms.sms_task#module:task_ids), and the rest is read one by one.
      - Each deletable project is deleted with its own C(DELETE) (the service has no batch call for projects). A
        project refused here (the default project, a project with servers) is not sent, and the others are still
        deleted.
      - The result lists every requested project in RV(migration_projects). The module fails when any project could
        not be deleted, and RV(migration_projects) still says which ones were.
      - An empty list is not an error - nothing is sent and the result is C(changed=false).
    type: list
    elements: str
  name:
    description:
      - Exact name of the migration project. The service has no filter for projects - every project is listed and
        its name compared exactly.
      - When several projects have this name, the module fails, lists their ids and deletes nothing; use
        O(migration_project_id).
      - When no listed project has this name, nothing is deleted and the result is C(changed=false); the message
        says that no project of that name is visible to these credentials, not that it is absent.
    type: str
  state:
    description:
      - V(absent) deletes the project. Required, so that a forgotten O(state) can never mean a deletion.
    type: str
    required: true
    choices: [absent]
  wait:
    description:
      - Wait until every deleted project is gone (SMS answers its own HTTP 404 for it) before returning.
      - With V(false), a deleted project's message says that SMS accepted the deletion, not that it is gone.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the deletion with O(wait=true).
    type: int
    default: 300
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
attributes:
  check_mode:
    support: full
    description: Reads the projects and predicts the outcome, refusals included; sends nothing but reads.
  diff_mode:
    support: full
    description: Shows each project's id, name, C(isdefault) and C(exist_server) before, and V(absent) after.
notes:
  - To empty a project, remove its source servers first (M(hwcloud.sms.sms_source_server); the project's servers are
    listed by M(hwcloud.sms.sms_source_server_info) with O(hwcloud.sms.sms_source_server_info#module:migproject)).
  - C(exist_server) is the service's word for whether the project has servers, including servers these credentials
    may not see.
seealso:
  - module: hwcloud.sms.sms_migration_project_info
  - module: hwcloud.sms.sms_source_server
  - name: SMS API reference, DeleteMigproject
    description: The call this module wraps.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/DeleteMigproject.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Delete an empty migration project by id
  hwcloud.sms.sms_migration_project:
    migration_project_id: 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
    state: absent

- name: Delete a migration project by its exact name
  hwcloud.sms.sms_migration_project:
    name: wave-3
    state: absent

- name: Find the projects that could be deleted now
  hwcloud.sms.sms_migration_project_info:
  register: projects

- name: Delete them
  hwcloud.sms.sms_migration_project:
    migration_project_ids: "{{ projects.migration_projects | selectattr('deletable') | map(attribute='id') | list }}"
    state: absent

# Ad-hoc:
#   ansible localhost -m hwcloud.sms.sms_migration_project -a "name=wave-3 state=absent" --check --diff
"""

RETURN = r"""
msg:
  description: What happened, or what would happen in check mode.
  returned: always
  type: str
  sample: SMS migration project 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d (wave-3) deleted
migration_project:
  description:
    - With O(migration_project_id) or O(name), the project as the service returned it before the deletion (the
      fields of C(GET /v3/migprojects/{mig_project_id}), with its C(id)); an empty dict when it did not exist.
  returned: when O(migration_project_id) or O(name) is used
  type: dict
  sample:
    id: 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
    name: wave-3
    isdefault: false
    exist_server: false
    region: cn-north-4
    type: MIGRATE_BLOCK
migration_projects:
  description: One entry per requested project, in the order given (one entry for O(migration_project_id) and O(name)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The project id.
      type: str
    name:
      description: The project name, when the project was found.
      type: str
    result:
      description:
        - V(deleted), V(absent) (SMS said on the first read that it does not exist), V(refused) (the default project,
          or a project with servers - refused here from its own fields, nothing sent), V(vanished) (gone before this
          run's deletion took effect, as a read after a failed deletion showed), V(failed) (the service refused the
          deletion, or another error; also a deletion whose answer was lost and whose project could not be read
          again - the message then says it may have been deleted), V(timed_out) (O(wait_timeout) passed),
          V(not_attempted) (the run failed before this project's turn);
        - in check mode V(would_delete), V(refused) (nothing sent, the module fails as in a real run), V(absent).
      type: str
    msg:
      description:
        - What happened to the project, or why it was not deleted, in words; for a refused project, the reason read
          from its fields (the default project, or a project that still has servers) and that nothing was sent.
      type: str
    error:
      description: For an API failure, the service's error as RV(error) holds it.
      type: dict
  sample:
    - {id: 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d, name: wave-3, result: deleted}
    - {id: 137224b7-8d7c-4919-b33e-ed159778d7a7, name: default, result: refused}
migration_project_ids:
  description: The ids of the projects that share the O(name), when there are several and nothing was deleted.
  returned: when O(name) matches more than one project
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
  sample: 3
elapsed:
  description: How long the run took, in seconds.
  returned: always
  type: float
  sample: 0.518
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
    - GET /v3/migprojects/5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d -> 200 in 0.084 s, request id 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import MIGPROJECT
from ansible_collections.hwcloud.sms.plugins.module_utils.options import removal_options
from ansible_collections.hwcloud.sms.plugins.module_utils.removal import remove


def main():
    # not project_id / project_ids: project_id is the connection option that names the IAM project
    options = removal_options("migration_project_id", "migration_project_ids", force=False)
    sms = SmsModule(**options)
    sms.run(lambda: remove(sms, MIGPROJECT, "migration_project_id", "migration_project_ids"))


if __name__ == "__main__":
    main()
