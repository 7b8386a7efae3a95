# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: sms_source
short_description: Huawei Cloud SMS source servers as inventory hosts
version_added: 1.1.0
description:
  - The source servers of the account's Server Migration Service (SMS), the machines being migrated and retired, as
    hosts, so that a job can reach them (stop services, remove the SMS agent, shut them down).
  - Reads every page of C(GET /v3/sources) with the service's filters where the API has them, and checks every filter
    again on each record, so that a service or gateway that ignored a filter cannot widen the inventory. A listing that
    keeps changing while it is read, or a page that fails, fails the inventory with the service's error; a partial
    host list is never presented as complete.
  - Takes the same connection options, E(HW_*) environment variables and O(credentials_file) as the modules, so that
    the collection's AWX credential type serves an inventory source unchanged.
  - The inventory file's name must end in V(sms_source.yml) or V(sms_source.yaml).
  - Host variables carry no secret; each holds what the service's list shows of the source server.
extends_documentation_fragment:
  - hwcloud.sms.connection
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [hwcloud.sms.sms_source]
  states:
    description:
      - Only source servers in one of these states (for example V(finished), V(stopped), V(replicate)).
      - One state is sent to the service as its filter; every record is checked again here.
    type: list
    elements: str
    default: []
  migration_cycles:
    description:
      - Only source servers at one of these steps of their migration (V(checking), V(setting), V(replicating),
        V(syncing), V(cutovering), V(cutovered)).
      - One value is sent to the service as its filter; every record is checked again here.
    type: list
    elements: str
    default: []
  connected:
    description:
      - Only source servers whose agent is connected to SMS (V(true)) or not (V(false)); sent to the service and checked
        again here.
    type: bool
  names:
    description:
      - Only source servers with one of these exact names. One name is sent to the service as its filter (which may
        match more); every record is compared exactly here.
    type: list
    elements: str
    default: []
  ids:
    description: Only source servers with one of these ids (checked here; the service's list has no id filter).
    type: list
    elements: str
    default: []
  migration_project:
    description:
      - Only the source servers of this migration project (its id), as the service's filter selects them.
      - A listed record does not name its migration project, so this filter alone cannot be checked again here.
    type: str
  hostnames:
    description:
      - The host name of a source server, the first of these that it has - V(name), V(ip) or V(id).
    type: list
    elements: str
    choices: [name, ip, id]
    default: [name, id]
  prefix:
    description: The prefix of the host variables this plugin sets (V(sms_id), V(sms_state), ...).
    type: str
    default: sms_
author:
  - hwcloud.sms maintainers (@hwcloud-ansible)
"""

EXAMPLES = r"""
# decommission.sms_source.yml - the servers whose migration is over, grouped by state; credentials from HW_* variables
plugin: hwcloud.sms.sms_source
region: ap-southeast-3
migration_cycles: [cutovered]
hostnames: [name, ip]
keyed_groups:
  - key: sms_state
    prefix: state
compose:
  ansible_user: "'root'"

# Every source server of one migration project, cached for an hour
# plugin: hwcloud.sms.sms_source
# migration_project: 6a1f0d2e-3b4c-4d5e-8f60-7a8b9c0d1e2f
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: /tmp/sms_source_cache
# cache_timeout: 3600
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.hwcloud.sms.plugins.module_utils.client import SOURCES
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError, SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC, client_for
from ansible_collections.hwcloud.sms.plugins.module_utils.transport import HAS_REQUESTS

# the host variables, from the fields of a listed source server (and its current task)
FIELDS = ("id", "name", "ip", "os_type", "os_version", "state", "migration_cycle", "connected", "agent_version")
TASK_FIELDS = ("id", "name", "state")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Source servers of SMS as hosts."""

    NAME = "hwcloud.sms.sms_source"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("sms_source.yml", "sms_source.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        sources = None
        if use_cache:
            try:
                sources = self._cache[key]
            except KeyError:
                sources = None
        if sources is None:
            sources = self.listed()
            if self.get_option("cache"):
                self._cache[key] = sources
        for listed in sources:
            self.add(listed)

    def connection(self):
        """The connection options as a module reads them: the option, else its HW_* environment variable, else its
        default."""
        params = {}
        for name, spec in CONNECTION_ARGUMENT_SPEC.items():
            value = self.get_option(name)
            if value is None and "fallback" in spec:
                value = os.environ.get(spec["fallback"][1][0]) or None
            if value is None:
                value = spec.get("default")
            params[name] = value
        for name in ("timeout", "max_retries"):
            params[name] = int(params[name])
        return params

    def listed(self):
        """Every source server the options select, read to the end of the list; AnsibleParserError otherwise."""
        if not HAS_REQUESTS:
            raise AnsibleParserError("the hwcloud.sms.sms_source inventory needs the Python library requests")
        try:
            client = client_for(self.connection(), self.display.warning, lambda secret: None)
            records = client.list_records(SOURCES, **self.service_filters())
        except (SmsApiError, SmsFailure) as error:
            message = error.message() if isinstance(error, SmsApiError) else error.msg
            raise AnsibleParserError("hwcloud.sms.sms_source: %s" % message)
        return [dict(record) for record in records if self.selected(record)]

    def service_filters(self):
        """The filters the service has, where one value was asked for; the rest is checked on each record."""
        filters = {}
        for option, name in (("states", "state"), ("migration_cycles", "migration_cycle"), ("names", "name")):
            values = self.get_option(option)
            if len(values) == 1:
                filters[name] = values[0]
        if self.get_option("connected") is not None:
            filters["connected"] = "true" if self.get_option("connected") else "false"
        if self.get_option("migration_project"):
            filters["migproject"] = self.get_option("migration_project")
        return filters

    def selected(self, record):
        """Every filter checked again on ``record`` (migration_project aside: a listed record does not show it)."""
        checks = (("states", "state"), ("migration_cycles", "migration_cycle"), ("names", "name"), ("ids", "id"))
        if any(self.get_option(option) and record.get(field) not in self.get_option(option) for option, field in checks):
            return False
        connected = self.get_option("connected")
        return connected is None or record.get("connected") is connected

    def add(self, listed):
        """One host for the ``listed`` source server, with its variables and groups."""
        host = next((str(listed[name]) for name in self.get_option("hostnames") if listed.get(name)), None)
        if host is None:
            return
        self.inventory.add_host(host)
        variables = self.host_variables(listed)
        for name, value in variables.items():
            self.inventory.set_variable(host, name, wrap_var(value))  # what the service says is never a template
        if listed.get("ip"):
            self.inventory.set_variable(host, "ansible_host", wrap_var(listed["ip"]))
        if listed.get("migration_cycle"):
            group = self.inventory.add_group(self._sanitize_group_name("%scycle_%s" % (
                self.get_option("prefix"), listed["migration_cycle"])))
            self.inventory.add_child(group, host)
        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)

    def host_variables(self, listed):
        prefix = self.get_option("prefix")
        variables = {prefix + name: listed.get(name) for name in FIELDS}
        task = listed.get("current_task") or {}
        variables.update({"%scurrent_task_%s" % (prefix, name): task.get(name) for name in TASK_FIELDS})
        return variables
