# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local emulator of the Huawei Cloud SMS v3 API, for tests and demos only.

It plays the service side of what the collection talks to:

* the SMS task routes (show, list, delete, batch delete, action),
* the SMS source-server routes (show, list, delete, batch delete), linked to the tasks both ways,
* the SMS server-template routes (list, show, delete, batch delete) and migration-project routes (list, show,
  delete), and the task action ``clear`` (a source goes ``clearing``, then ``cleared`` or ``clearfailed``),
* the IAM routes the collection may need (password token, project lookup),
* the API gateway in front of them: X-Auth-Token or SDK-HMAC-SHA256 (AK/SK) authentication,
  the 15 minute clock window and the ``X-Request-Id`` header on every answer.

Every request is recorded in a journal, and faults (throttling, gateway pages, connection
resets, truncated or empty bodies, delays) can be injected. Unscripted control routes under
``/_emulator/`` let a playbook or another process drive it when it runs standalone::

    python tests/emulator/sms_emulator.py --port 0 --port-file /tmp/port --seed-demo

Standard library only. Never use it as a model of anything but the published API facts.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote

# ---------------------------------------------------------------------------
# AK/SK signature verification (SDK-HMAC-SHA256)
# ---------------------------------------------------------------------------

SIGNING_ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_DIFFERENCE = 15 * 60
AUTH_ERROR_PREFIX = "Incorrect IAM authentication information: "

_AUTHORIZATION_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9A-Fa-f]+)\s*$"
)


def _rfc3986(text: str) -> str:
    """Percent-encode everything but A-Z a-z 0-9 - _ . ~"""
    return quote(text, safe="-_.~")


def canonical_uri(raw_path: str) -> str:
    """Canonical URI of a received path: segments decoded, re-encoded, trailing slash added."""
    uri = "/".join(_rfc3986(unquote(segment)) for segment in raw_path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query: str) -> str:
    """Canonical query of a received query string: pairs decoded, sorted, re-encoded."""
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    return "&".join(f"{_rfc3986(key)}={_rfc3986(value)}" for key, value in pairs)


def canonical_request(method: str, raw_path: str, raw_query: str, headers: dict, signed_headers: list, body: bytes) -> str:
    """The canonical request text; ``headers`` maps lower-case names to received values."""
    header_block = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    return "\n".join((
        method.upper(),
        canonical_uri(raw_path),
        canonical_query(raw_query),
        header_block,
        ";".join(signed_headers),
        hashlib.sha256(body or b"").hexdigest(),
    ))


