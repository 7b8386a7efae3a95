#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_server_template_info
short_description: List Huawei Cloud SMS server templates, or show one
version_added: 1.1.0
description:
  - Lists the server templates of the Server Migration Service (SMS) - the settings a migration used to create its
    target server - with the service's filters and following pages to the end (C(GET /v3/vm/templates)), or shows
    one template by its id (C(GET /v3/vm/templates/{id})).
  - A template's C(target_password) (the target server's password, when the template holds one) is dropped from
    every template read, as soon as it arrives; no returned template holds it.
  - Only reads; changes nothing. M(hwcloud.sms.sms_server_template) deletes templates.
options:
  template_id:
    description:
      - Show this template only. An id that SMS says does not exist gives an empty RV(templates) list; a 404 from the
        API gateway or a proxy is a failure.
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Cannot be combined with the filters. The filters combine with each other; a template must match them all.
    type: str
  name:
    description:
      - Only templates with exactly this name. The service's name filter is used and its answer compared exactly,
        since the service's filter may match more than the exact name.
    type: str
  availability_zone:
    description:
      - Only templates of this availability zone, for example V(cn-north-4a). The service's filter is used, and every
        template it returns is checked again on this side, so that a service or gateway that ignored the filter
        cannot widen the answer.
    type: str
extends_documentation_fragment:
  - hwcloud.sms.connection
  - hwcloud.sms.attributes
  - hwcloud.sms.attributes.info_module
seealso:
  - module: hwcloud.sms.sms_server_template
    description: Deletes server templates.
  - module: hwcloud.sms.sms_task_info
    description: A migration task names its template in C(vm_template_id).
  - name: SMS API reference, ListTemplates
    description: The listing this module reads, with its filters.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/ListTemplates.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: List every server template
  hwcloud.sms.sms_server_template_info:
  register: all_templates

- name: Find a template by its exact name
  hwcloud.sms.sms_server_template_info:
    name: web-01-template
  register: web

- name: The templates of one availability zone
  hwcloud.sms.sms_server_template_info:
    availability_zone: cn-north-4a
  register: zone

- name: Show one template
  hwcloud.sms.sms_server_template_info:
    template_id: 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f
  register: one
"""

RETURN = r"""
templates:
  description:
    - The templates as the service returned them (unknown keys included), without C(target_password), which is never
      returned.
    - Empty when nothing matched, or when SMS says that O(template_id) does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Template id.
      type: str
    name:
      description: Template name.
      type: str
    is_template:
      description:
        - Whether the template is a general one, as a string, V(true) or V(false); the service says that a template
          associated with a task is not a general template.
      type: str
    region:
      description: The region of the target server.
      type: str
    availability_zone:
      description: The availability zone of the target server.
      type: str
    target_server_name:
      description: The name of the target server.
      type: str
    flavor:
      description: The flavor of the target server.
      type: str
  sample:
    - id: 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f
      name: web-01-template
      is_template: "true"
      region: cn-north-4
      availability_zone: cn-north-4a
      target_server_name: web-01-target
      flavor: s6.large.2
      volumetype: SAS
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
    - GET /v3/vm/templates?name=web-01-template&limit=50&offset=0 -> 200 in 0.084 s, request id 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.client import TEMPLATES
from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsFailure, SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.options import check_id

FILTERS = ("name", "availability_zone")


def matches(template, params):
    """True when the listed ``template`` has every value the filters ask for."""
    return all(params[key] is None or template.get(key) == params[key] for key in FILTERS)


def main():
    sms = SmsModule(
        argument_spec=dict(
            template_id=dict(type="str"),
            name=dict(type="str"),
            availability_zone=dict(type="str"),
        ),
        mutually_exclusive=[("template_id", key) for key in FILTERS],
        supports_check_mode=True,
    )
    sms.run(lambda: {"changed": False, "templates": find(sms.client, sms.params)})


def find(client, params):
    """The templates the options ask for (never with a target_password: the client drops it)."""
    if params["template_id"] is not None:
        check_id(params["template_id"], "template_id")
    try:
        if params["template_id"] is not None:
            template = client.get_record(TEMPLATES, params["template_id"])
            return [template] if template else []
        # every filter is checked again here: the name filter may match more than the name, and a service or
        # gateway may ignore any filter
        filters = {key: params[key] for key in FILTERS}
        return [template for template in client.list_records(TEMPLATES, **filters) if matches(template, params)]
    except SmsApiError as error:
        raise SmsFailure(error.message(), cause=error, templates=[])


if __name__ == "__main__":
    main()
