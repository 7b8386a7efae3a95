# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection and its emulator against the official SDK (``huaweicloudsdksms``, a test-only dependency).

The integration tests keep every emulator's journal (``SMS_EMULATOR_JOURNAL_DIR``, set by ``make integration``).
Here, every SMS request those runs sent must be an operation of the SDK (method and path template, query parameter
names, body field names, as its ``_<operation>_http_info`` builds them), and every success body the emulator
served must use only fields of the SDK's response model for that operation. The fields the modules read must
exist in the SDK's models too. So neither the module nor the emulator can drift from the service unseen.

The source-server routes are also driven by the SDK's own client (every filter, show, delete, batch delete), and
that emulator's journal goes through the same two checks, so they are checked whatever the integration runs use.
So are the server-template and migration-project routes and the task action ``clear``, which no module sends yet:
once by a plain HTTP client (the requests as a module would send them) and once by the SDK's own client (which must
read every answer into its models).
"""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdksms.v3 import model as sms_model
from huaweicloudsdksms.v3.sms_client import SmsClient

from tests.conftest import AK, PROJECT_ID, SK, TOKEN
from tests.emulator.sms_emulator import _ROUTES, DEFAULT_MIGPROJECT_ID, TEMPLATE_PASSWORD, Emulator

ROOT = Path(__file__).resolve().parents[2]
JOURNALS = ROOT / "build" / "journals"
IAM_PATHS = ("/v3/auth/tokens", "/v3/projects")
PRIMITIVES = ("str", "int", "bool", "float", "date", "datetime", "object")


# ---- the SDK's operations ----------------------------------------------------------------------------------

def _camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


def _model(type_name):
    """The SDK model class named by an openapi type (``list[TasksResponseBody]`` -> TasksResponseBody), or None."""
    inner = re.sub(r"^list\[(.*)\]$", r"\1", type_name)
    return getattr(sms_model, inner, None) if inner not in PRIMITIVES and not inner.startswith("dict(") else None


def _placeholder(type_name):
    model = _model(type_name)
    if model is not None:
        return model()
    return {"int": 1, "bool": True}.get(type_name, [] if type_name.startswith("list[") else "x")


def sdk_operations():
    """Every SMS operation of the SDK: method, path regex, query names, body field names, response model."""
    operations = []
    for name in sorted(vars(SmsClient)):
        match = re.fullmatch(r"_(\w+)_http_info", name)
        if not match:
            continue
        request_class = getattr(sms_model, _camel(match.group(1)) + "Request")
        request = request_class()
        for attribute, type_name in request_class.openapi_types.items():
            setattr(request, attribute, _placeholder(type_name))
        info = getattr(SmsClient, name)(request)
        body = info["body"]
        template = info["resource_path"]
        operations.append({
            "operation": match.group(1),
            "method": info["method"],
            "template": template,
            "regex": re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "/?$"),
            "placeholders": template.count("{"),
            "query": {key for key, _value in info["query_params"]},
            "body": set(type(body).attribute_map.values()) if hasattr(type(body), "attribute_map") else set(),
            "response": getattr(sms_model, info["response_type"]),
        })
    return operations


OPERATIONS = sdk_operations()


def operation_for(method, path):
    """The SDK operation a request is, preferring a literal path (``/v3/tasks/delete``) over a template."""
    found = [op for op in OPERATIONS if op["method"] == method and op["regex"].match(path)]
    return min(found, key=lambda op: op["placeholders"]) if found else None


def unknown_keys(model, key_paths):
    """The key paths of an answer that the SDK's model does not have."""
    unknown = []
    for key_path in key_paths:
        current = model
        for key in key_path.split("."):
            key = key.replace("[]", "")
            if current is None:
                break  # below a free-form field (a dict or object): anything goes
            types = {json_key: current.openapi_types[attr] for attr, json_key in current.attribute_map.items()}
            if key not in types:
                unknown.append(key_path)
                break
            current = _model(types[key])
    return unknown