def signature_for(secret_key: str, sdk_date: str, canonical: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key."""
    string_to_sign = "\n".join((SIGNING_ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest()))
    return hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_aksk(method: str, raw_path: str, raw_query: str, headers, body: bytes, secret_keys: dict, now: float):
    """Check an SDK-HMAC-SHA256 signed request as received.

    ``headers`` is any mapping or list of (name, value) pairs; ``now`` is the verifier's clock
    (epoch seconds). Returns ``(ok, reason, access_key)``; ``reason`` is the gateway message.
    """
    items = headers.items() if hasattr(headers, "items") else headers
    received = {name.lower(): value for name, value in items}
    match = _AUTHORIZATION_RE.match(received.get("authorization", ""))
    if not match:
        return False, AUTH_ERROR_PREFIX + "unsupported or malformed Authorization header", None
    access_key = match.group("ak")
    if access_key not in secret_keys:
        return False, AUTH_ERROR_PREFIX + "access key not found", access_key
    sdk_date = received.get("x-sdk-date")
    if not sdk_date:
        return False, AUTH_ERROR_PREFIX + "x-sdk-date not found", access_key
    try:
        signed_at = datetime.strptime(sdk_date.strip(), SDK_DATE_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return False, AUTH_ERROR_PREFIX + "x-sdk-date format invalid", access_key
    if abs(now - signed_at) > MAX_CLOCK_DIFFERENCE:
        return False, AUTH_ERROR_PREFIX + "x-sdk-date expired", access_key
    signed_headers = match.group("signed").lower().split(";")
    missing = [name for name in signed_headers if name not in received]
    if missing:
        return False, AUTH_ERROR_PREFIX + "signed header not present: " + ",".join(missing), access_key
    canonical = canonical_request(method, raw_path, raw_query, received, signed_headers, body)
    expected = signature_for(secret_keys[access_key], sdk_date.strip(), canonical)
    if not hmac.compare_digest(expected, match.group("signature").lower()):
        return False, AUTH_ERROR_PREFIX + "verify aksk signature fail", access_key
    return True, "", access_key


# ---------------------------------------------------------------------------
# Task model
# ---------------------------------------------------------------------------

SAMPLE_TASK = {
    "id": "7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "name": "web-01-migration", "type": "MIGRATE_BLOCK", "os_type": "LINUX",
    "state": "MIGRATE_SUCCESS", "connected": False, "priority": 1, "speed_limit": 0,
    "region_id": "cn-north-4", "region_name": "CN North-Beijing4", "project_id": "0123456789abcdef0123456789abcdef",
    "project_name": "cn-north-4", "enterprise_project_id": "0", "vm_template_id": "", "migration_ip": "192.0.2.10",
    "start_target_server": True, "estimate_complete_time": 1732950000000, "create_date": 1732860000000,
    "start_date": 1732860100000, "finish_date": 1732949000000, "migrate_speed": 412.5, "compress_rate": 1.8,
    "error_json": "", "total_time": 88900000, "float_ip": "", "remain_seconds": 0, "target_snapshot_id": "",
    "source_server": {
        "id": "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab", "ip": "198.51.100.7", "name": "web-01", "os_type": "LINUX",
        "os_version": "UBUNTU_22_4_64BIT", "oem_system": False, "state": "finished", "migration_cycle": "cutovered",
    },
    "target_server": {
        "id": "d4e5f6a7-1111-2222-3333-0123456789ab", "vm_id": "5f6e7d8c-4444-5555-6666-0123456789ab", "name": "web-01-target",
        "ip": "192.0.2.10", "os_type": "LINUX", "os_version": "UBUNTU_22_4_64BIT", "system_dir": "/", "disks": [],
        "volume_groups": [], "btrfs_list": [], "image_disk_id": "", "cutovered_snapshot_ids": "",
    },
    "clone_server": {"vm_id": "", "name": "", "clone_error": "", "clone_state": "NOT_READY", "error_msg": ""},
    "sub_tasks": [{
        "id": 1, "name": "CREATE_CLOUD_SERVER", "progress": 100, "start_date": 1732860100000, "end_date": 1732860400000,
        "migrate_speed": 0, "user_op": "", "process_trace": "",
    }],
    "network_check_info": {
        "domain_connectivity": True, "destination_connectivity": True, "network_delay": 12.0, "network_jitter": 1.2,
        "migration_speed": 400.0, "loss_percentage": 0.0, "cpu_usage": 10.0, "mem_usage": 20.0, "evaluation_result": "good",
    },
    "total_cpu_usage": 12.0, "agent_cpu_usage": 3.0, "total_mem_usage": 2048.0, "agent_mem_usage": 120.0,
    "total_disk_io": 80.0, "agent_disk_io": 40.0, "need_migration_test": False, "subtask_info": "",
}

# What a list item leaves out of the GET-one body, and what it adds (the SDK models' field sets).
GET_ONLY_KEYS = frozenset((
    "connected", "region_id", "region_name", "project_id", "project_name", "vm_template_id", "start_date", "finish_date",
    "float_ip", "remain_seconds", "target_snapshot_id",
))
LIST_NESTED_KEYS = {
    "source_server": ("id", "ip", "name", "os_type", "os_version", "oem_system", "state"),
    "target_server": ("id", "vm_id", "name", "ip", "os_type", "os_version"),
    "clone_server": ("vm_id", "name"),
}
LIST_SUB_TASK_KEYS = ("id", "name", "progress", "start_date", "end_date", "process_trace")

# Deletion rule (newest reference): refused when connected AND the source state is busy.
BUSY_SOURCE_STATES = frozenset((
    "initialize", "stopping", "deleting", "cloning", "replicate", "syncing", "cutovering", "skipping", "clearing", "premiging",
))
# Without a source state, the task state is the only hint.
BUSY_TASK_STATES = frozenset(("RUNNING", "SYNCING", "ABORTING", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING"))
OPERATIONS = frozenset(("start", "stop", "restart", "test", "cutover", "clone_test", "network_check", "skip", "clear", "migration_test"))
MAX_LIST_LIMIT = 200
MAX_BATCH_IDS = 50

DELETE_REFUSED_MSG = "The task is in progress or being stopped and cannot be deleted."
FORBIDDEN_DETAIL = "You do not have permission to perform action sms:server:deleteTask on resource *."
# The IAM action each SMS route needs (section 10 of the API notes), for ``Emulator.denied_actions``; the IAM routes
# need none. Both source deletions share ``sms:server:delete``; a task has one action for each way of deleting it.
ROUTE_ACTIONS = {
    "list_tasks": "sms:server:list", "show_task": "sms:server:get", "delete_task": "sms:server:deleteTask",
    "batch_delete": "sms:server:batchDeleteTask", "task_action": "sms:server:manageTask",
    "list_sources": "sms:server:list", "show_source": "sms:server:get", "delete_source": "sms:server:delete",
    "batch_delete_sources": "sms:server:delete",
    # templates and migration projects (section 11; the list and get names are the API reference's): both template
    # deletions share ``sms:template:delete``
    "list_templates": "sms:template:list", "show_template": "sms:template:get", "delete_template": "sms:template:delete",
    "batch_delete_templates": "sms:template:delete",
    "list_migprojects": "sms:migproject:list", "show_migproject": "sms:migproject:get", "delete_migproject": "sms:migproject:delete",
}
# Query parameters that a list route always honours, whatever ``Emulator.ignored_filters`` says: paging is no filter.
PAGING_PARAMS = frozenset(("limit", "offset"))
GATEWAY_PAGE = (
    "<html><head><title>{status} {phrase}</title></head><body><center><h1>{status} {phrase}</h1></center>"
    "<hr><center>API Gateway</center></body></html>"
)
# The states the list's state filter accepts (SDK ListTasksRequest enum); any other value is refused.
LIST_FILTER_STATES = frozenset(("READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORTING", "ABORT",
                                "DELETING", "SYNC_F_ROLLBACKING", "SYNC_F_ROLLBACK_SUCCESS"))
# How an SMS error body may be shaped: each key pair the official SDK's error parser accepts.
ERROR_STYLES = ("sms", "nested", "camel", "plain")
# Each site is its own service with its own accounts: credentials of one site are unknown to the other.
SITE_CREDENTIALS = {
    None: {},
    "china": {},
    "international": {
        "tokens": {"intl-static-test-token-0123456789"},
        "aksk": {"AKINTLEXAMPLE0000001": "SKintlExampleSecretKey000000000000000001"},
        "users": {("intl-operator", "intl-domain"): "Intl-Pa55w0rd-example!"},
        "projects": {"ap-southeast-3": "fedcba9876543210fedcba9876543210",
                     "cn-north-4": "00112233445566778899aabbccddeeff"},
    },
}

DEMO_TASKS = (
    {"task_id": "7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "name": "web-01-migration",
     "source_id": "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab"},
    {"task_id": "0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f", "name": "db-01-migration", "state": "RUNNING",
     "source_state": "replicate", "connected": True, "source_id": "9d8c7b6a-dddd-eeee-ffff-0123456789ab"},
    {"task_id": "5c1d8e2a-7b3f-4a6c-9d0e-1f2a3b4c5d6e", "name": "app-01-migration", "state": "DELETING",
     "source_state": "deleting", "connected": True, "deleting_polls": 2, "source_id": "4e5f6a7b-1212-3434-5656-0123456789ab"},
)

# ---------------------------------------------------------------------------
# Source-server model (the record each migrated server leaves behind)
# ---------------------------------------------------------------------------

# The GET-one body (ShowServerResponse) plus the one field only list items have (SourceServersResponseBody);
# ``current_task`` is not stored: it is built from the linked task on every answer. Values are invented.
SAMPLE_SOURCE = {
    "id": "c3f1d2e4-aaaa-bbbb-cccc-0123456789ab", "ip": "198.51.100.7", "name": "web-01", "hostname": "web-01",
    "enterprise_project_id": "0", "add_date": 1732850000000, "os_type": "LINUX", "os_version": "UBUNTU_22_4_64BIT",
    "oem_system": False, "state": "finished", "connected": False, "firmware": "BIOS",
    "init_target_server": {"disks": [], "volume_groups": []}, "cpu_quantity": 4, "memory": 8192,
    "disks": [{"name": "/dev/vda", "partition_style": "MBR", "device_use": "BOOT", "size": 42949672960,
               "used_size": 10737418240, "physical_volumes": [], "os_disk": True, "relation_name": "", "inode_size": 256}],
    "volume_groups": [], "btrfs_list": [],
    "networks": [{"name": "eth0", "ip": "198.51.100.7", "ipv6": "", "netmask": "255.255.255.0", "gateway": "198.51.100.1",
                  "mtu": 1500, "mac": "fa:16:3e:00:00:07", "id": ""}],
    "checks": [{"id": 1, "params": [], "name": "OS_VERSION", "result": "OK", "error_code": "", "error_or_warn": "",
                "error_params": ""}],
    "migration_cycle": "cutovered", "state_action_time": 1732949000000, "replicatesize": 10737418240,
    "totalsize": 10737418240, "last_visit_time": 1732949000000, "stage_action_time": 1732949000000,
    "agent_version": "25.3.0", "has_tc": True, "start_type": "MANUAL", "is_consistency_result_exist": False,
}
# What a list item leaves out of the GET-one body, and what only a list item has.
SOURCE_GET_ONLY_KEYS = frozenset(("hostname", "firmware", "disks", "volume_groups", "btrfs_list", "networks", "agent_version"))
SOURCE_LIST_ONLY_KEYS = frozenset(("is_consistency_result_exist",))
# ``current_task`` of a GET-one body (TaskByServerSource) copies these task fields; a list item's (TaskByServerSources)
# a few more. ``target_server`` and ``clone_server`` are reduced to their brief models.
CURRENT_TASK_KEYS = ("id", "name", "type", "state", "start_date", "speed_limit", "migrate_speed", "start_target_server",
                     "vm_template_id", "region_id", "project_name", "project_id", "subtask_info")
CURRENT_TASK_LIST_KEYS = CURRENT_TASK_KEYS + ("estimate_complete_time", "compress_rate", "remain_seconds")
CURRENT_TASK_DEFAULTS = {"log_collect_status": "INIT", "exist_server": False, "use_public_ip": False}
CLONE_SERVER_KEYS = ("vm_id", "name", "clone_error", "clone_state", "error_msg")
# The 20 source states (the SDK's enum lacks ``premiging``; the service documents it) and the migration cycles:
# the list's filters accept only these.
SOURCE_STATES = frozenset((
    "unavailable", "waiting", "initialize", "replicate", "syncing", "stopping", "stopped", "skipping", "deleting", "clearing",
    "cleared", "clearfailed", "premigready", "premiged", "premigfailed", "premiging", "cloning", "cutovering", "finished", "error",
))
MIGRATION_CYCLES = frozenset(("checking", "setting", "replicating", "syncing", "cutovering", "cutovered"))
SOURCE_LIST_DEFAULT_LIMIT = 200  # the SDK documents limit 0 as "the default, 200"
SOURCE_MAX_OFFSET = 65535
# The service's code for a missing source is unconfirmed: SMS.1802 is this emulator's own choice (404, as a task's
# SMS.1801). So is the refusal to delete a source whose current task is busy (400 SMS.2015, the legacy code for
# "task in progress"): clients must go by the status and the task rule, never by these codes.
SOURCE_MISSING_CODE, SOURCE_MISSING_MSG = "SMS.1802", "The source server does not exist."
SOURCE_BUSY_CODE = "SMS.2015"
SOURCE_BUSY_MSG = "The source server has a migration task in progress or being stopped and cannot be deleted."
# What ``current_task`` looks like once its task is gone (unconfirmed): left out (default) or null.
TASK_GONE_STYLES = ("absent", "null")

# ---------------------------------------------------------------------------
# Server templates, migration projects and the task action ``clear`` (section 11 of the API notes)
# ---------------------------------------------------------------------------

# A template's secret, recognisable on purpose: a test can check that no output, log or error ever shows it.
TEMPLATE_PASSWORD = "Emu-Target-Secret-7f3a9c!DoNotPrint"
# The field set of the SDK's TemplateResponseBody (list items and the GET-one ``template`` alike). Values are invented.
SAMPLE_TEMPLATE = {
    "id": "2bf4344f-8f1f-414e-bb1b-8c2f59ada67f", "name": "web-01-template", "is_template": "true", "region": "cn-north-4",
    "projectid": "0123456789abcdef0123456789abcdef", "target_server_name": "web-01-target", "availability_zone": "cn-north-4a",
    "volumetype": "SAS", "flavor": "s6.large.2",
    "vpc": {"id": "a1b2c3d4-0000-1111-2222-0123456789ab", "name": "vpc-migration", "cidr": "192.168.0.0/16"},
    "nics": [{"id": "b2c3d4e5-0000-1111-2222-0123456789ab", "name": "subnet-migration", "cidr": "192.168.0.0/24",
              "ip": "192.168.0.10"}],
    "security_groups": [{"id": "c3d4e5f6-0000-1111-2222-0123456789ab", "name": "sg-migration"}],
    "publicip": {"type": "5_bgp", "bandwidth_size": 5, "bandwidth_share_type": "PER"},
    "disk": [{"id": 0, "index": 0, "name": "/dev/vda", "disktype": "SAS", "size": 40, "device_use": "BOOT"}],
    "data_volume_type": "SAS", "target_password": TEMPLATE_PASSWORD, "image_id": "",
}
# The field set of the SDK's MigprojectsResponseBody (a list item). GET one (ShowMigprojectResponse) has the same
# fields but ``id``: the newest reference (2026-01) and the SDK leave it out, older reference pages list it. The real
# service most plausibly answers as its newest model says, so the emulator leaves ``id`` out of GET one by default
# (a client that reads the id from there fails here) and puts it in for a project added with ``show_id=True``.
SAMPLE_MIGPROJECT = {
    "id": "", "name": "project", "description": "", "isdefault": False, "region": "cn-north-4", "start_target_server": True,
    "speed_limit": 0, "use_public_ip": True, "exist_server": False, "type": "MIGRATE_BLOCK", "enterprise_project": "default",
    "syncing": False, "start_network_check": False,
}
# There is always a default project (``reset`` makes it again); a source added without a project is in it.
DEFAULT_MIGPROJECT_ID = "6a1f0d2e-3b4c-4d5e-8f60-7a8b9c0d1e2f"
# Paging of both lists (API reference): limit 0 to 100, default 50; offset 0 to 65535. What limit 0 does is
# unconfirmed: here it means the default (50), as for sources, so a client that takes 0 for "no limit" sees one page.
TEMPLATE_LIST_DEFAULT_LIMIT = MIGPROJECT_LIST_DEFAULT_LIMIT = 50
TEMPLATE_MAX_LIMIT = MIGPROJECT_MAX_LIMIT = 100
# The codes below are this emulator's own choices (the facts give none): 404 for a missing template or project, as a
# task's SMS.1801; 400 for a project that may not be deleted. Clients must go by the status and what they read again,
# never by these codes.
TEMPLATE_MISSING_CODE, TEMPLATE_MISSING_MSG = "SMS.1803", "The template does not exist."
MIGPROJECT_MISSING_CODE, MIGPROJECT_MISSING_MSG = "SMS.1804", "The migration project does not exist."
MIGPROJECT_NOT_EMPTY_CODE = "SMS.1805"
MIGPROJECT_NOT_EMPTY_MSG = "The migration project still has servers and cannot be deleted."
MIGPROJECT_DEFAULT_CODE, MIGPROJECT_DEFAULT_MSG = "SMS.1806", "The default migration project cannot be deleted."
# Which task states allow ``clear`` is unconfirmed ("Delete Resources" is offered once a task has finished). The
# emulator takes the narrow reading, so a client that clears too early is refused: accepted only for a finished task
# (MIGRATE_SUCCESS, or MIGRATE_FAIL: the migration ended and left its resources), also after a failed clear
# (``clearfailed``); refused with 400 SMS.2015 (the legacy "task in progress" code) while the task is busy (a busy task
# or source state, ``clearing`` included, whatever the agent connection), once it is ``cleared`` (a second ``clear`` is
# refused, not ignored: a client reads the state before it asks again), and in every other state (READY, ABORT, SYNC_*...).
CLEARABLE_TASK_STATES = frozenset(("MIGRATE_SUCCESS", "MIGRATE_FAIL"))
CLEAR_REFUSED_CODE = "SMS.2015"
CLEAR_BUSY_MSG = "The task is in progress and its snapshot resources cannot be cleared."
CLEAR_DONE_MSG = "The snapshot resources of the task have already been cleared."
CLEAR_UNFINISHED_MSG = "The task has not finished and its snapshot resources cannot be cleared."
# ``add_task(clear_refused=True)``: the service refuses ``clear`` for reasons of its own (emulator's code).
CLEAR_DENIED_CODE, CLEAR_DENIED_MSG = "SMS.1807", "The snapshot resources of the task cannot be cleared."


def _source_state(task: dict):
    source = task.get("source_server")
    return (source.get("state") or None) if isinstance(source, dict) else None


def delete_refused(task: dict) -> bool:
    """True when the service would refuse to delete this task."""
    if not task.get("connected"):
        return False
    source_state = _source_state(task)
    if source_state is not None:
        return source_state in BUSY_SOURCE_STATES
    return task.get("state") in BUSY_TASK_STATES


def reply_keys(body: bytes) -> list | None:
    """The key paths of a JSON answer (``tasks[].source_server.state``), or None when it is not a JSON object."""
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    paths = set()

    def walk(value, prefix):
        if isinstance(value, dict):
            for key, item in value.items():
                path = f"{prefix}.{key}" if prefix else key
                paths.add(path)
                walk(item, path)
        elif isinstance(value, list):
            for item in value:
                walk(item, prefix + "[]")

    walk(data, "")
    return sorted(paths)


def list_item(task: dict) -> dict:
    """A task as it appears in a list answer: no ``connected``, the list model's field set."""
    item = {key: copy.deepcopy(value) for key, value in task.items() if key not in GET_ONLY_KEYS}
    for key, allowed in LIST_NESTED_KEYS.items():
        if isinstance(item.get(key), dict):
            item[key] = {name: value for name, value in item[key].items() if name in allowed}
    if isinstance(item.get("sub_tasks"), list):
        item["sub_tasks"] = [{name: value for name, value in sub.items() if name in LIST_SUB_TASK_KEYS}
                             for sub in item["sub_tasks"] if isinstance(sub, dict)]
    item.setdefault("log_collect_status", "INIT")
    item.setdefault("syncing", _source_state(task) == "syncing")
    item.setdefault("special_config", [])
    return item


def current_task_view(task: dict, listed: bool) -> dict:
    """A task as a source names it in ``current_task``: the GET-one model's field set, or the list item's."""
    view = {key: copy.deepcopy(task[key]) for key in (CURRENT_TASK_LIST_KEYS if listed else CURRENT_TASK_KEYS) if key in task}
    for key, default in CURRENT_TASK_DEFAULTS.items():
        view[key] = task.get(key, default)
    if isinstance(task.get("target_server"), dict):
        view["target_server"] = {key: task["target_server"].get(key, "") for key in ("vm_id", "name")}
    if isinstance(task.get("clone_server"), dict):
        view["clone_server"] = {key: value for key, value in task["clone_server"].items() if key in CLONE_SERVER_KEYS}
    return view


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

class Reply:
    """One answer: status, body bytes, content type and extra headers."""

    def __init__(self, status: int, body: bytes = b"", content_type: str | None = "application/json", headers: dict | None = None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.drip = 0.0

    @classmethod
    def json(cls, status: int, payload, headers: dict | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode("utf-8"), headers=headers)


class Request:
    """A received request, as the emulator sees it."""

    def __init__(self, method: str, target: str, headers, body: bytes, request_id: str):
        self.method = method
        self.path, _sep, self.raw_query = target.partition("?")
        self.header_pairs = list(headers.items())
        self.headers = {name.lower(): value for name, value in self.header_pairs}
        self.query = dict(parse_qsl(self.raw_query, keep_blank_values=True))
        self.body = body
        self.request_id = request_id
        self.auth = "token" if "x-auth-token" in self.headers else "aksk" if "authorization" in self.headers else "none"

    def json_body(self):
        """Parsed JSON body, or raise ValueError."""
        return json.loads(self.body.decode("utf-8"))

    def journal_body(self):
        if not self.body:
            return None
        try:
            return self.json_body()
        except ValueError:
            return self.body.decode("utf-8", "replace")


def _error(status: int, code: str, message: str, params=None) -> Reply:
    body = {"error_code": code, "error_msg": message, "error_param": list(params or []),
            "details": [{"error_code": code, "error_msg": message}]}
    return Reply.json(status, body)


def forbidden_body(action: str) -> dict:
    """The documented 403 SMS.9004 body (five fields) for an IAM policy that does not allow ``action``."""
    detail = f"You do not have permission to perform action {action} on resource *."
    return {"error_code": "SMS.9004",
            "error_msg": "The current account does not have the permission to execute policy. " + detail,
            "encoded_authorization_message": "ZW11bGF0b3ItZW5jb2RlZC1hdXRob3JpemF0aW9uLW1lc3NhZ2U" * 20,
            "error_param": [detail],
            "details": [{"error_code": "SMS.9004", "error_msg": detail}]}


def _bad_param(param: str, message: str) -> Reply:
    return _error(400, "SMS.0205", f"Invalid parameter {param}: {message}", [param])


def _batch_ids(request: Request, what: str):
    """The ``ids`` of a batch body, 1 to MAX_BATCH_IDS strings; returns (ids, error reply or None)."""
    try:
        ids = request.json_body().get("ids")
    except (ValueError, AttributeError):
        return None, _bad_param("ids", "the body must be a JSON object with an ids list")
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        return None, _bad_param("ids", f"must be a list of {what} ids")
    if not 1 <= len(ids) <= MAX_BATCH_IDS:
        return None, _bad_param("ids", f"must hold 1 to {MAX_BATCH_IDS} ids")
    return ids, None


def _bool_param(query: dict, name: str):
    """Parse a boolean query parameter (``true``/``false``, as the SDK sends it); returns (value, error reply or None)."""
    raw = query.get(name)
    if raw is None:
        return None, None
    value = {"true": True, "false": False}.get(raw.lower())
    if value is None:
        return None, _bad_param(name, "must be true or false")
    return value, None


def _int_param(query: dict, name: str, default: int, low: int, high: int | None):
    """Parse an integer query parameter; returns (value, error reply or None)."""
    raw = query.get(name)
    if raw is None:
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return None, _bad_param(name, "not an integer")
    if value < low or (high is not None and value > high):
        return None, _bad_param(name, f"must be between {low} and {high if high is not None else 'any'}")
    return value, None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator: Emulator, ssl_context: ssl.SSLContext | None):
        self.emulator = emulator
        self.ssl_context = ssl_context
        super().__init__(address, _Handler)

    def get_request(self):
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # Handshake later, in the request's own thread, so a slow client blocks nobody.
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # hang-ups, resets and failed TLS handshakes are part of the job
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this, Nagle's algorithm and delayed ACKs hold each answer
    # on a kept-alive connection for about 40 ms
    disable_nagle_algorithm = True
    server_version = "SMSEmulator/1.0"

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """The Date header, from the emulator's (possibly skewed) clock, as the gateway's own clock."""
        return super().date_time_string(self.server.emulator.now() if timestamp is None else timestamp)

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            self.request.do_handshake()
        super().setup()

    def _dispatch(self):
        self.server.emulator.handle(self)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.emulator.verbose:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, reply: Reply, request_id: str):
        self.send_response(reply.status)
        self.send_header("X-Request-Id", request_id)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not reply.drip:
            self.wfile.write(reply.body)
            return
        for index in range(len(reply.body)):  # a hostile or broken endpoint: one byte at a time
            self.wfile.write(reply.body[index:index + 1])
            self.wfile.flush()
            time.sleep(reply.drip)

    def reset(self):
        """Drop the connection with a TCP reset and no answer at all."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


# ---------------------------------------------------------------------------
# The emulator
# ---------------------------------------------------------------------------

_ROUTES = (
    ("POST", re.compile(r"^/v3/auth/tokens/?$"), "issue_token", "none"),
    ("GET", re.compile(r"^/v3/projects/?$"), "list_projects", "any"),
    ("GET", re.compile(r"^/v3/tasks/?$"), "list_tasks", "project"),
    ("POST", re.compile(r"^/v3/tasks/delete/?$"), "batch_delete", "project"),
    ("GET", re.compile(r"^/v3/tasks/(?P<task>[^/]+)/?$"), "show_task", "project"),
    ("DELETE", re.compile(r"^/v3/tasks/(?P<task>[^/]+)/?$"), "delete_task", "project"),
    ("POST", re.compile(r"^/v3/tasks/(?P<task>[^/]+)/action/?$"), "task_action", "project"),
    ("GET", re.compile(r"^/v3/sources/?$"), "list_sources", "project"),
    ("POST", re.compile(r"^/v3/sources/delete/?$"), "batch_delete_sources", "project"),
    ("GET", re.compile(r"^/v3/sources/(?P<source>[^/]+)/?$"), "show_source", "project"),
    ("DELETE", re.compile(r"^/v3/sources/(?P<source>[^/]+)/?$"), "delete_source", "project"),
    ("GET", re.compile(r"^/v3/vm/templates/?$"), "list_templates", "project"),
    ("POST", re.compile(r"^/v3/vm/templates/delete/?$"), "batch_delete_templates", "project"),
    ("GET", re.compile(r"^/v3/vm/templates/(?P<template>[^/]+)/?$"), "show_template", "project"),
    ("DELETE", re.compile(r"^/v3/vm/templates/(?P<template>[^/]+)/?$"), "delete_template", "project"),
    ("GET", re.compile(r"^/v3/migprojects/?$"), "list_migprojects", "project"),
    ("GET", re.compile(r"^/v3/migprojects/(?P<migproject>[^/]+)/?$"), "show_migproject", "project"),
    ("DELETE", re.compile(r"^/v3/migprojects/(?P<migproject>[^/]+)/?$"), "delete_migproject", "project"),
)
# The path parameters of the routes, in the order ``handle`` looks for the one a request names.
_RESOURCE_KINDS = ("task", "source", "template", "migproject")

_CONTROL_ROUTES = {
    ("GET", "/_emulator/journal"): "control_journal",
    ("DELETE", "/_emulator/journal"): "control_clear_journal",
    ("GET", "/_emulator/tasks"): "control_tasks",
    ("POST", "/_emulator/tasks"): "control_add_task",
    ("GET", "/_emulator/sources"): "control_sources",
    ("POST", "/_emulator/sources"): "control_add_source",
    ("GET", "/_emulator/templates"): "control_templates",
    ("POST", "/_emulator/templates"): "control_add_template",
    ("GET", "/_emulator/migprojects"): "control_migprojects",
    ("POST", "/_emulator/migprojects"): "control_add_migproject",
    ("POST", "/_emulator/faults"): "control_inject",
    ("GET", "/_emulator/settings"): "control_settings",
    ("POST", "/_emulator/settings"): "control_change_settings",
    ("POST", "/_emulator/reset"): "control_reset",
}
# What ``POST /_emulator/settings`` may change, and the type of each value in its JSON body.
SETTINGS = {"ignored_filters": list, "partial_batches": bool, "denied_actions": list}


class Emulator:
    """In-process SMS + IAM emulator serving on 127.0.0.1 (HTTPS when a certificate is given).

    Settings that change how the service answers, as attributes (also through ``POST /_emulator/settings``, a JSON
    object of any of them; ``GET`` shows them; ``reset`` restores the defaults):

    * ``ignored_filters`` (set of query parameter names, default empty): the list routes ``GET /v3/tasks``,
      ``GET /v3/sources`` and ``GET /v3/vm/templates`` ignore these filters, as a gateway or a service that drops a parameter would:
      ``{"source_server_id"}`` makes ``GET /v3/tasks?source_server_id=X`` list every task. ``limit`` and ``offset``
      are never ignored.
    * ``partial_batches`` (default False): a batch deletion (``POST /v3/tasks/delete``, ``POST /v3/sources/delete``)
      that holds busy ids deletes (starts deleting) every other id it may, then answers 400 SMS.2015 naming the
      refused ids in ``error_param``. When False the whole batch is refused and nothing is touched. The template
      batch (``POST /v3/vm/templates/delete``) refuses unknown ids instead (404, see ``_api_batch_delete_templates``),
      and the same way: with ``partial_batches`` it deletes the known ids first.
    * ``denied_actions`` (set of IAM action names, default empty): a request whose route needs one of these actions
      (ROUTE_ACTIONS) answers 403 SMS.9004 naming the action, as an IAM policy with a deny would. Authentication
      comes first: a request that fails it still gets its 401.
    """

    tokens = frozenset({"static-test-token-0123456789"})
    aksk = {"AKTESTEXAMPLE0000001": "SKtestExampleSecretKey0000000000000000001"}
    users = {("sms-operator", "example-domain"): "Pa55w0rd-example!"}
    projects = {"cn-north-4": "0123456789abcdef0123456789abcdef", "ap-southeast-3": "fedcba9876543210fedcba9876543210"}
    domain_id = "domainid0000000000000000000000001"

    def __init__(self, tls_certfile=None, tls_keyfile=None, clock_skew=0.0, host="127.0.0.1", port=0,
                 tokens=None, aksk=None, users=None, projects=None, verbose=False, site=None, error_style="sms",
                 latency=0.0):
        """``site`` picks the credential set of a site (``international`` has its own, so the credentials of one
        site get 401 APIGW.0301 at the other); ``error_style`` shapes SMS error bodies as one of ERROR_STYLES;
        ``latency`` seconds pass before every answer of an API route (not the control routes), to stand for the
        round trip to a real endpoint."""
        cls = type(self)
        own = SITE_CREDENTIALS[site]
        tokens = own.get("tokens") if tokens is None else tokens
        aksk = own.get("aksk") if aksk is None else aksk
        users = own.get("users") if users is None else users
        projects = own.get("projects") if projects is None else projects
        if error_style not in ERROR_STYLES:
            raise ValueError(f"error_style must be one of {ERROR_STYLES}")
        self.site = site
        self.error_style = error_style
        self.tokens = set(cls.tokens if tokens is None else tokens)
        self.aksk = dict(cls.aksk if aksk is None else aksk)
        self.users = dict(cls.users if users is None else users)
        self.projects = dict(cls.projects if projects is None else projects)
        self.tls_certfile = tls_certfile
        self.tls_keyfile = tls_keyfile
        self.clock_skew = clock_skew
        self.host = host
        self.port = port
        self.verbose = verbose
        self.latency = latency
        self.lock = threading.RLock()
        self.tasks: dict[str, dict] = {}
        self.journal: list[dict] = []
        self._progress: dict[str, dict] = {}
        self.sources: dict[str, dict] = {}
        self._source_progress: dict[str, dict] = {}
        self.templates: dict[str, dict] = {}
        self._template_progress: dict[str, dict] = {}
        self.migprojects: dict[str, dict] = {}
        self._migproject_progress: dict[str, dict] = {}
        self._faults: list[dict] = []
        self.ignored_filters: set[str] = set()
        self.partial_batches = False
        self.denied_actions: set[str] = set()
        self._seq = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._add_default_migproject()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve in a daemon thread; returns self."""
        context = None
        if self.tls_certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls_certfile, self.tls_keyfile)
        self._server = _Server((self.host, self.port), self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="sms-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and close the listening socket.

        With ``SMS_EMULATOR_JOURNAL_DIR`` set, the journal is kept there as a JSON file (the SDK contract test
        reads every journal of a test run).
        """
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            keep = os.environ.get("SMS_EMULATOR_JOURNAL_DIR")
            if keep:
                os.makedirs(keep, exist_ok=True)
                with self.lock:
                    text = json.dumps(self.journal)
                with open(os.path.join(keep, f"{uuid.uuid4().hex}.json"), "w", encoding="utf-8") as handle:
                    handle.write(text)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_certfile else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def now(self) -> float:
        """The emulator's clock, in epoch seconds."""
        return time.time() + self.clock_skew

    # -- tasks -------------------------------------------------------------

    def add_task(self, task_id=None, name="task", state="MIGRATE_SUCCESS", source_state="finished", connected=False,
                 deleting_polls=0, stop_polls=1, stuck_deleting=False, hidden=False, ghost=False, echo_token=False,
                 source_id=None, scoped=False, template_id=None, clear_polls=1, clear_fails=False, clear_refused=False,
                 **fields) -> dict:
        """Create (or replace) a task with the full GET-one field set and return it.

        A task that names its source, by ``source_id`` or by an ``id`` in a ``source_server`` field of its own, is
        that source's current task: the source-server record is created when missing (from the task's
        ``source_server``, ``connected`` and enterprise project), else the task takes the record's name, ip and OS.
        Without either, the task names a random source id that has no record (as after the record was deleted).

        ``hidden`` keeps the task out of list answers while GET still finds it, as an enterprise-project filter
        or a permission scoped by condition keys would. ``scoped`` goes further, as an account whose permissions do
        not reach the task in a batch: hidden from lists, and a batch deletion naming it leaves it alone while still
        answering 200 (and deleting the other ids); GET and a single DELETE still work. ``ghost`` is the opposite
        of ``hidden``: listed, but GET and DELETE answer 404 and a batch leaves it alone (a list that lags behind).
        Several tasks may name the same source: the one added last is the source's current task. ``echo_token``
        makes GET quote the caller's X-Auth-Token in ``error_json``. A task added with the source state ``stopping``
        finishes its stop after ``stop_polls`` looks.

        ``template_id`` names the task's server template (``vm_template_id``, also in its source's ``current_task``);
        the template is created (``<name>-template``) when missing. The action ``clear`` puts the source in
        ``clearing`` for ``clear_polls`` looks, then ``cleared`` (``clearfailed`` with ``clear_fails``);
        ``clear_refused`` makes the service refuse ``clear`` (400 CLEAR_DENIED_CODE) whatever the state. A task added
        with the source state ``clearing`` stays there: only the action moves on.
        """
        task = copy.deepcopy(SAMPLE_TASK)
        task.update(id=task_id or str(uuid.uuid4()), name=name, state=state, connected=connected,
                    create_date=int(time.time() * 1000))
        task["source_server"].update(id=str(uuid.uuid4()), name=name[:-len("-migration")] if name.endswith("-migration") else name)
        own_source = fields["source_server"] if isinstance(fields.get("source_server"), dict) else {}
        own_source_state = "state" in own_source
        task.update(copy.deepcopy(fields))
        if source_id is None:
            source_id = own_source.get("id")
        elif isinstance(task.get("source_server"), dict):
            task["source_server"]["id"] = source_id
        else:
            raise ValueError("source_id needs the task's source_server")
        if isinstance(task.get("source_server"), dict) and not own_source_state:
            if source_state is None:
                task["source_server"].pop("state", None)
            else:
                task["source_server"]["state"] = source_state
        if template_id is not None:
            task["vm_template_id"] = template_id
        with self.lock:
            self.tasks[task["id"]] = task
            self._progress[task["id"]] = {
                "deleting_polls": deleting_polls, "stop_polls": stop_polls, "stuck": stuck_deleting,
                "deleting_left": deleting_polls if "DELETING" in (state, str(source_state).upper()) else None,
                "hidden": hidden, "ghost": ghost, "echo_token": echo_token, "scoped": scoped,
                "stop_left": stop_polls if str(source_state).lower() == "stopping" else None,
                "clear_polls": clear_polls, "clear_fails": clear_fails, "clear_refused": clear_refused, "clear_left": None,
            }
            if source_id is not None:
                self._link_from_task(task, source_id, own_source)
            if template_id is not None and template_id not in self.templates:
                self.add_template(template_id, name=f"{name}-template", target_server_name=f"{name}-target")
        return task

    def seed_demo(self):
        """The fixed demo tasks, each with its source-server record: one deletable, one busy, one already being deleted."""
        for spec in DEMO_TASKS:
            self.add_task(**spec)

    def _start_deletion(self, task_id: str):
        self._settle_sources(task_id)
        progress = self._progress[task_id]
        if progress["deleting_polls"] <= 0 and not progress["stuck"]:
            self._forget(task_id)
            return
        task = self.tasks[task_id]
        task["state"] = "DELETING"
        if isinstance(task.get("source_server"), dict):
            task["source_server"]["state"] = "deleting"
        progress["deleting_left"] = progress["deleting_polls"]

    def _forget(self, task_id: str):
        self._settle_sources(task_id)
        task = self.tasks.pop(task_id, None)
        self._progress.pop(task_id, None)
        template_id = (task or {}).get("vm_template_id")
        if template_id and self._template_progress.get(template_id, {}).get("removed_with_task"):
            self._forget_template(template_id)

    def _advance_deletion(self, task_id: str) -> bool:
        """One observation of a task; returns False when it is gone (now or before)."""
        progress = self._progress.get(task_id)
        if task_id not in self.tasks:
            return False
        if progress is None or progress["deleting_left"] is None or progress["stuck"]:
            return True
        if progress["deleting_left"] <= 0:
            self._forget(task_id)
            return False
        progress["deleting_left"] -= 1
        return True

    def _advance_stop(self, task_id: str):
        progress = self._progress.get(task_id)
        if not progress or progress["stop_left"] is None:
            return
        if progress["stop_left"] > 0:
            progress["stop_left"] -= 1
            return
        progress["stop_left"] = None
        task = self.tasks[task_id]
        task["state"] = "ABORT"
        if isinstance(task.get("source_server"), dict):
            task["source_server"]["state"] = "stopped"

    def _advance_clear(self, task_id: str):
        """One look at a task whose snapshot resources are being cleared: ``clearing`` for ``clear_polls`` looks, then
        ``cleared`` (or ``clearfailed``). The task's own state and ``target_snapshot_id`` stay as they were: what the
        service does to them is unconfirmed, so a client must read the source state, never predict it."""
        progress = self._progress.get(task_id)
        if not progress or progress["clear_left"] is None:
            return
        if progress["clear_left"] > 0:
            progress["clear_left"] -= 1
            return
        progress["clear_left"] = None
        source = self.tasks[task_id].get("source_server")
        if isinstance(source, dict):
            source["state"] = "clearfailed" if progress["clear_fails"] else "cleared"

    def _advance_actions(self, task_id: str):
        """One look at a task's pending stop and clear."""
        self._advance_stop(task_id)
        self._advance_clear(task_id)

    # -- source servers ----------------------------------------------------
    #
    # The link both ways: a task names its source in ``source_server.id``, a source names its task in
    # ``current_task``. While the current task exists, the source's ``connected``, ``state`` and ``migration_cycle``
    # are the task's view of them, so a stop or a deletion of the task shows on the source as well. Unconfirmed
    # behaviour, as this emulator chooses it: once the task is gone the source keeps the values it last showed
    # before the task's deletion began, and ``current_task`` is left out (or null, see ``add_source``); deleting a
    # source deletes no task (the task still names the gone source); deleting a source is refused only while its
    # current task is busy by the task rule (``delete_refused``).

    def add_source(self, source_id=None, name="source", state="finished", connected=False, migration_cycle="cutovered",
                   ip=None, task_id=None, migproject=None, deleting_polls=0, task_gone="absent", **fields) -> dict:
        """Create (or replace) a source-server record with the full GET-one field set and return it.

        ``task_id`` makes an existing task the source's current task: the task then names this source in its
        ``source_server`` (id, name, ip, OS) and takes the record's ``connected``, ``state`` and ``migration_cycle``.
        A replaced record keeps its current task unless ``task_id`` names another. ``migproject`` is the migration
        project the list's ``migproject`` filter matches (not part of the body: the SDK's source models have no such
        field), the default project when None; it need not name a project the emulator has. A project with a source
        in it has servers (``exist_server``) and may not be deleted. ``deleting_polls``: a DELETE is
        accepted at once and the record answers with state ``deleting`` for that many looks before it is gone.
        ``task_gone`` is what ``current_task`` looks like once its task is gone: ``absent`` (left out) or ``null``.
        """
        if task_gone not in TASK_GONE_STYLES:
            raise ValueError(f"task_gone must be one of {TASK_GONE_STYLES}")
        record = copy.deepcopy(SAMPLE_SOURCE)
        record.update(id=source_id or str(uuid.uuid4()), name=name, hostname=name, state=state, connected=connected,
                      migration_cycle=migration_cycle, add_date=int(time.time() * 1000))
        if ip is not None:
            record["ip"] = ip
            record["networks"][0]["ip"] = ip
        record.update(copy.deepcopy(fields))
        with self.lock:
            if task_id is not None and task_id not in self.tasks:
                raise ValueError(f"no task {task_id} to link the source to")
            previous = self._source_progress.get(record["id"], {})
            if migproject is None:
                migproject = self.default_migproject
            self.sources[record["id"]] = record
            self._source_progress[record["id"]] = {
                "task_id": task_id if task_id is not None else previous.get("task_id"), "migproject": migproject,
                "deleting_polls": deleting_polls, "deleting_left": None, "task_gone": task_gone,
            }
            if task_id is not None:
                self._link_from_source(record, self.tasks[task_id])
        return record

    def _link_from_source(self, record: dict, task: dict):
        """The task becomes the record's current task and takes the record's identity and state."""
        if not isinstance(task.get("source_server"), dict):
            task["source_server"] = {}
        task["source_server"].update({key: record[key] for key in ("id", "ip", "name", "os_type", "os_version", "oem_system")})
        task["source_server"].update(state=record["state"], migration_cycle=record["migration_cycle"])
        task["connected"] = record["connected"]
        progress = self._progress[task["id"]]
        if record["state"] == "stopping" and progress["stop_left"] is None:
            progress["stop_left"] = progress["stop_polls"]

    def _link_from_task(self, task: dict, source_id: str, own_source: dict):
        """The task becomes the source's current task; a missing record is made from the task's view of it."""
        linked = task["source_server"]
        if source_id not in self.sources:
            extra = {key: linked[key] for key in ("os_type", "os_version", "oem_system") if key in linked}
            self.add_source(source_id, name=linked.get("name") or "source", state=linked.get("state") or "waiting",
                            connected=bool(task.get("connected")), migration_cycle=linked.get("migration_cycle") or "cutovered",
                            ip=linked.get("ip"), enterprise_project_id=task.get("enterprise_project_id", "0"), **extra)
        record = self.sources[source_id]
        linked.update({key: record[key] for key in ("name", "ip", "os_type", "os_version") if key not in own_source})
        self._source_progress[source_id]["task_id"] = task["id"]

    @staticmethod
    def _task_view_of_source(task: dict) -> dict:
        """What a task says about its source: ``connected``, and ``state`` and ``migration_cycle`` where it has them."""
        values = {"connected": bool(task.get("connected"))}
        linked = task.get("source_server") if isinstance(task.get("source_server"), dict) else {}
        values.update({key: linked[key] for key in ("state", "migration_cycle") if linked.get(key)})
        return values

    def _settle_sources(self, task_id: str):
        """A task about to be deleted: its sources keep what it last said of them (not its own ``deleting``)."""
        task = self.tasks.get(task_id)
        if task is None:
            return
        values = self._task_view_of_source(task)
        if values.get("state") == "deleting":
            del values["state"]
        for source_id, progress in self._source_progress.items():
            if progress["task_id"] == task_id:
                self.sources[source_id].update(values)

    def _current_task(self, source_id: str):
        """The source's current task, or None when it has none or the task is gone."""
        return self.tasks.get(self._source_progress[source_id]["task_id"])

    def source_body(self, source_id: str, listed: bool = False) -> dict:
        """The source as GET (or, with ``listed``, a list item) shows it now, ``current_task`` included."""
        with self.lock:
            record, progress = self.sources[source_id], self._source_progress[source_id]
            excluded = SOURCE_GET_ONLY_KEYS if listed else SOURCE_LIST_ONLY_KEYS
            body = {key: copy.deepcopy(value) for key, value in record.items() if key not in excluded}
            task = self._current_task(source_id)
            if task is not None:
                body.update(self._task_view_of_source(task))
                body["current_task"] = current_task_view(task, listed)
            elif progress["task_id"] is not None and progress["task_gone"] == "null":
                body["current_task"] = None
            if progress["deleting_left"] is not None:
                body["state"] = "deleting"
            return body

    def _source_refused(self, source_id: str) -> bool:
        """True when the service would refuse to delete this source: its current task is busy by the task rule."""
        task = self._current_task(source_id)
        return task is not None and delete_refused(task)

    def _look_at_source(self, source_id: str) -> bool:
        """One observation of a source (and of its current task); returns False when the source is gone."""
        progress = self._source_progress.get(source_id)
        if progress is None:
            return False
        task_id = progress["task_id"]
        if task_id in self.tasks and self._advance_deletion(task_id):
            self._advance_actions(task_id)
        if progress["deleting_left"] is None:
            return True
        if progress["deleting_left"] <= 0:
            self._forget_source(source_id)
            return False
        progress["deleting_left"] -= 1
        return True

    def _start_source_deletion(self, source_id: str):
        progress = self._source_progress[source_id]
        if progress["deleting_polls"] <= 0:
            self._forget_source(source_id)
        else:
            progress["deleting_left"] = progress["deleting_polls"]

    def _forget_source(self, source_id: str):
        self.sources.pop(source_id, None)
        self._source_progress.pop(source_id, None)

    def move_source(self, source_id: str, migproject: str | None):
        """Put a source in another migration project (None: the default one), as the console's "move" does."""
        with self.lock:
            if source_id not in self._source_progress:
                raise ValueError(f"no source {source_id} to move")
            self._source_progress[source_id]["migproject"] = migproject if migproject is not None else self.default_migproject

    def source_migproject(self, source_id: str) -> str | None:
        """The migration project a source is in (what ``GET /v3/sources?migproject=`` matches), or None if no source."""
        with self.lock:
            return (self._source_progress.get(source_id) or {}).get("migproject")

    # -- server templates --------------------------------------------------
    #
    # Unconfirmed behaviour, as this emulator chooses it: a template that a task names (``vm_template_id``) may be
    # deleted like any other (the reference documents no constraint); the task then names a template that is gone.
    # Deleting a task leaves its template, unless the template was added with ``removed_with_task``. ``is_template``
    # ("a template associated with a task is not a general template") reads "false" while a task names the template,
    # "true" otherwise, unless ``add_template`` was given a value.

    def add_template(self, template_id=None, name="template", hidden=False, removed_with_task=False, **fields) -> dict:
        """Create (or replace) a server template with the full field set of the SDK's TemplateResponseBody and
        return it; ``fields`` override any field (``target_password`` is TEMPLATE_PASSWORD unless given).

        ``hidden`` keeps it out of list answers while GET still finds it (as for tasks). ``removed_with_task``: the
        template goes when a task naming it is deleted (one answer to an unconfirmed question).
        """
        record = copy.deepcopy(SAMPLE_TEMPLATE)
        record.update(id=template_id or str(uuid.uuid4()), name=name)
        pinned = "is_template" in fields
        record.update(copy.deepcopy(fields))
        with self.lock:
            self.templates[record["id"]] = record
            self._template_progress[record["id"]] = {"hidden": hidden, "removed_with_task": removed_with_task,
                                                     "pinned": pinned}
        return record

    def template_body(self, template_id: str) -> dict:
        """A template as the service shows it now (a list item, or the ``template`` of GET one)."""
        with self.lock:
            body = copy.deepcopy(self.templates[template_id])
            if not self._template_progress[template_id]["pinned"]:
                used = any(task.get("vm_template_id") == template_id for task in self.tasks.values())
                body["is_template"] = "false" if used else "true"
            return body

    def _forget_template(self, template_id: str):
        self.templates.pop(template_id, None)
        self._template_progress.pop(template_id, None)

    # -- migration projects ------------------------------------------------

    def add_migproject(self, migproject_id=None, name="project", isdefault=False, exist_server=False, hidden=False,
                       show_id=False, **fields) -> dict:
        """Create (or replace) a migration project with the field set of the SDK's MigprojectsResponseBody and return it.

        ``isdefault`` makes it the default project (the others stop being it); the default project may not be deleted.
        ``exist_server`` True: the project has servers the emulator does not hold as sources (say, ones the
        credentials cannot see); it has servers anyway while a source is in it. ``hidden`` keeps it out of list
        answers while GET still finds it. ``show_id`` puts ``id`` in the GET-one body, as older reference pages
        document (see SAMPLE_MIGPROJECT).
        """
        record = copy.deepcopy(SAMPLE_MIGPROJECT)
        record.update(id=migproject_id or str(uuid.uuid4()), name=name, isdefault=isdefault, exist_server=exist_server)
        record.update(copy.deepcopy(fields))
        with self.lock:
            if record["isdefault"]:
                for other in self.migprojects.values():
                    other["isdefault"] = False
            self.migprojects[record["id"]] = record
            self._migproject_progress[record["id"]] = {"hidden": hidden, "show_id": show_id}
        return record

    def _add_default_migproject(self):
        self.add_migproject(DEFAULT_MIGPROJECT_ID, name="default", isdefault=True, description="The default project")

    @property
    def default_migproject(self) -> str | None:
        """The id of the default migration project (None when none is the default)."""
        with self.lock:
            return next((pid for pid, record in self.migprojects.items() if record.get("isdefault")), None)

    def _has_servers(self, migproject_id: str) -> bool:
        return bool(self.migprojects[migproject_id].get("exist_server")) or any(
            progress["migproject"] == migproject_id for progress in self._source_progress.values())

    def migproject_body(self, migproject_id: str, listed: bool = False) -> dict:
        """A project as GET (or, with ``listed``, a list item) shows it now: ``exist_server`` counts its sources."""
        with self.lock:
            body = copy.deepcopy(self.migprojects[migproject_id])
            body["exist_server"] = self._has_servers(migproject_id)
            if not listed and not self._migproject_progress[migproject_id]["show_id"]:
                del body["id"]
            return body

    # -- journal and faults ------------------------------------------------

    def clear_journal(self):
        """Forget every recorded request."""
        with self.lock:
            self.journal.clear()

    def methods(self) -> list:
        """The method of every request received, in order: ``["GET", "DELETE", "GET"]``."""
        return self.sent("method")

    def sent(self, *fields) -> list:
        """Journal fields of every request, in order: ``sent("method", "status")`` -> ``[("GET", 200), ...]``;
        with one field, the values themselves."""
        with self.lock:
            rows = [tuple(entry[name] for name in fields) for entry in self.journal]
        return [row[0] for row in rows] if len(fields) == 1 else rows

    def requests(self, method=None, path_prefix=None) -> list:
        """Journal entries, optionally filtered by method and raw path prefix."""
        with self.lock:
            return [entry for entry in self.journal
                    if (method is None or entry["method"] == method.upper())
                    and (path_prefix is None or entry["path"].startswith(path_prefix))]

    def reset(self):
        """No tasks, no source servers, no templates, only the default migration project, no faults, empty journal,
        default settings."""
        with self.lock:
            self.tasks.clear()
            self._progress.clear()
            self.sources.clear()
            self._source_progress.clear()
            self.templates.clear()
            self._template_progress.clear()
            self.migprojects.clear()
            self._migproject_progress.clear()
            self._add_default_migproject()
            self._faults.clear()
            self.journal.clear()
            self.ignored_filters = set()
            self.partial_batches = False
            self.denied_actions = set()

    def inject(self, method=None, path=None, times=1, status=None, body=None, headers=None, html=False, delay=0.0,
               reset=False, truncate=False, empty=False, after=0, label=None, processed=False, raw=None, drip=0.0,
               endless_count=None, endless_page=MAX_LIST_LIMIT):
        """Queue a fault for the next ``times`` matching requests (after skipping ``after`` of them).

        Hostile answers: ``raw`` (bytes) is sent as the body as it is, with ``status`` (default 200); ``drip``
        sends the answer's body one byte every ``drip`` seconds; ``endless_count`` answers a list request with a
        page of ``endless_page`` new task ids and that ``count``, however far the reader goes.

        ``path`` is None (any), an exact raw path, or a regex (compiled, or a string starting with ``^``).
        In a ``body`` dict, a ``request_id`` key set to None is filled with the answer's request id.
        With ``processed=True`` the request is carried out first and only its answer is replaced by the fault
        (the service did the work, the client never heard of it).
        """
        if isinstance(path, str) and path.startswith("^"):
            path = re.compile(path)
        kind = label or ("reset" if reset else "truncate" if truncate else "empty" if empty else "html" if html
                         else "raw" if raw is not None else "endless" if endless_count is not None
                         else "drip" if drip else "status" if status is not None else "delay")
        fault = {"method": method.upper() if method else None, "path": path, "times": times, "after": after, "kind": kind,
                 "status": status, "body": body, "headers": dict(headers or {}), "html": html, "delay": delay,
                 "reset": reset, "truncate": truncate, "empty": empty, "processed": processed, "raw": raw,
                 "drip": drip, "endless_count": endless_count, "endless_page": endless_page}
        with self.lock:
            self._faults.append(fault)
        return fault

    def inject_throttle(self, times=1, retry_after="1", method=None, path=None, after=0):
        """429 APIGW.0308 with Retry-After (None: without the header)."""
        body = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second",
                "request_id": None}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return self.inject(method=method, path=path, times=times, status=429, body=body, headers=headers, after=after, label="throttle")

    def inject_forbidden(self, method="DELETE", path=None, times=1, after=0):
        """403 SMS.9004 with the five fields of the documented error body (for ``sms:server:deleteTask``).

        For a denial by route rather than by request count, see ``denied_actions``."""
        body = forbidden_body("sms:server:deleteTask")
        return self.inject(method=method, path=path, times=times, status=403, body=body, after=after, label="forbidden")

    def _take_fault(self, method: str, path: str):
        with self.lock:
            for fault in self._faults:
                if fault["method"] not in (None, method):
                    continue
                wanted = fault["path"]
                if wanted is not None and not (wanted.search(path) if isinstance(wanted, re.Pattern) else wanted == path):
                    continue
                if fault["after"] > 0:
                    fault["after"] -= 1
                    continue
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_reply(fault: dict, request_id: str) -> Reply | None:
        """The answer a fault sends instead of the normal one (None: answer normally)."""
        if fault["raw"] is not None:
            return Reply(fault["status"] or 200, fault["raw"], "application/json", fault["headers"])
        if fault["endless_count"] is not None:
            page = [{"id": str(uuid.uuid4()), "name": "endless", "state": "READY"} for _item in range(fault["endless_page"])]
            return Reply.json(200, {"count": fault["endless_count"], "tasks": page}, fault["headers"])
        if fault["drip"]:
            reply = Reply.json(fault["status"] or 200, fault["body"] if fault["body"] is not None else {"count": 0, "tasks": []},
                               fault["headers"])
            reply.drip = fault["drip"]
            return reply
        if fault["html"]:
            status = fault["status"] or 502
            page = GATEWAY_PAGE.format(status=status, phrase=HTTPStatus(status).phrase)
            return Reply(status, page.encode(), "text/html", fault["headers"])
        if fault["truncate"]:
            text = json.dumps(fault["body"] if fault["body"] is not None else {"count": 1, "tasks": [list_item(SAMPLE_TASK)]})
            return Reply(200, text[:len(text) // 2].encode("utf-8"), headers=fault["headers"])
        if fault["empty"]:
            return Reply(200, b"", headers=fault["headers"])
        if fault["status"] is not None:
            body = copy.deepcopy(fault["body"])
            if isinstance(body, dict) and "request_id" in body and body["request_id"] is None:
                body["request_id"] = request_id
            return Reply.json(fault["status"], body, fault["headers"]) if body is not None else Reply(fault["status"], b"", None, fault["headers"])
        return None

    # -- request handling --------------------------------------------------

    def handle(self, handler: _Handler):
        arrival = time.monotonic()
        request = Request(handler.command, handler.path, handler.headers, handler.read_body(), uuid.uuid4().hex)
        control = _CONTROL_ROUTES.get((request.method, request.path.rstrip("/")))
        if control or request.path.startswith("/_emulator/"):
            reply = getattr(self, control)(request) if control else Reply.json(404, {"error": "no such control route"})
            handler.send(reply, request.request_id)
            return
        route, match = self._route(request)
        ids = {name: unquote(value) for name, value in match.groupdict().items()} if match else {}
        task_id, source_id = ids.get("task"), ids.get("source")
        resource_id = next((ids[kind] for kind in _RESOURCE_KINDS if ids.get(kind) is not None), None)
        with self.lock:
            self._seq += 1
            entry = {"seq": self._seq, "time": arrival, "method": request.method, "path": request.path, "task_id": task_id,
                     "source_id": source_id, "template_id": ids.get("template"), "migproject_id": ids.get("migproject"),
                     "query": dict(request.query), "raw_query": request.raw_query,
                     "headers": {name.lower(): value for name, value in request.header_pairs},
                     "body": request.journal_body(), "auth": request.auth, "status": None,
                     "request_id": request.request_id, "fault": None}
            self.journal.append(entry)
        fault = self._take_fault(request.method, request.path)
        reply = None
        if fault is not None:
            with self.lock:
                entry["fault"] = fault["kind"] + ("-after-processing" if fault["processed"] else "")
            if fault["processed"]:
                self._process(request, route, resource_id)
            if fault["delay"]:
                time.sleep(fault["delay"])
            if fault["reset"]:
                handler.reset()
                return
            reply = self._fault_reply(fault, request.request_id)
        if reply is None:
            reply = self._restyle(self._process(request, route, resource_id))
        with self.lock:
            entry["status"] = reply.status
            if 200 <= reply.status < 300:
                entry["reply_keys"] = reply_keys(reply.body)
        if self.latency:
            time.sleep(self.latency)
        handler.send(reply, request.request_id)

    @staticmethod
    def _route(request: Request):
        for method, pattern, name, auth in _ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                return (name, auth), match
        for _method, pattern, _name, _auth in _ROUTES:
            match = pattern.match(request.path)
            if match and match.groupdict():
                return None, match  # a resource path with an unsupported method: keep the id for the journal
        return None, None

    def _process(self, request: Request, route, resource_id) -> Reply:
        if route is None:
            return Reply.json(404, {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published in the environment",
                                    "request_id": request.request_id})
        name, auth_need = route
        if auth_need != "none":
            failure = self._authenticate(request, auth_need == "project")
            if failure:
                return Reply.json(401, {"error_code": "APIGW.0301", "error_msg": failure, "request_id": request.request_id})
        action = ROUTE_ACTIONS.get(name)
        with self.lock:
            denied = action in self.denied_actions
        if denied:
            return Reply.json(403, forbidden_body(action))
        handler = getattr(self, "_api_" + name)
        return handler(request, resource_id) if resource_id is not None else handler(request)

    def _restyle(self, reply: Reply) -> Reply:
        """An SMS error body in this emulator's ``error_style`` (gateway errors keep the gateway's own shape)."""
        if self.error_style == "sms" or reply.status < 400 or reply.content_type != "application/json":
            return reply
        body = json.loads(reply.body)
        if not isinstance(body, dict) or not str(body.get("error_code", "")).startswith("SMS."):
            return reply
        code, message = body["error_code"], body["error_msg"]
        shaped = {"nested": {"error": {"code": code, "message": message}},
                  "camel": {"errorCode": code, "errorMsg": message},
                  "plain": {"code": code, "message": message}}[self.error_style]
        return Reply.json(reply.status, shaped, reply.headers)

    def _authenticate(self, request: Request, needs_project: bool) -> str | None:
        """None when the caller is authenticated, else the gateway's message."""
        token = request.headers.get("x-auth-token")
        if token is not None:
            with self.lock:
                valid = token.strip() in self.tokens
            return None if valid else AUTH_ERROR_PREFIX + "token invalid or expired"
        if "authorization" not in request.headers:
            return AUTH_ERROR_PREFIX + "no X-Auth-Token or Authorization header"
        with self.lock:
            secret_keys = dict(self.aksk)
            project_ids = set(self.projects.values())
        ok, reason, _ak = verify_aksk(request.method, request.path, request.raw_query, request.header_pairs, request.body,
                                      secret_keys, self.now())
        if not ok:
            return reason
        if needs_project:
            project_id = request.headers.get("x-project-id")
            if not project_id:
                return AUTH_ERROR_PREFIX + "x-project-id header missing (required with AK/SK)"
            if project_id.strip() not in project_ids:
                return AUTH_ERROR_PREFIX + "x-project-id does not name a known project"
        return None

    # -- SMS routes --------------------------------------------------------

    def _api_show_task(self, request: Request, task_id: str) -> Reply:
        with self.lock:
            if self._is_ghost(task_id) or not self._advance_deletion(task_id):
                return _error(404, "SMS.1801", "The task does not exist.", [task_id])
            self._advance_actions(task_id)
            task = self.tasks[task_id]
            if self._progress[task_id]["echo_token"]:  # a service that quotes the caller's token back
                task = dict(task, error_json="rejected token %s" % request.headers.get("x-auth-token"))
            return Reply.json(200, task)

    def _is_ghost(self, task_id: str) -> bool:
        progress = self._progress.get(task_id)
        return bool(progress and progress["ghost"])

    def _filters(self, request: Request) -> dict:
        """The query of a list request as the service acts on it: without the filters it ignores (paging stays)."""
        with self.lock:
            ignored = set(self.ignored_filters) - PAGING_PARAMS
        return {name: value for name, value in request.query.items() if name not in ignored}

    def _api_list_tasks(self, request: Request) -> Reply:
        query = self._filters(request)
        limit, failure = _int_param(query, "limit", 100, 0, MAX_LIST_LIMIT)
        if failure:
            return failure
        offset, failure = _int_param(query, "offset", 0, 0, None)
        if failure:
            return failure
        exact = {"state": lambda t: t.get("state"), "id": lambda t: t.get("id"),
                 "source_server_id": lambda t: (t.get("source_server") or {}).get("id"),
                 "enterprise_project_id": lambda t: t.get("enterprise_project_id")}
        with self.lock:
            for task_id in list(self.tasks):
                # every list read is one more look at pending deletions and stops
                if self._advance_deletion(task_id):
                    self._advance_actions(task_id)
            if "state" in query and query["state"] not in LIST_FILTER_STATES:
                return _bad_param("state", "must be one of " + ", ".join(sorted(LIST_FILTER_STATES)))
            matching = [task for task in self.tasks.values()
                        if not (self._progress[task["id"]]["hidden"] or self._progress[task["id"]]["scoped"])
                        and all(getter(task) == query[key] for key, getter in exact.items() if key in query)
                        and ("name" not in query or query["name"].lower() in str(task.get("name", "")).lower())]
            page = [list_item(task) for task in matching[offset:offset + limit]]
        return Reply.json(200, {"count": len(matching), "tasks": page})

    def _api_delete_task(self, _request: Request, task_id: str) -> Reply:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or self._is_ghost(task_id):
                return _error(404, "SMS.1801", "The task does not exist.", [task_id])
            if task.get("state") == "DELETING":
                return Reply(200)
            if delete_refused(task):
                return _error(400, "SMS.2015", DELETE_REFUSED_MSG, [task_id])
            self._start_deletion(task_id)
        return Reply(200)

    def _api_batch_delete(self, request: Request) -> Reply:
        ids, failure = _batch_ids(request, "task")
        if failure:
            return failure
        with self.lock:
            # a scoped task is out of the batch's reach, as an unknown id is: left alone without a word
            known = [task_id for task_id in dict.fromkeys(ids) if task_id in self.tasks and not self._is_ghost(task_id)
                     and not self._progress[task_id]["scoped"]]
            pending = [task_id for task_id in known if self.tasks[task_id].get("state") != "DELETING"]
            refused = [task_id for task_id in pending if delete_refused(self.tasks[task_id])]
            if refused and not self.partial_batches:
                return _error(400, "SMS.2015", DELETE_REFUSED_MSG, refused)
            for task_id in pending:
                if task_id not in refused:
                    self._start_deletion(task_id)
            if refused:  # partial_batches: the others are deleted, and only then is the batch refused
                return _error(400, "SMS.2015", DELETE_REFUSED_MSG, refused)
        return Reply.json(200, "succeeded")

    def _api_task_action(self, request: Request, task_id: str) -> Reply:
        try:
            operation = request.json_body().get("operation")
        except (ValueError, AttributeError):
            return _bad_param("operation", "the body must be a JSON object with an operation")
        if operation not in OPERATIONS:
            return _bad_param("operation", "must be one of " + ", ".join(sorted(OPERATIONS)))
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return _error(404, "SMS.1801", "The task does not exist.", [task_id])
            progress = self._progress[task_id]
            source = task.get("source_server") if isinstance(task.get("source_server"), dict) else {}
            if operation == "stop":
                task["state"] = "ABORTING"
                source["state"] = "stopping"
                progress["stop_left"] = progress["stop_polls"]
                if progress["stop_left"] <= 0:
                    self._advance_stop(task_id)
            elif operation == "start":
                task["state"] = "RUNNING"
                source["state"] = "replicate"
                progress["stop_left"] = None
            elif operation == "clear":
                refusal = self._clear_refusal(task_id)
                if refusal is not None:
                    return refusal
                source["state"] = "clearing"
                progress["clear_left"] = progress["clear_polls"]
                if progress["clear_left"] <= 0:
                    self._advance_clear(task_id)
            if operation in ("stop", "start"):
                progress["clear_left"] = None
        return Reply.json(200, "succeeded")

    def _clear_refusal(self, task_id: str) -> Reply | None:
        """The answer refusing ``clear`` for this task now, or None when the service accepts it (CLEARABLE_TASK_STATES)."""
        task, progress = self.tasks[task_id], self._progress[task_id]
        if progress["clear_refused"]:
            return _error(400, CLEAR_DENIED_CODE, CLEAR_DENIED_MSG, [task_id])
        source_state = _source_state(task)
        if source_state in BUSY_SOURCE_STATES or task.get("state") in BUSY_TASK_STATES:
            return _error(400, CLEAR_REFUSED_CODE, CLEAR_BUSY_MSG, [task_id])
        if source_state == "cleared":
            return _error(400, CLEAR_REFUSED_CODE, CLEAR_DONE_MSG, [task_id])
        if task.get("state") not in CLEARABLE_TASK_STATES:
            return _error(400, CLEAR_REFUSED_CODE, CLEAR_UNFINISHED_MSG, [task_id])
        return None

    def _api_show_source(self, _request: Request, source_id: str) -> Reply:
        with self.lock:
            if not self._look_at_source(source_id):
                return _error(404, SOURCE_MISSING_CODE, SOURCE_MISSING_MSG, [source_id])
            return Reply.json(200, self.source_body(source_id))

    def _api_list_sources(self, request: Request) -> Reply:
        query = self._filters(request)
        limit, failure = _int_param(query, "limit", SOURCE_LIST_DEFAULT_LIMIT, 0, MAX_LIST_LIMIT)
        if failure:
            return failure
        limit = limit or SOURCE_LIST_DEFAULT_LIMIT
        offset, failure = _int_param(query, "offset", 0, 0, SOURCE_MAX_OFFSET)
        if failure:
            return failure
        for name, allowed in (("state", SOURCE_STATES), ("migration_cycle", MIGRATION_CYCLES)):
            if name in query and query[name] not in allowed:
                return _bad_param(name, "must be one of " + ", ".join(sorted(allowed)))
        flags = {}
        for name in ("connected", "is_consistency_result_exist"):
            flags[name], failure = _bool_param(query, name)
            if failure:
                return failure
        with self.lock:
            shown = [self.source_body(source_id, listed=True) for source_id in list(self.sources)
                     if self._look_at_source(source_id)]
            migprojects = {source_id: progress["migproject"] for source_id, progress in self._source_progress.items()}
            ipv6 = {source_id: {net.get("ipv6") for net in record.get("networks") or []}
                    for source_id, record in self.sources.items()}

        def vm_ids(item):
            task = item.get("current_task") or {}
            return {(task.get(key) or {}).get("vm_id") for key in ("target_server", "clone_server")} - {None, ""}

        tests = [
            ("state", lambda item, wanted: item["state"] == wanted),
            ("name", lambda item, wanted: wanted.lower() in str(item.get("name", "")).lower()),  # not exact, as tasks
            ("id", lambda item, wanted: item["id"] == wanted),
            ("ip", lambda item, wanted: item.get("ip") == wanted),
            ("ipv6", lambda item, wanted: wanted in ipv6.get(item["id"], ())),
            ("migproject", lambda item, wanted: migprojects.get(item["id"]) == wanted),
            ("migration_cycle", lambda item, wanted: item.get("migration_cycle") == wanted),
            ("enterprise_project_id", lambda item, wanted: item.get("enterprise_project_id") == wanted),
            ("vm_id", lambda item, wanted: wanted in vm_ids(item)),  # the target or clone server of its current task
        ]
        matching = [item for item in shown
                    if all(test(item, query[name]) for name, test in tests if name in query)
                    and all(item.get(name) is wanted for name, wanted in flags.items() if wanted is not None)]
        return Reply.json(200, {"count": len(matching), "source_servers": matching[offset:offset + limit]})

    def _api_delete_source(self, _request: Request, source_id: str) -> Reply:
        with self.lock:
            progress = self._source_progress.get(source_id)
            if progress is None:
                return _error(404, SOURCE_MISSING_CODE, SOURCE_MISSING_MSG, [source_id])
            if progress["deleting_left"] is not None:
                return Reply.json(200, "succeeded")
            if self._source_refused(source_id):
                return _error(400, SOURCE_BUSY_CODE, SOURCE_BUSY_MSG, [source_id])
            self._start_source_deletion(source_id)
        return Reply.json(200, "succeeded")

    def _api_batch_delete_sources(self, request: Request) -> Reply:
        ids, failure = _batch_ids(request, "source server")
        if failure:
            return failure
        with self.lock:
            pending = [source_id for source_id in dict.fromkeys(ids)
                       if source_id in self._source_progress and self._source_progress[source_id]["deleting_left"] is None]
            refused = [source_id for source_id in pending if self._source_refused(source_id)]
            if refused and not self.partial_batches:
                return _error(400, SOURCE_BUSY_CODE, SOURCE_BUSY_MSG, refused)
            for source_id in pending:
                if source_id not in refused:
                    self._start_source_deletion(source_id)
            if refused:  # partial_batches: the others are deleted, and only then is the batch refused
                return _error(400, SOURCE_BUSY_CODE, SOURCE_BUSY_MSG, refused)
        return Reply.json(200, "succeeded")

    def _page(self, request: Request, default_limit: int, max_limit: int):
        """(filters, limit, offset, None) of a template or project list request, or (.., error reply)."""
        query = self._filters(request)
        limit, failure = _int_param(query, "limit", default_limit, 0, max_limit)
        if failure:
            return query, None, None, failure
        offset, failure = _int_param(query, "offset", 0, 0, SOURCE_MAX_OFFSET)
        return query, limit or default_limit, offset, failure

    def _api_list_templates(self, request: Request) -> Reply:
        query, limit, offset, failure = self._page(request, TEMPLATE_LIST_DEFAULT_LIMIT, TEMPLATE_MAX_LIMIT)
        if failure:
            return failure
        tests = [
            ("name", lambda item, wanted: wanted.lower() in str(item.get("name", "")).lower()),  # not exact, as tasks
            ("id", lambda item, wanted: item["id"] == wanted),
            ("availability_zone", lambda item, wanted: item.get("availability_zone") == wanted),
            ("region", lambda item, wanted: item.get("region") == wanted),
        ]
        with self.lock:
            shown = [self.template_body(template_id) for template_id, progress in self._template_progress.items()
                     if not progress["hidden"]]
        matching = [item for item in shown if all(test(item, query[name]) for name, test in tests if name in query)]
        return Reply.json(200, {"count": len(matching), "templates": matching[offset:offset + limit]})

    def _api_show_template(self, _request: Request, template_id: str) -> Reply:
        with self.lock:
            if template_id not in self.templates:
                return _error(404, TEMPLATE_MISSING_CODE, TEMPLATE_MISSING_MSG, [template_id])
            return Reply.json(200, {"template": self.template_body(template_id)})  # wrapped, unlike a task or a source

    def _api_delete_template(self, _request: Request, template_id: str) -> Reply:
        with self.lock:
            if template_id not in self.templates:
                return _error(404, TEMPLATE_MISSING_CODE, TEMPLATE_MISSING_MSG, [template_id])
            self._forget_template(template_id)
        return Reply(200)  # an empty body: a client must not need JSON on success

    def _api_batch_delete_templates(self, request: Request) -> Reply:
        """Unconfirmed: what the service does with ids it does not know. The emulator takes the strict reading, so a
        client that assumes a batch shrugs off stale ids is caught: 404 TEMPLATE_MISSING_CODE naming the unknown ids,
        and nothing deleted (with ``partial_batches``: the known ids deleted first). The success body is ``{}``, as
        the newest reference's example shows (the SDK's model says a string)."""
        ids, failure = _batch_ids(request, "template")
        if failure:
            return failure
        with self.lock:
            wanted = list(dict.fromkeys(ids))
            unknown = [template_id for template_id in wanted if template_id not in self.templates]
            if unknown and not self.partial_batches:
                return _error(404, TEMPLATE_MISSING_CODE, TEMPLATE_MISSING_MSG, unknown)
            for template_id in wanted:
                if template_id not in unknown:
                    self._forget_template(template_id)
            if unknown:
                return _error(404, TEMPLATE_MISSING_CODE, TEMPLATE_MISSING_MSG, unknown)
        return Reply.json(200, {})

    def _api_list_migprojects(self, request: Request) -> Reply:
        _query, limit, offset, failure = self._page(request, MIGPROJECT_LIST_DEFAULT_LIMIT, MIGPROJECT_MAX_LIMIT)
        if failure:
            return failure
        with self.lock:
            shown = [self.migproject_body(migproject_id, listed=True)
                     for migproject_id, progress in self._migproject_progress.items() if not progress["hidden"]]
        return Reply.json(200, {"count": len(shown), "migprojects": shown[offset:offset + limit]})

    def _api_show_migproject(self, _request: Request, migproject_id: str) -> Reply:
        with self.lock:
            if migproject_id not in self.migprojects:
                return _error(404, MIGPROJECT_MISSING_CODE, MIGPROJECT_MISSING_MSG, [migproject_id])
            return Reply.json(200, self.migproject_body(migproject_id))

    def _api_delete_migproject(self, _request: Request, migproject_id: str) -> Reply:
        """Only a project without servers may be deleted, never the default one (user guide); the body Terraform
        sends (``[id]``) or none at all, as the SDK, are both taken."""
        with self.lock:
            record = self.migprojects.get(migproject_id)
            if record is None:
                return _error(404, MIGPROJECT_MISSING_CODE, MIGPROJECT_MISSING_MSG, [migproject_id])
            if record.get("isdefault"):
                return _error(400, MIGPROJECT_DEFAULT_CODE, MIGPROJECT_DEFAULT_MSG, [migproject_id])
            if self._has_servers(migproject_id):
                return _error(400, MIGPROJECT_NOT_EMPTY_CODE, MIGPROJECT_NOT_EMPTY_MSG, [migproject_id])
            self.migprojects.pop(migproject_id)
            self._migproject_progress.pop(migproject_id)
        return Reply(200)

    # -- IAM routes --------------------------------------------------------

    def _api_issue_token(self, request: Request) -> Reply:
        unauthorized = Reply.json(401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
        try:
            auth = request.json_body()["auth"]
            identity = auth["identity"]
            user = identity["password"]["user"]
            user_name, password, domain_name = user["name"], user["password"], user["domain"]["name"]
            scope = auth.get("scope") or {}
        except (ValueError, KeyError, TypeError):
            return Reply.json(400, {"error": {"code": 400, "message": "The request body is invalid.", "title": "Bad Request"}})
        if "password" not in identity.get("methods", []):
            return unauthorized
        with self.lock:
            if self.users.get((user_name, domain_name)) != password:
                return unauthorized
            projects = dict(self.projects)
        now = datetime.now(timezone.utc) + timedelta(seconds=self.clock_skew)
        body = {"token": {"expires_at": (now + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                          "issued_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "methods": ["password"],
                          "user": {"name": user_name, "domain": {"name": domain_name, "id": self.domain_id}}}}
        if "project" in scope:
            wanted = scope["project"] or {}
            found = [(name, pid) for name, pid in projects.items() if wanted.get("name") == name or wanted.get("id") == pid]
            if not found:
                return Reply.json(400, {"error": {"code": 400, "message": "The project in the scope does not exist.", "title": "Bad Request"}})
            body["token"]["project"] = {"id": found[0][1], "name": found[0][0], "domain": {"name": domain_name, "id": self.domain_id}}
        elif "domain" in scope:
            if (scope["domain"] or {}).get("name") not in (None, domain_name):
                return unauthorized
            body["token"]["domain"] = {"name": domain_name, "id": self.domain_id}
        token = "MIIemu" + secrets.token_urlsafe(96)
        with self.lock:
            self.tokens.add(token)
        return Reply(201, json.dumps(body).encode("utf-8"), headers={"X-Subject-Token": token})

    def _api_list_projects(self, request: Request) -> Reply:
        wanted = request.query.get("name")
        with self.lock:
            found = [{"id": pid, "name": name, "domain_id": self.domain_id, "enabled": True, "parent_id": self.domain_id}
                     for name, pid in self.projects.items() if wanted is None or name == wanted]
        host = request.headers.get("host", f"{self.host}:{self.port}")
        scheme = "https" if self.tls_certfile else "http"
        self_link = f"{scheme}://{host}{request.path}" + (f"?{request.raw_query}" if request.raw_query else "")
        return Reply.json(200, {"projects": found, "links": {"self": self_link, "next": None, "previous": None}})

    # -- control routes ----------------------------------------------------

    def control_journal(self, _request: Request) -> Reply:
        with self.lock:
            return Reply.json(200, self.journal)

    def control_clear_journal(self, _request: Request) -> Reply:
        self.clear_journal()
        return Reply.json(200, {"cleared": True})

    def control_tasks(self, _request: Request) -> Reply:
        with self.lock:
            return Reply.json(200, list(self.tasks.values()))

    def control_add_task(self, request: Request) -> Reply:
        try:
            return Reply.json(200, self.add_task(**(request.json_body() or {})))
        except (ValueError, TypeError) as exc:
            return Reply.json(400, {"error": str(exc)})

    def control_sources(self, _request: Request) -> Reply:
        with self.lock:
            return Reply.json(200, [self.source_body(source_id) for source_id in self.sources])

    def control_add_source(self, request: Request) -> Reply:
        try:
            return Reply.json(200, self.add_source(**(request.json_body() or {})))
        except (ValueError, TypeError) as exc:
            return Reply.json(400, {"error": str(exc)})

    def control_templates(self, _request: Request) -> Reply:
        with self.lock:
            return Reply.json(200, [self.template_body(template_id) for template_id in self.templates])

    def control_add_template(self, request: Request) -> Reply:
        try:
            return Reply.json(200, self.add_template(**(request.json_body() or {})))
        except (ValueError, TypeError) as exc:
            return Reply.json(400, {"error": str(exc)})

    def control_migprojects(self, _request: Request) -> Reply:
        with self.lock:
            return Reply.json(200, [self.migproject_body(migproject_id, listed=True) for migproject_id in self.migprojects])

    def control_add_migproject(self, request: Request) -> Reply:
        try:
            return Reply.json(200, self.add_migproject(**(request.json_body() or {})))
        except (ValueError, TypeError) as exc:
            return Reply.json(400, {"error": str(exc)})

    def control_inject(self, request: Request) -> Reply:
        presets = {"throttle": self.inject_throttle, "forbidden": self.inject_forbidden, None: self.inject}
        try:
            kwargs = dict(request.json_body() or {})
            fault = presets[kwargs.pop("preset", None)](**kwargs)
        except (ValueError, TypeError, KeyError, re.error) as exc:
            return Reply.json(400, {"error": str(exc)})
        return Reply.json(200, {"queued": fault["kind"]})

    def settings(self) -> dict:
        """The settings (see the class docstring) as JSON values: sets as sorted lists."""
        with self.lock:
            return {"ignored_filters": sorted(self.ignored_filters), "partial_batches": self.partial_batches,
                    "denied_actions": sorted(self.denied_actions)}

    def control_settings(self, _request: Request) -> Reply:
        return Reply.json(200, self.settings())

    def control_change_settings(self, request: Request) -> Reply:
        """Change the settings named in the JSON object (a list for a set); the others keep their values."""
        try:
            wanted = request.json_body()
        except ValueError as exc:
            return Reply.json(400, {"error": str(exc)})
        if not isinstance(wanted, dict):
            return Reply.json(400, {"error": "the body must be a JSON object"})
        for name, value in wanted.items():
            kind = SETTINGS.get(name)
            if kind is None:
                return Reply.json(400, {"error": f"unknown setting {name!r}: one of {', '.join(SETTINGS)}"})
            if not isinstance(value, kind) or (kind is list and not all(isinstance(item, str) for item in value)):
                wanted_type = "list of strings" if kind is list else "boolean"
                return Reply.json(400, {"error": f"{name} must be a {wanted_type}"})
        with self.lock:
            for name, value in wanted.items():
                setattr(self, name, set(value) if SETTINGS[name] is list else value)
        return Reply.json(200, self.settings())

    def control_reset(self, _request: Request) -> Reply:
        self.reset()
        return Reply.json(200, {"reset": True})


# ---------------------------------------------------------------------------
# Standalone process
# ---------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Local Huawei Cloud SMS v3 emulator (tests and demos only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the port number to this file once listening")
    parser.add_argument("--seed-demo", action="store_true", help="create the demo tasks")
    parser.add_argument("--certfile", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--keyfile", help="private key of --certfile")
    parser.add_argument("--clock-skew", type=float, default=0.0, help="seconds added to the clock used to check X-Sdk-Date")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds waited before every API answer")
    args = parser.parse_args(argv)

    emulator = Emulator(tls_certfile=args.certfile, tls_keyfile=args.keyfile, clock_skew=args.clock_skew,
                        host=args.host, port=args.port, verbose=args.verbose, latency=args.latency)
    if args.seed_demo:
        emulator.seed_demo()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    emulator.start()
    if args.port_file:
        partial = args.port_file + ".tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(f"{emulator.port}\n")
        os.replace(partial, args.port_file)
    print(f"SMS emulator listening on {emulator.url}", flush=True)
    while not stopping.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
