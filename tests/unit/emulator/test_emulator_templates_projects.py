# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the emulator's server templates, migration projects and task action ``clear`` (tests/emulator/sms_emulator.py),
over real HTTP requests."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import sys
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.conftest import AK, PROJECT_ID, SK, TOKEN  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.sms_emulator import (  # noqa: E402  pylint: disable=wrong-import-position
    _ROUTES,
    DEFAULT_MIGPROJECT_ID,
    ROUTE_ACTIONS,
    SAMPLE_MIGPROJECT,
    SAMPLE_TEMPLATE,
    TEMPLATE_PASSWORD,
    Emulator,
)

TEMPLATE_FIELDS = set(SAMPLE_TEMPLATE)
PROJECT_FIELDS = set(SAMPLE_MIGPROJECT)


# ---------------------------------------------------------------------------
# helpers: a tiny client and an independent signer
# ---------------------------------------------------------------------------

class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.raw = response.read()

    @property
    def json(self):
        return json.loads(self.raw)


def call(emu, method, target, body=None, headers=None, token=TOKEN) -> Answer:
    """One request over a fresh connection; body may be an object (sent as JSON) or bytes."""
    parts = urlsplit(emu.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    all_headers = {"Content-Type": "application/json"}
    if token:
        all_headers["X-Auth-Token"] = token
    all_headers.update(headers or {})
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    try:
        conn.request(method, target, body=data, headers=all_headers)
        return Answer(conn.getresponse())
    finally:
        conn.close()


def _enc(text) -> str:
    return quote(str(text), safe="-_.~")


def signed_call(emu, method, path, query=None, body=None, project_id=PROJECT_ID) -> Answer:
    """A request signed with SDK-HMAC-SHA256 the way the official SDK signs it."""
    data = b"" if body is None else json.dumps(body).encode()
    sdk_date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Type": "application/json", "Host": f"127.0.0.1:{emu.port}", "X-Sdk-Date": sdk_date}
    if project_id:
        headers["X-Project-Id"] = project_id
    query_string = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted((query or {}).items()))
    encoded_path = "/".join(_enc(segment) for segment in path.split("/"))
    signed = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical = "\n".join((method, encoded_path + "/", query_string, "".join(f"{n}:{lowered[n]}\n" for n in signed),
                           ";".join(signed), hashlib.sha256(data).hexdigest()))
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(SK.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    target = encoded_path + (f"?{query_string}" if query_string else "")
    return call(emu, method, target, body=data or None, headers=headers, token=None)


def _sms_error(answer: Answer, status: int, code: str, params: list) -> dict:
    assert answer.status == status, answer.raw
    body = answer.json
    assert set(body) == {"error_code", "error_msg", "error_param", "details"}
    assert body["error_code"] == code and body["error_param"] == params
    assert body["details"] == [{"error_code": code, "error_msg": body["error_msg"]}]
    return body


@pytest.fixture(name="emu")
def emu_fixture():
    with Emulator() as emulator:
        yield emulator


# ---------------------------------------------------------------------------
# server templates
# ---------------------------------------------------------------------------

def test_show_template_is_wrapped_and_carries_the_secret(emu):
    emu.add_template("tpl-1", name="web-01-template", region="cn-north-4", availability_zone="cn-north-4b")
    answer = call(emu, "GET", "/v3/vm/templates/tpl-1")
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
    assert set(answer.json) == {"template"}  # wrapped, unlike a task or a source
    template = answer.json["template"]
    assert set(template) == TEMPLATE_FIELDS
    assert (template["id"], template["name"], template["availability_zone"], template["is_template"]) == (
        "tpl-1", "web-01-template", "cn-north-4b", "true")
    assert template["target_password"] == TEMPLATE_PASSWORD and TEMPLATE_PASSWORD.encode() in answer.raw
    assert template["disk"][0]["device_use"] == "BOOT" and template["vpc"]["id"] and template["nics"][0]["ip"]
    assert emu.journal[-1]["template_id"] == "tpl-1" and emu.journal[-1]["task_id"] is None
    _sms_error(call(emu, "GET", "/v3/vm/templates/nowhere"), 404, "SMS.1803", ["nowhere"])
    assert signed_call(emu, "GET", "/v3/vm/templates/tpl-1").json["template"]["id"] == "tpl-1"
    own = emu.add_template("tpl-2", target_password="given", is_template="false", flavor="c7.large.2")
    assert own["target_password"] == "given"
    shown = call(emu, "GET", "/v3/vm/templates/tpl-2").json["template"]
    assert (shown["target_password"], shown["is_template"], shown["flavor"]) == ("given", "false", "c7.large.2")


def _template_names(emu, query=""):
    answer = call(emu, "GET", "/v3/vm/templates" + query)
    assert answer.status == 200, answer.raw
    assert set(answer.json) == {"count", "templates"}
    return [item["name"] for item in answer.json["templates"]]


def test_list_templates_filters(emu):
    emu.add_template("tpl-web", name="web-01")
    emu.add_template("tpl-web-old", name="WEB-01-old", availability_zone="cn-north-4b")
    emu.add_template("tpl-db", name="db-01", region="ap-southeast-3", availability_zone="ap-southeast-3a")
    emu.add_template("tpl-hidden", name="web-01-hidden", hidden=True)
    assert _template_names(emu) == ["web-01", "WEB-01-old", "db-01"]
    assert _template_names(emu, "?name=web-01") == ["web-01", "WEB-01-old"]  # not exact, as the service may be
    assert _template_names(emu, "?id=tpl-db") == ["db-01"]
    assert _template_names(emu, "?availability_zone=cn-north-4b") == ["WEB-01-old"]
    assert _template_names(emu, "?region=ap-southeast-3") == ["db-01"]
    assert _template_names(emu, "?region=cn-north-4&name=WEB") == ["web-01", "WEB-01-old"]
    assert _template_names(emu, "?name=nobody") == []
    items = call(emu, "GET", "/v3/vm/templates").json["templates"]
    assert all(set(item) == TEMPLATE_FIELDS for item in items)
    assert all(item["target_password"] == TEMPLATE_PASSWORD for item in items)  # in list items too
    assert call(emu, "GET", "/v3/vm/templates/tpl-hidden").status == 200  # hidden from lists only
    emu.ignored_filters = {"name", "region"}
    assert _template_names(emu, "?name=nobody&region=nowhere") == ["web-01", "WEB-01-old", "db-01"]
    assert _template_names(emu, "?name=nobody&id=tpl-db") == ["db-01"]


def test_list_templates_paging(emu):
    created = [emu.add_template(f"tpl-{number:03d}", name=f"bulk-{number:03d}") for number in range(120)]
    first = call(emu, "GET", "/v3/vm/templates").json
    assert first["count"] == 120 and len(first["templates"]) == 50  # default 50
    assert len(call(emu, "GET", "/v3/vm/templates?limit=0").json["templates"]) == 50  # 0 means the default
    pages = [call(emu, "GET", f"/v3/vm/templates?limit=100&offset={offset}").json for offset in (0, 100)]
    assert [len(page["templates"]) for page in pages] == [100, 20]
    assert [item["id"] for page in pages for item in page["templates"]] == [template["id"] for template in created]
    assert call(emu, "GET", "/v3/vm/templates?offset=65535").json == {"count": 120, "templates": []}
    for query in ("limit=101", "limit=-1", "limit=ten", "offset=-5", "offset=65536"):
        refused = call(emu, "GET", "/v3/vm/templates?" + query)
        assert refused.status == 400 and refused.json["error_code"] == "SMS.0205"
        assert refused.json["error_param"] == [query.split("=", maxsplit=1)[0]]
    emu.ignored_filters = {"limit"}  # paging is no filter
    assert len(call(emu, "GET", "/v3/vm/templates?limit=3").json["templates"]) == 3


def test_a_task_names_its_template(emu):
    task = emu.add_task(name="web-01-migration", template_id="tpl-1", source_id="src-1", target_snapshot_id="snap-1")
    shown = call(emu, "GET", f"/v3/tasks/{task['id']}").json
    assert (shown["vm_template_id"], shown["target_snapshot_id"]) == ("tpl-1", "snap-1")
    assert call(emu, "GET", "/v3/sources/src-1").json["current_task"]["vm_template_id"] == "tpl-1"
    listed = call(emu, "GET", "/v3/sources").json["source_servers"][0]
    assert listed["current_task"]["vm_template_id"] == "tpl-1"
    item = call(emu, "GET", "/v3/tasks").json["tasks"][0]
    assert "vm_template_id" not in item and "target_snapshot_id" not in item  # GET one only, as the SDK's models
    # the template was made for the task: not a general template while the task names it
    template = call(emu, "GET", "/v3/vm/templates/tpl-1").json["template"]
    assert (template["name"], template["target_server_name"], template["is_template"]) == (
        "web-01-migration-template", "web-01-migration-target", "false")
    emu.add_template("tpl-2", name="kept")
    other = emu.add_task(name="other", template_id="tpl-2")
    assert emu.templates["tpl-2"]["name"] == "kept"  # an existing template is not replaced
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 200
    # deleting a task leaves its template (unconfirmed), now a general one
    assert call(emu, "GET", "/v3/vm/templates/tpl-1").json["template"]["is_template"] == "true"
    assert call(emu, "GET", "/v3/vm/templates/tpl-2").json["template"]["is_template"] == "false"
    assert other["vm_template_id"] == "tpl-2" and emu.add_task(name="none")["vm_template_id"] == ""


def test_delete_template(emu):
    task = emu.add_task(name="t", template_id="tpl-1")
    answer = call(emu, "DELETE", "/v3/vm/templates/tpl-1")
    assert answer.status == 200 and answer.raw == b""  # no JSON on success
    assert "tpl-1" not in emu.templates
    _sms_error(call(emu, "GET", "/v3/vm/templates/tpl-1"), 404, "SMS.1803", ["tpl-1"])
    _sms_error(call(emu, "DELETE", "/v3/vm/templates/tpl-1"), 404, "SMS.1803", ["tpl-1"])
    # a template in use may be deleted: the task then names a template that is gone
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").json["vm_template_id"] == "tpl-1"
    # removed_with_task: the other answer to the unconfirmed question
    going = emu.add_task(name="going", template_id="tpl-2", deleting_polls=1)
    emu.add_template("tpl-2", name="tied", removed_with_task=True)
    assert call(emu, "DELETE", f"/v3/tasks/{going['id']}").status == 200
    assert "tpl-2" in emu.templates  # still deleting
    assert call(emu, "GET", f"/v3/tasks/{going['id']}").status == 200
    assert call(emu, "GET", f"/v3/tasks/{going['id']}").status == 404
    assert "tpl-2" not in emu.templates
    assert signed_call(emu, "DELETE", "/v3/vm/templates/tpl-2").status == 404


def test_batch_delete_templates(emu):
    ids = [emu.add_template(f"tpl-{number}", name=f"t-{number}")["id"] for number in range(3)]
    answer = call(emu, "POST", "/v3/vm/templates/delete", body={"ids": ids[:2] + [ids[0]]})
    assert answer.status == 200 and answer.json == {}  # the newest reference's example body
    assert list(emu.templates) == [ids[2]]
    # an unknown id: the whole batch is refused, nothing deleted
    refused = call(emu, "POST", "/v3/vm/templates/delete", body={"ids": [ids[2], "gone-1", "gone-2"]})
    _sms_error(refused, 404, "SMS.1803", ["gone-1", "gone-2"])
    assert list(emu.templates) == [ids[2]]
    # partial_batches: the known ids go first, then the refusal
    emu.partial_batches = True
    refused = call(emu, "POST", "/v3/vm/templates/delete", body={"ids": ["gone-1", ids[2]]})
    _sms_error(refused, 404, "SMS.1803", ["gone-1"])
    assert emu.templates == {}
    for body in ({"ids": []}, {"ids": [f"id-{n}" for n in range(51)]}, {"ids": "abc"}, {"ids": [1]}, {}, [1], b"not json"):
        bad = call(emu, "POST", "/v3/vm/templates/delete", body=body)
        _sms_error(bad, 400, "SMS.0205", ["ids"])
    fifty = [emu.add_template(f"bulk-{n}")["id"] for n in range(50)]
    assert signed_call(emu, "POST", "/v3/vm/templates/delete", body={"ids": fifty}).status == 200 and emu.templates == {}


# ---------------------------------------------------------------------------
# migration projects
# ---------------------------------------------------------------------------

def test_there_is_always_a_default_project(emu):
    listed = call(emu, "GET", "/v3/migprojects").json
    assert listed["count"] == 1 and set(listed["migprojects"][0]) == PROJECT_FIELDS
    default = listed["migprojects"][0]
    assert (default["id"], default["name"], default["isdefault"], default["exist_server"]) == (
        DEFAULT_MIGPROJECT_ID, "default", True, False)
    assert emu.default_migproject == DEFAULT_MIGPROJECT_ID
    emu.add_source("src-1", name="web-01")  # a source added without a project is in the default one
    assert emu.source_migproject("src-1") == DEFAULT_MIGPROJECT_ID
    assert [item["id"] for item in call(emu, "GET", f"/v3/sources?migproject={DEFAULT_MIGPROJECT_ID}").json["source_servers"]] == [
        "src-1"]
    assert call(emu, "GET", "/v3/migprojects").json["migprojects"][0]["exist_server"] is True
    _sms_error(call(emu, "DELETE", f"/v3/migprojects/{DEFAULT_MIGPROJECT_ID}"), 400, "SMS.1806", [DEFAULT_MIGPROJECT_ID])
    emu.add_migproject("mp-new", name="new-default", isdefault=True)  # one default at a time
    assert emu.default_migproject == "mp-new" and emu.migprojects[DEFAULT_MIGPROJECT_ID]["isdefault"] is False
    emu.reset()
    assert list(emu.migprojects) == [DEFAULT_MIGPROJECT_ID] and emu.default_migproject == DEFAULT_MIGPROJECT_ID


def test_show_migproject_is_bare_without_id(emu):
    emu.add_migproject("mp-1", name="wave-1", description="first wave", type="MIGRATE_FILE", speed_limit=100)
    answer = call(emu, "GET", "/v3/migprojects/mp-1")
    assert answer.status == 200
    assert set(answer.json) == PROJECT_FIELDS - {"id"}  # the SDK's ShowMigprojectResponse and the newest reference
    assert (answer.json["name"], answer.json["description"], answer.json["type"], answer.json["speed_limit"]) == (
        "wave-1", "first wave", "MIGRATE_FILE", 100)
    assert emu.journal[-1]["migproject_id"] == "mp-1"
    emu.add_migproject("mp-2", name="wave-2", show_id=True)  # as older reference pages document it
    assert call(emu, "GET", "/v3/migprojects/mp-2").json["id"] == "mp-2"
    _sms_error(call(emu, "GET", "/v3/migprojects/nowhere"), 404, "SMS.1804", ["nowhere"])
    assert signed_call(emu, "GET", "/v3/migprojects/mp-1").json["name"] == "wave-1"


def test_list_migprojects_paging_and_hidden(emu):
    created = [emu.add_migproject(f"mp-{number:03d}", name=f"wave-{number:03d}") for number in range(60)]
    emu.add_migproject("mp-hidden", name="hidden", hidden=True)
    first = call(emu, "GET", "/v3/migprojects").json
    assert first["count"] == 61 and len(first["migprojects"]) == 50
    assert len(call(emu, "GET", "/v3/migprojects?limit=0").json["migprojects"]) == 50
    rest = call(emu, "GET", "/v3/migprojects?limit=100&offset=50").json["migprojects"]
    assert [item["id"] for item in first["migprojects"] + rest] == [DEFAULT_MIGPROJECT_ID] + [p["id"] for p in created]
    assert call(emu, "GET", "/v3/migprojects/mp-hidden").status == 200
    for query in ("limit=101", "limit=x", "offset=-1", "offset=65536"):
        refused = call(emu, "GET", "/v3/migprojects?" + query)
        assert refused.status == 400 and refused.json["error_param"] == [query.split("=", maxsplit=1)[0]]


def test_delete_migproject_only_when_empty(emu):
    emu.add_migproject("mp-1", name="wave-1")
    emu.add_migproject("mp-2", name="wave-2", exist_server=True)  # servers the emulator holds no source for
    emu.add_source("src-1", name="web-01", migproject="mp-1")
    emu.add_source("src-2", name="db-01", migproject="mp-3")  # a project the emulator does not have
    assert [item["exist_server"] for item in call(emu, "GET", "/v3/migprojects").json["migprojects"]] == [False, True, True]
    assert call(emu, "GET", "/v3/migprojects/mp-1").json["exist_server"] is True
    assert [item["name"] for item in call(emu, "GET", "/v3/sources?migproject=mp-1").json["source_servers"]] == ["web-01"]
    _sms_error(call(emu, "DELETE", "/v3/migprojects/mp-1"), 400, "SMS.1805", ["mp-1"])
    _sms_error(call(emu, "DELETE", "/v3/migprojects/mp-2"), 400, "SMS.1805", ["mp-2"])
    assert "mp-1" in emu.migprojects and "mp-2" in emu.migprojects
    emu.move_source("src-1", None)  # back to the default project
    assert emu.source_migproject("src-1") == DEFAULT_MIGPROJECT_ID
    answer = call(emu, "DELETE", "/v3/migprojects/mp-1", body=["mp-1"])  # the body Terraform sends is taken too
    assert answer.status == 200 and answer.raw == b""
    _sms_error(call(emu, "GET", "/v3/migprojects/mp-1"), 404, "SMS.1804", ["mp-1"])
    _sms_error(call(emu, "DELETE", "/v3/migprojects/mp-1"), 404, "SMS.1804", ["mp-1"])
    # a source whose record is deleted leaves the project
    emu.add_migproject("mp-4", name="wave-4")
    emu.move_source("src-2", "mp-4")
    assert call(emu, "DELETE", "/v3/migprojects/mp-4").status == 400
    assert call(emu, "DELETE", "/v3/sources/src-2").status == 200
    assert signed_call(emu, "DELETE", "/v3/migprojects/mp-4").status == 200
    with pytest.raises(ValueError):
        emu.move_source("no-such-source", "mp-2")


# ---------------------------------------------------------------------------
# task action clear
# ---------------------------------------------------------------------------

def _clear(emu, task_id, **kwargs):
    return call(emu, "POST", f"/v3/tasks/{task_id}/action", body={"operation": "clear"}, **kwargs)


def test_clear_goes_clearing_then_cleared(emu):
    task = emu.add_task(name="web-01-migration", connected=True, source_id="src-1", clear_polls=2, target_snapshot_id="snap-1")
    answer = _clear(emu, task["id"])
    assert answer.status == 200 and answer.json == "succeeded"
    assert emu.journal[-1]["body"] == {"operation": "clear"} and emu.journal[-1]["task_id"] == task["id"]
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 400  # clearing and connected: busy
    looks = [call(emu, "GET", f"/v3/tasks/{task['id']}").json for _attempt in range(3)]
    assert [look["source_server"]["state"] for look in looks] == ["clearing", "clearing", "cleared"]
    assert {look["state"] for look in looks} == {"MIGRATE_SUCCESS"}  # the task's own state stays
    assert looks[-1]["target_snapshot_id"] == "snap-1"  # unconfirmed: left as it was
    source = call(emu, "GET", "/v3/sources/src-1").json
    assert source["state"] == "cleared" and source["current_task"]["state"] == "MIGRATE_SUCCESS"
    body = _sms_error(_clear(emu, task["id"]), 400, "SMS.2015", [task["id"]])  # a second clear is refused
    assert "already been cleared" in body["error_msg"]
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 200


def test_clear_seen_from_the_source_and_at_once(emu):
    task = emu.add_task(name="db-01-migration", state="MIGRATE_FAIL", source_id="src-1", clear_polls=1)
    assert _clear(emu, task["id"]).status == 200
    looks = [call(emu, "GET", "/v3/sources/src-1").json["state"] for _attempt in range(2)]  # a source read is a look
    assert looks == ["clearing", "cleared"]
    assert call(emu, "GET", "/v3/sources").json["source_servers"][0]["state"] == "cleared"
    quick = emu.add_task(name="quick", source_id="src-2", clear_polls=0)
    assert _clear(emu, quick["id"]).status == 200
    assert emu.tasks[quick["id"]]["source_server"]["state"] == "cleared"
    listed = emu.add_task(name="listed", clear_polls=1)
    assert _clear(emu, listed["id"]).status == 200
    states = []
    for _attempt in range(2):  # a task list read is a look too
        call(emu, "GET", "/v3/tasks")
        states.append(emu.tasks[listed["id"]]["source_server"]["state"])
    assert states == ["clearing", "cleared"]


def test_clear_may_fail_and_be_tried_again(emu):
    task = emu.add_task(name="t", connected=True, source_id="src-1", clear_polls=0, clear_fails=True)
    assert _clear(emu, task["id"]).status == 200
    assert call(emu, "GET", "/v3/sources/src-1").json["state"] == "clearfailed"
    assert _clear(emu, task["id"]).status == 200  # a failed clear may be tried again
    assert emu.tasks[task["id"]]["source_server"]["state"] == "clearfailed"
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 200  # clearfailed is no busy state


@pytest.mark.parametrize("state,source_state,message", [
    ("RUNNING", "replicate", "in progress"),
    ("SYNCING", "syncing", "in progress"),
    ("MIGRATE_SUCCESS", "clearing", "in progress"),
    ("MIGRATE_SUCCESS", "deleting", "in progress"),
    ("ABORTING", "stopping", "in progress"),
    ("RUNNING", None, "in progress"),
    ("MIGRATE_SUCCESS", "cleared", "already been cleared"),
    ("READY", "waiting", "has not finished"),
    ("ABORT", "stopped", "has not finished"),
    ("SYNC_SUCCESS", "finished", "has not finished"),
])
def test_clear_refused_unless_finished(emu, state, source_state, message):
    task = emu.add_task(name="t", state=state, source_state=source_state, connected=False)
    body = _sms_error(_clear(emu, task["id"]), 400, "SMS.2015", [task["id"]])
    assert message in body["error_msg"]
    assert emu.tasks[task["id"]]["state"] == state and emu.tasks[task["id"]]["source_server"].get("state") == source_state


def test_clear_refused_by_the_service_and_for_a_missing_task(emu):
    task = emu.add_task(name="t", clear_refused=True)
    _sms_error(_clear(emu, task["id"]), 400, "SMS.1807", [task["id"]])
    assert emu.tasks[task["id"]]["source_server"]["state"] == "finished"
    _sms_error(_clear(emu, "no-such-task"), 404, "SMS.1801", ["no-such-task"])
    # a task added while clearing stays there: only the action moves on
    stuck = emu.add_task(name="stuck", source_state="clearing")
    for _attempt in range(3):
        assert call(emu, "GET", f"/v3/tasks/{stuck['id']}").json["source_server"]["state"] == "clearing"


def test_stop_or_start_ends_a_pending_clear(emu):
    task = emu.add_task(name="t", clear_polls=3, stop_polls=0)
    assert _clear(emu, task["id"]).status == 200
    assert call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "start"}).status == 200
    for _attempt in range(5):
        assert call(emu, "GET", f"/v3/tasks/{task['id']}").json["source_server"]["state"] == "replicate"