# ---- what the integration runs sent and received -----------------------------------------------------------

def journal_entries():
    entries = []
    for path in sorted(JOURNALS.glob("*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


@pytest.fixture(scope="module")
def sms_requests():
    entries = journal_entries()
    if not entries:
        pytest.fail("no emulator journals in %s: run `make integration` first (it keeps them)" % JOURNALS)
    # requests under another prefix come from tests that point the module at a wrong endpoint on purpose
    sms = [entry for entry in entries if entry["path"].startswith("/v3/") and not entry["path"].startswith(IAM_PATHS)]
    assert len(sms) > 500, "too few SMS requests in the journals (%d) for a contract check" % len(sms)
    return sms


SOURCE_OPERATIONS = {("GET", "/v3/sources"), ("GET", "/v3/sources/{source_id}"), ("DELETE", "/v3/sources/{source_id}"),
                     ("POST", "/v3/sources/delete")}


def test_the_sdk_knows_the_operations_the_collection_uses():
    used = {("GET", "/v3/tasks/{task_id}"), ("GET", "/v3/tasks"), ("DELETE", "/v3/tasks/{task_id}"),
            ("POST", "/v3/tasks/delete"), ("POST", "/v3/tasks/{task_id}/action")} | SOURCE_OPERATIONS
    assert used <= {(op["method"], op["template"]) for op in OPERATIONS}


def request_problems(entries):
    """What in these journal entries is no SDK operation, or sends a query or body field the operation lacks."""
    problems = set()
    for entry in entries:
        op = operation_for(entry["method"], entry["path"])
        if op is None:
            problems.add("%s %s: no SDK operation" % (entry["method"], entry["path"]))
            continue
        extra = set(entry["query"]) - op["query"]
        if extra:
            problems.add("%s %s: query %s not in %s" % (entry["method"], op["template"], sorted(extra), op["operation"]))
        body = entry["body"]
        if op["body"] and not isinstance(body, dict):
            problems.add("%s %s: body %r is not an object" % (entry["method"], op["template"], body))
        elif isinstance(body, dict) and set(body) - op["body"]:
            problems.add("%s %s: body fields %s not in %s" % (entry["method"], op["template"],
                                                              sorted(set(body) - op["body"]), op["operation"]))
        elif not op["body"] and body not in (None, ""):
            problems.add("%s %s: a body %r where the SDK sends none" % (entry["method"], op["template"], body))
    return problems


# Fields an answer may carry though the SDK's model lacks them, because API reference pages document them: the
# emulator serves them only on request (``add_migproject(show_id=True)``; see SAMPLE_MIGPROJECT in the emulator).
DOCUMENTED_BEYOND_THE_SDK = {"show_migproject": {"id"}}


def body_problems(entries):
    """The fields of the success bodies in these journal entries that the SDK's response models lack, and how many
    JSON object bodies were checked."""
    problems, checked = set(), 0
    for entry in entries:
        keys = entry.get("reply_keys")
        op = operation_for(entry["method"], entry["path"])
        # an answer a test made up (a fault: say a success status with an error body) is not the service's
        if not keys or op is None or entry.get("fault"):
            continue
        checked += 1
        for key_path in unknown_keys(op["response"], keys):
            if key_path not in DOCUMENTED_BEYOND_THE_SDK.get(op["operation"], ()):
                problems.add("%s %s: %s not in %s" % (entry["method"], op["template"], key_path, op["response"].__name__))
    return problems, checked


def test_every_request_is_an_sdk_operation(sms_requests):
    problems = request_problems(sms_requests)
    assert not problems, "\n".join(sorted(problems))


def test_every_success_body_fits_the_sdk_response_model(sms_requests):
    problems, checked = body_problems(sms_requests)
    assert checked > 100
    assert not problems, "\n".join(sorted(problems))


# ---- the source-server routes, driven by the SDK's own client ----------------------------------------------

CLONE = {"vm_id": "clone-vm-1", "name": "db-01-clone", "clone_error": "", "clone_state": "FINISHED", "error_msg": ""}


@pytest.fixture(scope="module")
def sdk_source_run():
    """Every source-server operation through the official client against an emulator: (journal, answers)."""
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    with Emulator() as emu:
        emu.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True, source_id="src-db",
                     clone_server=CLONE)
        emu.add_task(name="web-01-migration", source_id="src-web", enterprise_project_id="ep-1")
        emu.add_source("src-old", name="old-01", ip="198.51.100.30", migproject="mp-1", state="stopped",
                       is_consistency_result_exist=True, networks=[{"name": "eth0", "ip": "198.51.100.30", "ipv6": "2001:db8::1"}])
        for number in range(3):
            emu.add_source(f"src-bulk-{number}", name=f"bulk-{number}")
        client = (SmsClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
                  .with_endpoints([emu.url]).with_http_config(config).build())
        answers = {"all": client.list_servers(sms_model.ListServersRequest())}
        filters = [{"state": "replicate"}, {"name": "web-01"}, {"id": "src-old"}, {"ip": "198.51.100.30"},
                   {"ipv6": "2001:db8::1"}, {"migproject": "mp-1"}, {"migration_cycle": "cutovered"}, {"connected": True},
                   {"enterprise_project_id": "ep-1"}, {"is_consistency_result_exist": True}, {"vm_id": "clone-vm-1"},
                   {"limit": 2, "offset": 1}]
        for query in filters:
            answers[tuple(query.items())] = client.list_servers(sms_model.ListServersRequest(**query))
        answers["show"] = client.show_server(sms_model.ShowServerRequest(source_id="src-db"))
        answers["refused"] = _sdk_error(client.delete_server, sms_model.DeleteServerRequest(source_id="src-db"))
        answers["delete"] = client.delete_server(sms_model.DeleteServerRequest(source_id="src-web"))
        answers["missing"] = _sdk_error(client.show_server, sms_model.ShowServerRequest(source_id="src-web"))
        ids = sms_model.DeleteIds(ids=["src-bulk-0", "src-bulk-1", "src-bulk-2", "src-old"])
        answers["batch"] = client.delete_servers(sms_model.DeleteServersRequest(body=ids))
        answers["left"] = client.list_servers(sms_model.ListServersRequest(limit=200))
        journal = list(emu.journal)
    return journal, answers


def _sdk_error(call, request):
    with pytest.raises(ClientRequestException) as caught:
        call(request)
    return caught.value


def test_the_sdk_client_reads_every_source_answer(sdk_source_run):
    _journal, answers = sdk_source_run
    assert answers["all"].count == 6 and [item.id for item in answers["all"].source_servers][:2] == ["src-db", "src-web"]
    listed = {query: [item.id for item in answer.source_servers] for query, answer in answers.items()
              if isinstance(query, tuple)}
    assert listed == {(("state", "replicate"),): ["src-db"], (("name", "web-01"),): ["src-web"],
                      (("id", "src-old"),): ["src-old"], (("ip", "198.51.100.30"),): ["src-old"], (("ipv6", "2001:db8::1"),): ["src-old"],
                      (("migproject", "mp-1"),): ["src-old"], (("migration_cycle", "cutovered"),): [
                          "src-db", "src-web", "src-old", "src-bulk-0", "src-bulk-1", "src-bulk-2"],
                      (("connected", True),): ["src-db"], (("enterprise_project_id", "ep-1"),): ["src-web"],
                      (("is_consistency_result_exist", True),): ["src-old"], (("vm_id", "clone-vm-1"),): ["src-db"],
                      (("limit", 2), ("offset", 1)): ["src-web", "src-old"]}
    shown = answers["show"]
    assert (shown.state, shown.connected, shown.current_task.state) == ("replicate", True, "RUNNING")
    assert shown.current_task.clone_server.vm_id == "clone-vm-1" and shown.current_task.target_server.vm_id
    assert (answers["refused"].status_code, answers["refused"].error_code) == (400, "SMS.2015")
    assert (answers["missing"].status_code, answers["missing"].error_code) == (404, "SMS.1802")
    assert answers["delete"].body == "succeeded" and answers["batch"].body == "succeeded"
    assert [item.id for item in answers["left"].source_servers] == ["src-db"]


def test_source_requests_and_bodies_fit_the_sdk(sdk_source_run):
    journal, _answers = sdk_source_run
    used = {(op["method"], op["template"]) for op in (operation_for(entry["method"], entry["path"]) for entry in journal)}
    assert used == SOURCE_OPERATIONS
    assert not request_problems(journal)
    problems, checked = body_problems(journal)
    assert checked == 15  # 14 lists and one show: the JSON objects
    assert not problems, "\n".join(sorted(problems))


# ---- every SMS route of the emulator is an SDK operation --------------------------------------------------

# emulator route name -> SDK operation (``_<operation>_http_info``); the IAM routes are not SMS's
EMULATOR_ROUTES = {
    "list_tasks": "list_tasks", "show_task": "show_task", "delete_task": "delete_task", "batch_delete": "delete_tasks",
    "task_action": "update_task_status", "list_sources": "list_servers", "show_source": "show_server",
    "delete_source": "delete_server", "batch_delete_sources": "delete_servers", "list_templates": "list_templates",
    "show_template": "show_template", "delete_template": "delete_template", "batch_delete_templates": "delete_templates",
    "list_migprojects": "list_migprojects", "show_migproject": "show_migproject", "delete_migproject": "delete_migproject",
}


def test_every_route_the_emulator_serves_is_an_sdk_operation():
    served = {}
    for method, pattern, name, _auth in _ROUTES:
        if name in ("issue_token", "list_projects"):
            continue
        path = re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "some-id", pattern.pattern.strip("^$").replace("/?", ""))
        op = operation_for(method, path)
        served[name] = op and op["operation"]
    assert served == EMULATOR_ROUTES


