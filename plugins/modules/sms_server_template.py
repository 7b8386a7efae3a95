#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sms_server_template
short_description: Delete Huawei Cloud SMS server templates
version_added: 1.1.0
description:
  - Deletes the server templates of the Server Migration Service (SMS) - the settings a migration used to create its
    target server (availability zone, flavor, VPC, subnets, security groups, disks) - through
    C(DELETE /v3/vm/templates/{id}), or C(POST /v3/vm/templates/delete) for several.
  - A template stays in SMS after its migration is over; deleting it touches neither the target server nor any other
    cloud resource.
  - Reads first, so that a template that is already gone is reported as unchanged, and check mode tells what would
    happen without changing anything.
  - A template is reported gone only on SMS's own word about its id - a 404 whose error code is C(SMS.) followed by
    digits, or its absence from a complete listing that showed it earlier in the same run. A 404 from the API gateway,
    a proxy or another service fails the run with a hint about the endpoint, site and proxy settings.
  - The service documents no rule that keeps a template. Whether it deletes a template that a migration task still
    names (the task's C(vm_template_id)) is not documented either; the module predicts nothing there, sends the
    deletion and reports the service's answer.
  - C(changed) is true as soon as a write of this run may have taken effect, and false when no write was sent.
  - One id, a name and a list of ids go through the same steps as M(hwcloud.sms.sms_task); the behaviour table is in
    the collection's C(docs/modules.md).
options:
  template_id:
    description:
      - Id of the server template.
      - Letters, digits, C(-) and C(_) only (SMS ids are UUIDs), 1 to 255 characters; anything else is refused before
        any request, naming the option.
      - Exactly one of O(template_id), O(template_ids) and O(name) is required.
    type: str
  template_ids:
    description:
      - Ids of several server templates to delete in one run, each checked as O(template_id) is; duplicates are
        ignored.
      - Reads follow the rule of M(hwcloud.sms.sms_task) for O(hwcloud.sms.sms_task#module:task_ids) - up to three
        ids are read one by one; for more, list pages (50 templates each) are read on only while the pages left are
        fewer than the ids not seen yet, and the rest is read one by one.
      - Templates are deleted through the batch call C(POST /v3/vm/templates/delete), 50 ids at a time (a single
        template with its own C(DELETE)). When the service refuses a batch, denies it or its answer is lost, its
        templates are deleted one by one, so that every template is still asked for and every outcome is attributed
        to its template.
      - The result lists every requested template in RV(templates). The module fails when any template could not be
        deleted, and RV(templates) still says which ones were.
      - An empty list is not an error - nothing is sent and the result is C(changed=false).
    type: list
    elements: str
  name:
    description:
      - Exact name of the server template. The templates are listed with this name and compared exactly, since the
        service's name filter may match more than the exact name.
      - When several templates have this name, the module fails, lists their ids and deletes nothing; use
        O(template_id).
      - When no listed template has this name, nothing is deleted and the result is C(changed=false); the message
        says that no template of that name is visible to these credentials, not that it is absent.
    type: str
  state:
    description:
      - V(absent) deletes the template. Required, so that a forgotten O(state) can never mean a deletion.
    type: str
    required: true
    choices: [absent]
  wait:
    description:
      - Wait until every deleted template is gone (SMS answers its own HTTP 404 for it) before returning.
      - With V(false), a deleted template's message says that SMS accepted the deletion, not that it is gone.
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
    description: Reads the templates and predicts the outcome; sends nothing but reads.
  diff_mode:
    support: full
    description: Shows each template's id, name, availability zone and C(is_template) before, and V(absent) after.
notes:
  - A template may hold the target server's password (C(target_password)). The module drops it from every template
    it reads, as soon as it arrives, so that no template in a result or a diff holds it.
seealso:
  - module: hwcloud.sms.sms_server_template_info
  - module: hwcloud.sms.sms_task
  - name: SMS API reference, DeleteTemplate
    description: The call this module wraps for one template.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/DeleteTemplate.html
  - name: SMS API reference, DeleteTemplates
    description: The batch call this module wraps for several templates.
    link: https://support.huaweicloud.com/intl/en-us/api-sms/DeleteTemplates.html
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
- name: Delete a server template by id
  hwcloud.sms.sms_server_template:
    template_id: 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f
    state: absent

- name: Delete a server template by its exact name
  hwcloud.sms.sms_server_template:
    name: web-01-template
    state: absent

- name: Find the templates of one availability zone
  hwcloud.sms.sms_server_template_info:
    availability_zone: cn-north-4a
  register: zone

- name: Delete them (batch calls of 50 ids)
  hwcloud.sms.sms_server_template:
    template_ids: "{{ zone.templates | map(attribute='id') | list }}"
    state: absent

# Ad-hoc:
#   ansible localhost -m hwcloud.sms.sms_server_template -a "template_id=2bf4344f-8f1f-414e-bb1b-8c2f59ada67f state=absent" --check --diff
"""

RETURN = r"""
msg:
  description: What happened, or what would happen in check mode.
  returned: always
  type: str
  sample: SMS server template 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f (web-01-template) deleted
template:
  description:
    - With O(template_id) or O(name), the template as the service returned it before the deletion (the fields of
      C(GET /v3/vm/templates/{id}), without C(target_password)); an empty dict when it did not exist.
  returned: when O(template_id) or O(name) is used
  type: dict
  sample:
    id: 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f
    name: web-01-template
    is_template: "true"
    region: cn-north-4
    availability_zone: cn-north-4a
    target_server_name: web-01-target
    flavor: s6.large.2
templates:
  description: One entry per requested template, in the order given (one entry for O(template_id) and O(name)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The template id.
      type: str
    name:
      description: The template name, when the template was found.
      type: str
    result:
      description:
        - V(deleted), V(absent) (SMS said on the first read that it does not exist), V(vanished) (gone before this
          run's deletion took effect, as a read after a failed deletion showed), V(failed) (the service refused the
          deletion, or another error; also a deletion whose answer was lost and whose template could not be read
          again - the message then says it may have been deleted), V(timed_out) (O(wait_timeout) passed),
          V(not_attempted) (the run failed before this template's turn);
        - in check mode V(would_delete) (or V(absent)).
        - The service has no documented rule that keeps a template, so none is predicted and no refusal is told
          apart - whatever the service answers to a deletion is reported as it came, with its error.
      type: str
    msg:
      description: What happened to the template, or why it was not deleted, in words.
      type: str
    error:
      description: For an API failure, the service's error as RV(error) holds it.
      type: dict
  sample:
    - {id: 2bf4344f-8f1f-414e-bb1b-8c2f59ada67f, name: web-01-template, result: deleted}
    - {id: 0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f, result: absent}
template_ids:
  description: The ids of the templates that share the O(name), when there are several and nothing was deleted.
  returned: when O(name) matches more than one template
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
    - GET /v3/vm/templates/2bf4344f-8f1f-414e-bb1b-8c2f59ada67f -> 200 in 0.084 s, request id 0e6a1bc3c0d1b2a3f4e5d6c7b8a99887
"""

from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsModule
from ansible_collections.hwcloud.sms.plugins.module_utils.kinds import TEMPLATE
from ansible_collections.hwcloud.sms.plugins.module_utils.options import removal_options
from ansible_collections.hwcloud.sms.plugins.module_utils.removal import remove


def main():
    options = removal_options("template_id", "template_ids", force=False)
    sms = SmsModule(**options)
    sms.run(lambda: remove(sms, TEMPLATE, "template_id", "template_ids"))


if __name__ == "__main__":
    main()