def test_clear_carries_the_sdk_extra_fields(emu):
    task = emu.add_task(name="t", clear_polls=0)
    body = {"operation": "clear", "template_id": "tpl-1", "switch_hce": False, "is_need_consistency_check": False}
    assert call(emu, "POST", f"/v3/tasks/{task['id']}/action", body=body).status == 200
    assert signed_call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "clear"}).status == 400  # cleared


# ---------------------------------------------------------------------------
# the new routes: IAM denials, faults, authentication, journal, error styles, control routes
# ---------------------------------------------------------------------------

def test_every_sms_route_needs_an_iam_action():
    assert set(ROUTE_ACTIONS) == {name for _method, _pattern, name, _auth in _ROUTES} - {"issue_token", "list_projects"}


@pytest.mark.parametrize("method,path,body,action", [
    ("GET", "/v3/vm/templates", None, "sms:template:list"),
    ("GET", "/v3/vm/templates/tpl-1", None, "sms:template:get"),
    ("DELETE", "/v3/vm/templates/tpl-1", None, "sms:template:delete"),
    ("POST", "/v3/vm/templates/delete", {"ids": ["tpl-1"]}, "sms:template:delete"),
    ("GET", "/v3/migprojects", None, "sms:migproject:list"),
    ("GET", "/v3/migprojects/mp-1", None, "sms:migproject:get"),
    ("DELETE", "/v3/migprojects/mp-1", None, "sms:migproject:delete"),
    ("POST", "/v3/tasks/t-1/action", {"operation": "clear"}, "sms:server:manageTask"),
])
def test_denied_actions_cover_the_new_routes(emu, method, path, body, action):
    task = emu.add_task(task_id="t-1", name="t", template_id="tpl-1", clear_polls=0)
    emu.add_migproject("mp-1", name="wave-1")
    emu.denied_actions = {action}
    answer = call(emu, method, path, body=body)
    assert answer.status == 403 and answer.json["error_code"] == "SMS.9004"
    assert answer.json["error_param"] == [f"You do not have permission to perform action {action} on resource *."]
    assert "tpl-1" in emu.templates and "mp-1" in emu.migprojects and task["source_server"]["state"] == "finished"
    assert call(emu, method, path, body=body, token="wrong").status == 401  # authentication comes first
    emu.denied_actions = {"sms:server:deleteTask"}
    assert call(emu, method, path, body=body).status == 200