# ---- templates, migration projects and the action clear: no module sends them yet -------------------------

NEW_OPERATIONS = {("GET", "/v3/vm/templates"), ("GET", "/v3/vm/templates/{id}"), ("DELETE", "/v3/vm/templates/{id}"),
                  ("POST", "/v3/vm/templates/delete"), ("GET", "/v3/migprojects"), ("GET", "/v3/migprojects/{mig_project_id}"),
                  ("DELETE", "/v3/migprojects/{mig_project_id}"), ("POST", "/v3/tasks/{task_id}/action")}


def _seed_new_routes(emu):
    """Templates, projects and a finished task whose resources may be cleared; returns the task."""
    for number in range(4):
        emu.add_template(f"tpl-{number}", name=f"web-0{number}-template")
    emu.add_migproject("mp-1", name="wave-1", description="first wave")
    emu.add_migproject("mp-2", name="wave-2", show_id=True)
    emu.add_source("src-in-2", name="in-wave-2", migproject="mp-2")
    return emu.add_task(name="web-01-migration", template_id="tpl-0", source_id="src-1", clear_polls=1)


def _plain(emu, method, path, query=None, body=None):
    """One request as a module would send it: token, JSON content type, the query encoded as the SDK does."""
    parts = urlsplit(emu.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = path + ("?" + urlencode(sorted(query.items())) if query else "")
    data = None if body is None else json.dumps(body).encode()
    try:
        conn.request(method, target, body=data, headers={"Content-Type": "application/json", "X-Auth-Token": TOKEN})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def plain_new_routes_run():
    """Each new request, with every query parameter the SDK has, from a plain client: (journal, statuses)."""
    with Emulator() as emu:
        task = _seed_new_routes(emu)
        calls = [
            ("GET", "/v3/vm/templates", None, None),
            ("GET", "/v3/vm/templates", {"name": "web", "availability_zone": "cn-north-4a", "region": "cn-north-4",
                                         "id": "tpl-1", "limit": 10, "offset": 0}, None),
            ("GET", "/v3/vm/templates/tpl-0", None, None),
            ("DELETE", "/v3/vm/templates/tpl-1", None, None),
            ("POST", "/v3/vm/templates/delete", None, {"ids": ["tpl-2", "tpl-3"]}),
            ("GET", "/v3/migprojects", {"limit": 10, "offset": 0}, None),
            ("GET", "/v3/migprojects/mp-1", None, None),
            ("GET", "/v3/migprojects/mp-2", None, None),  # with the id older reference pages document
            ("DELETE", "/v3/migprojects/mp-1", None, None),
            ("POST", "/v3/tasks/%s/action" % task["id"], None, {"operation": "clear"}),
            ("GET", "/v3/tasks/%s" % task["id"], None, None),
            ("GET", "/v3/sources/src-1", None, None),
            # refusals: no success bodies, but requests all the same
            ("DELETE", "/v3/migprojects/%s" % DEFAULT_MIGPROJECT_ID, None, None),
            ("DELETE", "/v3/migprojects/mp-2", None, None),
            ("POST", "/v3/tasks/%s/action" % task["id"], None, {"operation": "clear"}),
        ]
        statuses = [_plain(emu, method, path, query, body)[0] for method, path, query, body in calls]
        journal = list(emu.journal)
    return journal, statuses


def test_new_requests_and_bodies_fit_the_sdk(plain_new_routes_run):
    journal, statuses = plain_new_routes_run
    assert statuses == [200] * 12 + [400, 400, 400]
    used = {(op["method"], op["template"]) for op in (operation_for(entry["method"], entry["path"]) for entry in journal)}
    assert used == NEW_OPERATIONS | {("GET", "/v3/tasks/{task_id}"), ("GET", "/v3/sources/{source_id}")}
    assert not request_problems(journal)
    problems, checked = body_problems(journal)
    # two template lists, a template, a project list, two projects, a task, a source; the batch's {} has no keys
    assert checked == 8
    assert not problems, "\n".join(sorted(problems))
    assert "id" in journal[7]["reply_keys"] and "id" not in journal[6]["reply_keys"]


@pytest.fixture(scope="module")
def sdk_new_routes_run():
    """Each new operation through the official client against an emulator: (journal, answers)."""
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    with Emulator() as emu:
        task = _seed_new_routes(emu)
        client = (SmsClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
                  .with_endpoints([emu.url]).with_http_config(config).build())
        answers = {
            "templates": client.list_templates(sms_model.ListTemplatesRequest()),
            "filtered": client.list_templates(sms_model.ListTemplatesRequest(
                name="web-01", availability_zone="cn-north-4a", region="cn-north-4", id="tpl-1", limit=10, offset=0)),
            "template": client.show_template(sms_model.ShowTemplateRequest(id="tpl-0")),
            "delete_template": client.delete_template(sms_model.DeleteTemplateRequest(id="tpl-1")),
            "missing_template": _sdk_error(client.show_template, sms_model.ShowTemplateRequest(id="tpl-1")),
            "delete_templates": client.delete_templates(sms_model.DeleteTemplatesRequest(
                body=sms_model.DeletetemplatesReq(ids=["tpl-2", "tpl-3"]))),
            "projects": client.list_migprojects(sms_model.ListMigprojectsRequest(limit=10, offset=0)),
            "project": client.show_migproject(sms_model.ShowMigprojectRequest(mig_project_id="mp-1")),
            "delete_project": client.delete_migproject(sms_model.DeleteMigprojectRequest(mig_project_id="mp-1")),
            "default_refused": _sdk_error(client.delete_migproject,
                                          sms_model.DeleteMigprojectRequest(mig_project_id=DEFAULT_MIGPROJECT_ID)),
            "clear": client.update_task_status(sms_model.UpdateTaskStatusRequest(
                task_id=task["id"], body=sms_model.UpdateTaskStatusReq(operation="clear"))),
            "task": client.show_task(sms_model.ShowTaskRequest(task_id=task["id"])),
            "cleared": client.show_task(sms_model.ShowTaskRequest(task_id=task["id"])),
        }
        journal = list(emu.journal)
    return journal, answers


def test_the_sdk_client_reads_every_new_answer(sdk_new_routes_run):
    journal, answers = sdk_new_routes_run
    assert answers["templates"].count == 4 and [item.id for item in answers["templates"].templates][0] == "tpl-0"
    assert [item.id for item in answers["filtered"].templates] == ["tpl-1"]
    template = answers["template"].template
    assert (template.id, template.is_template, template.target_password) == ("tpl-0", "false", TEMPLATE_PASSWORD)
    assert template.vpc.id and template.disk[0].device_use == "BOOT" and template.publicip.bandwidth_size == 5
    assert answers["delete_template"].status_code == 200 and answers["delete_templates"].status_code == 200
    assert (answers["missing_template"].status_code, answers["missing_template"].error_code) == (404, "SMS.1803")
    assert [item.id for item in answers["projects"].migprojects] == [DEFAULT_MIGPROJECT_ID, "mp-1", "mp-2"]
    assert [item.exist_server for item in answers["projects"].migprojects] == [True, False, True]
    assert (answers["project"].name, answers["project"].isdefault, answers["project"].description) == ("wave-1", False, "first wave")
    assert answers["delete_project"].status_code == 200
    assert (answers["default_refused"].status_code, answers["default_refused"].error_code) == (400, "SMS.1806")
    assert answers["clear"].body == "succeeded"
    assert (answers["task"].vm_template_id, answers["task"].source_server.state) == ("tpl-0", "clearing")
    assert answers["cleared"].source_server.state == "cleared"
    used = {(op["method"], op["template"]) for op in (operation_for(entry["method"], entry["path"]) for entry in journal)}
    assert used == NEW_OPERATIONS | {("GET", "/v3/tasks/{task_id}")}
    assert not request_problems(journal)
    problems, checked = body_problems(journal)
    assert checked == 7 and not problems, "\n".join(sorted(problems))


# ---- the fields the modules read --------------------------------------------------------------------------

READ_PATTERNS = {
    # variable name in the plugins -> the SDK model its fields must exist in
    r"\b(?:task|latest|single)(?:\.get\(|\[)\"(\w+)\"": sms_model.ShowTaskResponse,
    r"\bitem(?:\.get\(|\[)\"(\w+)\"": sms_model.TasksResponseBody,
    r"\bsource(?:\.get\(|\[)\"(\w+)\"": sms_model.SourceServerAssociatedWithTask,
    r"\bpage(?:\.get\(|\[)\"(\w+)\"": sms_model.ListTasksResponse,
    # source-server records: one as GET answers it, a list item, and a record's current task
    r"\bserver(?:\.get\(|\[)\"(\w+)\"": sms_model.ShowServerResponse,
    r"\blisted(?:\.get\(|\[)\"(\w+)\"": sms_model.SourceServersResponseBody,
    r"\bcurrent(?:\.get\(|\[)\"(\w+)\"": sms_model.TaskByServerSource,
}
# what the decommission role reads from sms_task_info's tasks (attribute names in its templates)
ROLE_READS = ("id", "name", "state", "source_server.id")


def fields_read_by_the_plugins():
    found = {}
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern, model in READ_PATTERNS.items():
            for field in re.findall(pattern, text):
                found.setdefault(model, set()).add(field)
    return found


def test_fields_the_modules_read_exist_in_the_sdk_models():
    found = fields_read_by_the_plugins()
    assert {"id", "state", "connected", "source_server"} <= found[sms_model.ShowTaskResponse]
    assert "state" in found[sms_model.SourceServerAssociatedWithTask]
    assert {"connected", "state", "current_task", "migration_cycle"} <= found[sms_model.ShowServerResponse]
    assert {"id", "state"} <= found[sms_model.TaskByServerSource]
    # servers_of() reads a task's servers, and a source record's current task's: both models have them
    for model in (sms_model.ShowTaskResponse, sms_model.TaskByServerSource):
        assert unknown_keys(model, ["target_server.vm_id", "clone_server.vm_id"]) == []
    assert {"id", "name"} <= found[sms_model.SourceServersResponseBody]
    missing = ["%s.%s" % (model.__name__, field) for model, fields in found.items()
               for field in sorted(fields) if unknown_keys(model, [field])]
    missing += ["TasksResponseBody.%s" % field for field in ROLE_READS
                if unknown_keys(sms_model.TasksResponseBody, [field])]
    assert not missing, missing


def test_the_check_itself_catches_a_field_the_sdk_lacks():
    assert unknown_keys(sms_model.ShowTaskResponse, ["source_server.state", "sub_tasks[].progress"]) == []
    assert unknown_keys(sms_model.ShowTaskResponse, ["source_server.invented"]) == ["source_server.invented"]
    assert unknown_keys(sms_model.TasksResponseBody, ["connected"]) == ["connected"]  # GET one only
    assert operation_for("POST", "/v3/tasks/delete")["operation"] == "delete_tasks"
    assert operation_for("DELETE", "/v3/tasks/abc")["operation"] == "delete_task"
    # sources: a list item has no hostname, GET one's current task no remain_seconds
    assert unknown_keys(sms_model.ListServersResponse, ["source_servers[].connected", "source_servers[].hostname"]) == [
        "source_servers[].hostname"]
    assert unknown_keys(sms_model.ShowServerResponse, ["current_task.clone_server.vm_id", "current_task.remain_seconds"]) == [
        "current_task.remain_seconds"]
    assert operation_for("POST", "/v3/sources/delete")["operation"] == "delete_servers"
    assert operation_for("DELETE", "/v3/sources/abc")["operation"] == "delete_server"
    assert operation_for("GET", "/v3/sources/abc")["operation"] == "show_server"
    assert request_problems([{"method": "GET", "path": "/v3/sources", "query": {"source_server_id": "x"}, "body": None}])
    # templates and migration projects: GET one of a template is wrapped, of a project bare and without an id
    assert operation_for("POST", "/v3/vm/templates/delete")["operation"] == "delete_templates"
    assert operation_for("DELETE", "/v3/vm/templates/abc")["operation"] == "delete_template"
    assert operation_for("GET", "/v3/migprojects/abc")["operation"] == "show_migproject"
    assert unknown_keys(sms_model.ShowTemplateResponse, ["template.target_password", "template.disk[].size", "id"]) == ["id"]
    assert unknown_keys(sms_model.ShowMigprojectResponse, ["name", "exist_server", "id"]) == ["id"]
    assert unknown_keys(sms_model.ListMigprojectsResponse, ["migprojects[].id"]) == []
    assert request_problems([{"method": "DELETE", "path": "/v3/migprojects/abc", "query": {}, "body": ["abc"]}])  # Terraform's
    assert request_problems([{"method": "POST", "path": "/v3/tasks/abc/action", "query": {}, "body": {"operation": "clear", "x": 1}}])
    # the id of a project's GET one is tolerated (documented beyond the SDK), nothing else is
    assert body_problems([{"method": "GET", "path": "/v3/migprojects/abc", "reply_keys": ["id", "name"], "fault": None}]) == (set(), 1)
    assert body_problems([{"method": "GET", "path": "/v3/tasks/abc", "reply_keys": ["id", "invented"], "fault": None}])[0] == {
        "GET /v3/tasks/{task_id}: invented not in ShowTaskResponse"}
