#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_migration_project_info
short_description: List Huawei Cloud SMS migration projects, or show one
version_added: 1.1.0
description:
  - Lists the migration projects of the Server Migration Service (SMS), following pages to the end
    (C(GET /v3/migprojects)), or shows one project by its id (C(GET /v3/migprojects/{mig_project_id})).
  - Adds to each project whether the service would delete it (RV(migration_projects[].deletable)) and why not
    (RV(migration_projects[].deletion_blocker)), by the rule of M(hwcloud.sms.sms_migration_project) - SMS deletes only
    a project without servers (C(exist_server)), and never the default project (C(isdefault)).
  - Only reads; changes nothing.
options:
  migration_project_id:
    description:
      - Show this project only. An id that SMS says does not exist gives an empty RV(migration_projects) list; a 404
        from the API gateway or a proxy is a failure.
      - Not the IAM project of O(project_id), which is a connection option.
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Cannot be combined with O(name).
    type: str
  name:
    description:
      - Only projects with exactly this name. The service has no filter for projects - every project is listed and
        its name compared exactly.
    type: str
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
  - hwcloud.sms.attributes.info_module
seealso:
  - module: hwcloud.sms.sms_migration_project
    description: Deletes migration projects, by the same rule.
  - module: hwcloud.sms.sms_source_server_info
    description: The source servers of a project (its O(hwcloud.sms.sms_source_server_info#module:migproject) filter).
  - name: SMS API reference, ListMigprojects
    description: The listing this module reads.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/ListMigprojects.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: List the migration projects, with whether each could be deleted now
  hwcloud.sms.sms_migration_project_info:
  register: projects

- name: Say why those that cannot be deleted are kept
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.deletion_blocker }}"
  loop: "{{ projects.migration_projects | rejectattr('deletable') | list }}"
  loop_control:
    label: "{{ item.id }}"

- name: Find a project by its exact name
  hwcloud.sms.sms_migration_project_info:
    name: wave-3
  register: wave

- name: Show one project
  hwcloud.sms.sms_migration_project_info:
    migration_project_id: 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
  register: one
"""

RETURN = r"""
migration_projects:
  description:
    - The projects as the service returned them (unknown keys included), each with
      RV(migration_projects[].deletable) and RV(migration_projects[].deletion_blocker) added.
    - A project shown by O(migration_project_id) carries its C(id) even when the service's answer leaves it out.
    - Empty when nothing matched, or when SMS says that O(migration_project_id) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Migration project id.
      type: str
    name:
      description: Migration project name.
      type: str
    isdefault:
      description: Whether it is the default migration project, which SMS never deletes.
      type: bool
    exist_server:
      description: Whether the project has servers; SMS deletes only a project without servers.
      type: bool
    deletable:
      description:
        - Whether the service would delete the project as it is - V(false) for the default project and for a
          project with servers, V(true) otherwise.
      type: bool
    deletion_blocker:
      description:
        - Why the service would not delete the project, for example V(it is the default migration project, which SMS
          never deletes); V(null) when it is deletable.
      type: str
  sample:
    - id: 137224b7-8d7c-4919-b33e-ed159778d7a7
      name: default
      isdefault: true
      exist_server: false
      region: cn-north-4
      type: MIGRATE_BLOCK
      deletable: false
      deletion_blocker: it is the default migration project, which SMS never deletes
    - id: 5b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
      name: wave-3
      isdefault: false
      exist_server: false
      region: cn-north-4
      type: MIGRATE_BLOCK
      deletable: true
      deletion_blocker: null
request_count:
  description: How many HTTP requests the run sent to SMS and IAM, retries included.
  returned: always
  type: int
  sample: 1
elapsed:
  description: How long the run took, in seconds.
  returned: always
  type: float
  sample: 0.218
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
    - GET /v3/migprojects?limit=50&offset=0 -> 200 in 0.084 s, request id 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import MIGPROJECTS
from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsFailure, SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.options import check_id
from ansible_collections.hwcloud.sms.plugins.module_utils.task_rules import project_blocker


def described(project):
    """The project as the service sent it, with whether the service would delete it, and why not."""
    blocker = project_blocker(project)
    return dict(project, deletable=blocker is None, deletion_blocker=blocker)


def main():
    sms = SmsModule(
        argument_spec=dict(
            migration_project_id=dict(type="str"),
            name=dict(type="str"),
        ),
        mutually_exclusive=[("migration_project_id", "name")],
        supports_check_mode=True,
    )
    sms.run(lambda: {"changed": False,
                     "migration_projects": [described(project) for project in find(sms.client, sms.params)]})


def find(client, params):
    """The migration projects the options ask for."""
    if params["migration_project_id"] is not None:
        check_id(params["migration_project_id"], "migration_project_id")
    try:
        if params["migration_project_id"] is not None:
            project = client.get_record(MIGPROJECTS, params["migration_project_id"])
            return [project] if project else []
        # the service has no filter for projects: every project is listed, and the name compared here
        return [project for project in client.list_records(MIGPROJECTS)
                if params["name"] is None or project.get("name") == params["name"]]
    except SmsApiError as error:
        raise SmsFailure(error.message(), cause=error, migration_projects=[])


if __name__ == "__main__":
    main()