def test_new_routes_faults_authentication_and_journal(emu):
    emu.add_template("tpl-1", name="web-01")
    emu.add_migproject("mp-1", name="wave-1")
    emu.inject(method="GET", path="^/v3/vm/templates/[^/]+$", status=500, body={"error_code": "SMS.2007", "error_msg": "backend"})
    emu.inject_throttle(method="POST", path="/v3/vm/templates/delete")
    emu.inject(path="^/v3/migprojects", html=True, status=502)
    assert call(emu, "GET", "/v3/vm/templates").status == 200  # the regex wants an id
    assert call(emu, "GET", "/v3/vm/templates/tpl-1").status == 500
    assert call(emu, "POST", "/v3/vm/templates/delete", body={"ids": ["tpl-1"]}).status == 429 and "tpl-1" in emu.templates
    gateway = call(emu, "GET", "/v3/migprojects")
    assert gateway.status == 502 and gateway.headers["Content-Type"] == "text/html"
    emu.inject(method="DELETE", path="/v3/vm/templates/tpl-1", status=503, body={"error_code": "X", "error_msg": "later"}, processed=True)
    assert call(emu, "DELETE", "/v3/vm/templates/tpl-1").status == 503 and "tpl-1" not in emu.templates  # done, answer lost
    assert call(emu, "GET", "/v3/migprojects", token="wrong").status == 401
    assert signed_call(emu, "GET", "/v3/migprojects", project_id=None).status == 401  # AK/SK needs X-Project-Id
    assert signed_call(emu, "GET", "/v3/vm/templates", query={"name": "web 01/x", "limit": 5}).status == 200
    assert call(emu, "GET", "/v3/migprojects/mp-1", token=None).status == 401
    assert call(emu, "PUT", "/v3/migprojects/mp-1").status == 404  # an SDK operation the emulator does not serve
    assert call(emu, "POST", "/v3/vm/templates").json["error_code"] == "APIGW.0101"
    assert emu.sent("method", "template_id", "migproject_id", "status", "fault") == [
        ("GET", None, None, 200, None), ("GET", "tpl-1", None, 500, "status"), ("POST", None, None, 429, "throttle"),
        ("GET", None, None, 502, "html"), ("DELETE", "tpl-1", None, 503, "status-after-processing"),
        ("GET", None, None, 401, None), ("GET", None, None, 401, None), ("GET", None, None, 200, None),
        ("GET", None, "mp-1", 401, None), ("PUT", None, "mp-1", 404, None), ("POST", None, None, 404, None)]
    assert emu.journal[7]["query"] == {"name": "web 01/x", "limit": "5"}
    assert [entry["task_id"] for entry in emu.journal] == [None] * 11
    assert emu.journal[0]["reply_keys"][:3] == ["count", "templates", "templates[].availability_zone"]


def test_new_errors_follow_the_error_style():
    with Emulator(error_style="nested") as emu:
        assert call(emu, "GET", "/v3/vm/templates/nowhere").json == {
            "error": {"code": "SMS.1803", "message": "The template does not exist."}}
        assert call(emu, "DELETE", f"/v3/migprojects/{DEFAULT_MIGPROJECT_ID}").json["error"]["code"] == "SMS.1806"


def test_control_routes_for_templates_and_projects(emu):
    added = call(emu, "POST", "/_emulator/templates", body={"template_id": "tpl-1", "name": "web-01", "hidden": True}, token=None)
    assert added.status == 200 and added.json["id"] == "tpl-1" and added.json["target_password"] == TEMPLATE_PASSWORD
    assert call(emu, "POST", "/_emulator/templates", body={"template_id": "x", "flavor": "c7.large.2"}, token=None).status == 200
    assert call(emu, "POST", "/_emulator/templates", body=[1], token=None).status == 400
    assert [item["id"] for item in call(emu, "GET", "/_emulator/templates", token=None).json] == ["tpl-1", "x"]  # hidden too
    assert [item["id"] for item in call(emu, "GET", "/v3/vm/templates").json["templates"]] == ["x"]
    added = call(emu, "POST", "/_emulator/migprojects", body={"migproject_id": "mp-1", "name": "wave-1", "exist_server": True},
                 token=None)
    assert added.status == 200 and added.json["id"] == "mp-1"
    assert call(emu, "POST", "/_emulator/migprojects", body=b"not json", token=None).status == 400
    listed = call(emu, "GET", "/_emulator/migprojects", token=None).json
    assert [(item["id"], item["exist_server"]) for item in listed] == [(DEFAULT_MIGPROJECT_ID, False), ("mp-1", True)]
    task = call(emu, "POST", "/_emulator/tasks", body={"name": "t", "template_id": "tpl-2", "clear_polls": 0}, token=None).json
    assert task["vm_template_id"] == "tpl-2" and "tpl-2" in emu.templates
    assert [entry["path"] for entry in emu.journal] == ["/v3/vm/templates"]  # control routes are not journalled
    assert call(emu, "POST", "/_emulator/reset", token=None).status == 200
    assert call(emu, "GET", "/_emulator/templates", token=None).json == []
    assert [item["id"] for item in call(emu, "GET", "/_emulator/migprojects", token=None).json] == [DEFAULT_MIGPROJECT_ID]
