# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the local SMS emulator itself (tests/emulator/sms_emulator.py)."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.conftest import AK, PROJECT_ID, SK, TOKEN  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.sms_emulator import Emulator, verify_aksk  # noqa: E402  pylint: disable=wrong-import-position

VECTORS = os.environ.get("SMS_SIGNING_VECTORS", os.path.join(REPO_ROOT, "tests", "fixtures", "sms-signing-vectors.json"))
SCRIPT = os.path.join(REPO_ROOT, "tests", "emulator", "sms_emulator.py")


# ---------------------------------------------------------------------------
# helpers: a tiny client and an independent signer
# ---------------------------------------------------------------------------

def _enc(text) -> str:
    return quote(str(text), safe="-_.~")


def sign(method, host, path, query=None, body=b"", project_id=PROJECT_ID, sdk_date=None, ak=AK, sk=SK) -> tuple:
    """Sign a request the way the official SDK does; returns (target, headers).

    ``path`` is the decoded path, or a list of decoded segments when one holds a slash.
    """
    sdk_date = sdk_date or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Type": "application/json", "Host": host, "X-Sdk-Date": sdk_date}
    if project_id:
        headers["X-Project-Id"] = project_id
    query_string = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted((query or {}).items()))
    encoded_path = "/".join(_enc(segment) for segment in (path.split("/") if isinstance(path, str) else path))
    signed = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical = "\n".join((method, encoded_path + "/", query_string, "".join(f"{n}:{lowered[n]}\n" for n in signed),
                           ";".join(signed), hashlib.sha256(body).hexdigest()))
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    return encoded_path + (f"?{query_string}" if query_string else ""), headers


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.raw = response.read()

    @property
    def json(self):
        return json.loads(self.raw)


def call(emu, method, target, body=None, headers=None, token=TOKEN, context=None) -> Answer:
    """One request over a fresh connection; body may be an object (sent as JSON) or bytes."""
    parts = urlsplit(emu.url)
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=context)
    else:
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


def signed_call(emu, method, path, query=None, body=None, **sign_kwargs) -> Answer:
    data = b"" if body is None else json.dumps(body).encode()
    target, headers = sign(method, f"127.0.0.1:{emu.port}", path, query, data, **sign_kwargs)
    return call(emu, method, target, body=data or None, headers=headers, token=None)


@pytest.fixture(name="emu")
def emu_fixture():
    with Emulator() as emulator:
        yield emulator


# ---------------------------------------------------------------------------
# signature verification
# ---------------------------------------------------------------------------

def _vector_request(vector: dict) -> tuple:
    """(method, final_uri, body bytes) of a vector; older vectors only carry the canonical request."""
    lines = vector.get("canonical_request", "").split("\n")
    method = vector.get("method") or (lines[0] if lines[0] else vector["name"].split()[1])
    final_uri = vector.get("final_uri")
    if final_uri is None:
        final_uri = lines[1].rstrip("/") if len(lines) > 1 else "/v3/tasks/3f3c2b1a-0d9e-4c8b-9a7f-6e5d4c3b2a19"
        if len(lines) > 2 and lines[2]:
            final_uri += "?" + lines[2]
    body = vector.get("body")
    return method, final_uri, (body or "").encode("utf-8")


def _vector_check(vector: dict, method: str, final_uri: str, body: bytes, headers=None):
    headers = headers if headers is not None else vector["headers_sent"]
    sdk_date = {k.lower(): v for k, v in headers.items()}["x-sdk-date"]
    now = datetime.strptime(sdk_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    path, _sep, raw_query = final_uri.partition("?")
    return verify_aksk(method, path, raw_query, headers, body, {AK: SK}, now)


def _load_vectors():
    with open(VECTORS, encoding="utf-8") as handle:
        data = json.load(handle)
    assert (data["ak"], data["sk"]) == (AK, SK)
    return data["vectors"]


@pytest.mark.parametrize("vector", _load_vectors(), ids=lambda v: v["name"].split()[0])
def test_signing_vectors_accepted(vector):
    method, final_uri, body = _vector_request(vector)
    ok, reason, access_key = _vector_check(vector, method, final_uri, body)
    assert ok, reason
    assert access_key == AK


@pytest.mark.parametrize("vector", _load_vectors(), ids=lambda v: v["name"].split()[0])
def test_signing_vectors_tampered_rejected(vector):
    method, final_uri, body = _vector_request(vector)
    path, _sep, query = final_uri.partition("?")
    tampered_uri = path + "x" + (f"?{query}" if query else "")
    ok, reason, _ak = _vector_check(vector, method, tampered_uri, body)
    assert not ok and reason.endswith("verify aksk signature fail")
    other_method = "POST" if method != "POST" else "PUT"
    assert not _vector_check(vector, other_method, final_uri, body)[0]
    assert not _vector_check(vector, method, final_uri, body + b" ")[0]
    headers = dict(vector["headers_sent"])
    headers["Authorization"] = headers["Authorization"][:-1] + ("0" if headers["Authorization"][-1] != "0" else "1")
    assert not _vector_check(vector, method, final_uri, body, headers)[0]


def test_signature_over_http_and_clock_skew():
    with Emulator() as emu:
        task = emu.add_task(name="my task/1")
        assert signed_call(emu, "GET", f"/v3/tasks/{task['id']}").status == 200
        answer = signed_call(emu, "GET", "/v3/tasks", query={"name": "my task/1", "limit": 10, "offset": 0})
        assert answer.status == 200 and answer.json["count"] == 1
        assert signed_call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "test"}).status == 200
        stale = datetime.fromtimestamp(time.time() - 16 * 60, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        answer = signed_call(emu, "GET", f"/v3/tasks/{task['id']}", sdk_date=stale)
        assert answer.status == 401 and answer.json["error_msg"].endswith("x-sdk-date expired")
    with Emulator(clock_skew=3600) as emu:
        answer = signed_call(emu, "GET", "/v3/tasks")
        assert answer.status == 401
        assert answer.json == {"error_code": "APIGW.0301", "error_msg": answer.json["error_msg"], "request_id": answer.headers["X-Request-Id"]}
        assert "x-sdk-date expired" in answer.json["error_msg"]


def test_aksk_failures_are_distinct(emu):
    cases = {
        "unknown ak": signed_call(emu, "GET", "/v3/tasks", ak="AKUNKNOWN"),
        "wrong sk": signed_call(emu, "GET", "/v3/tasks", sk="wrong"),
        "no project": signed_call(emu, "GET", "/v3/tasks", project_id=None),
        "unknown project": signed_call(emu, "GET", "/v3/tasks", project_id="f" * 32),
        "bad date": signed_call(emu, "GET", "/v3/tasks", sdk_date="yesterday"),
    }
    messages = {name: (answer.status, answer.json["error_code"], answer.json["error_msg"]) for name, answer in cases.items()}
    assert {status for status, _code, _msg in messages.values()} == {401}
    assert {code for _status, code, _msg in messages.values()} == {"APIGW.0301"}
    assert len({msg for _status, _code, msg in messages.values()}) == len(cases)
    assert messages["wrong sk"][2] == "Incorrect IAM authentication information: verify aksk signature fail"
    assert "x-project-id" in messages["no project"][2]
    # the project lookup needs no project header
    answer = signed_call(emu, "GET", "/v3/projects", query={"name": "cn-north-4"}, project_id=None)
    assert answer.status == 200 and answer.json["projects"][0]["id"] == PROJECT_ID


# ---------------------------------------------------------------------------
# token authentication and IAM
# ---------------------------------------------------------------------------

def test_token_auth(emu):
    assert call(emu, "GET", "/v3/tasks").status == 200
    for token in ("wrong-token", None):
        answer = call(emu, "GET", "/v3/tasks", token=token)
        assert answer.status == 401
        assert answer.json["error_code"] == "APIGW.0301"
        assert answer.json["request_id"] == answer.headers["X-Request-Id"]
    emu.tokens.add("another")
    assert call(emu, "GET", "/v3/tasks", token="another").status == 200


def _password_body(password="Pa55w0rd-example!", scope=None):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "sms-operator", "password": password, "domain": {"name": "example-domain"}}}},
        "scope": scope if scope is not None else {"project": {"name": "cn-north-4"}}}}


def test_iam_token_issue_and_use(emu):
    answer = call(emu, "POST", "/v3/auth/tokens", body=_password_body(), token=None)
    assert answer.status == 201
    token = answer.headers["X-Subject-Token"]
    assert token in emu.tokens
    body = answer.json["token"]
    assert body["project"]["id"] == PROJECT_ID and body["project"]["name"] == "cn-north-4"
    assert body["methods"] == ["password"] and body["user"]["name"] == "sms-operator"
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert 23.9 * 3600 < expires.timestamp() - time.time() <= 24 * 3600 + 5
    assert call(emu, "GET", "/v3/tasks", token=token).status == 200

    by_id = call(emu, "POST", "/v3/auth/tokens", body=_password_body(scope={"project": {"id": "fedcba9876543210fedcba9876543210"}}), token=None)
    assert by_id.status == 201 and by_id.json["token"]["project"]["name"] == "ap-southeast-3"
    domain = call(emu, "POST", "/v3/auth/tokens", body=_password_body(scope={"domain": {"name": "example-domain"}}), token=None)
    assert domain.status == 201 and "project" not in domain.json["token"]

    bad = call(emu, "POST", "/v3/auth/tokens", body=_password_body(password="nope"), token=None)
    assert bad.status == 401
    assert bad.json == {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}
    assert "X-Subject-Token" not in bad.headers
    unknown = call(emu, "POST", "/v3/auth/tokens", body=_password_body(scope={"project": {"name": "nowhere-1"}}), token=None)
    assert unknown.status == 400


def test_project_lookup(emu):
    answer = call(emu, "GET", "/v3/projects?name=ap-southeast-3")
    assert answer.status == 200
    assert answer.json["projects"] == [{"id": "fedcba9876543210fedcba9876543210", "name": "ap-southeast-3",
                                        "domain_id": emu.domain_id, "enabled": True, "parent_id": emu.domain_id}]
    assert answer.json["links"]["self"].endswith("/v3/projects?name=ap-southeast-3")
    assert call(emu, "GET", "/v3/projects?name=mars-1").json["projects"] == []
    assert call(emu, "GET", "/v3/projects?name=cn-north-4", token=None).status == 401


# ---------------------------------------------------------------------------
# show and list
# ---------------------------------------------------------------------------

def test_show_task(emu):
    task = emu.add_task(name="web-01-migration", connected=True, source_state="stopped", priority=3)
    answer = call(emu, "GET", f"/v3/tasks/{task['id']}")
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
    assert len(answer.headers["X-Request-Id"]) == 32
    body = answer.json
    assert body["connected"] is True and body["priority"] == 3
    assert body["source_server"]["state"] == "stopped" and body["source_server"]["name"] == "web-01"
    for key in ("type", "os_type", "region_id", "project_id", "target_server", "sub_tasks", "network_check_info", "finish_date"):
        assert key in body
    missing = call(emu, "GET", "/v3/tasks/00000000-0000-0000-0000-000000000000")
    assert missing.status == 404
    assert missing.json["error_code"] == "SMS.1801" and missing.json["error_msg"] == "The task does not exist."


def test_show_task_with_encoded_id(emu):
    task = emu.add_task(task_id="odd id/1", name="odd")
    answer = call(emu, "GET", "/v3/tasks/odd%20id%2F1")
    assert answer.status == 200 and answer.json["id"] == "odd id/1"
    entry = emu.journal[-1]
    assert entry["path"] == "/v3/tasks/odd%20id%2F1" and entry["task_id"] == task["id"]
    answer = signed_call(emu, "GET", ["", "v3", "tasks", "odd id/1"])
    assert answer.status == 200 and answer.json["id"] == "odd id/1"
    assert emu.journal[-1]["auth"] == "aksk"


def test_list_filters(emu):
    first = emu.add_task(name="web-01-migration", enterprise_project_id="ep-1")
    second = emu.add_task(name="web-01-migration-old", state="MIGRATE_FAIL")
    emu.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True)

    def names(query):
        answer = call(emu, "GET", "/v3/tasks" + query)
        assert answer.status == 200
        assert answer.json["count"] == len(answer.json["tasks"])
        return [item["name"] for item in answer.json["tasks"]]

    assert names("") == ["web-01-migration", "web-01-migration-old", "db-01-migration"]
    assert names("?name=web-01-migration") == ["web-01-migration", "web-01-migration-old"]  # fuzzy on purpose
    assert names("?name=WEB-01") == ["web-01-migration", "web-01-migration-old"]
    assert names("?state=RUNNING") == ["db-01-migration"]
    assert names(f"?id={second['id']}") == ["web-01-migration-old"]
    assert names(f"?source_server_id={first['source_server']['id']}") == ["web-01-migration"]
    assert names("?enterprise_project_id=ep-1") == ["web-01-migration"]
    assert names("?name=web&state=MIGRATE_FAIL") == ["web-01-migration-old"]
    item = call(emu, "GET", "/v3/tasks").json["tasks"][0]
    assert "connected" not in item and "region_id" not in item and "migration_cycle" not in item["source_server"]
    assert item["source_server"]["state"] == "finished"
    assert {"log_collect_status", "syncing", "special_config"} <= set(item)
    assert emu.journal[-1]["query"] == {} and emu.journal[-2]["query"] == {"name": "web", "state": "MIGRATE_FAIL"}


def test_list_paging(emu):
    created = [emu.add_task(name=f"bulk-{number:03d}") for number in range(250)]
    answer = call(emu, "GET", "/v3/tasks?limit=200")
    assert answer.json["count"] == 250 and len(answer.json["tasks"]) == 200
    default = call(emu, "GET", "/v3/tasks")
    assert len(default.json["tasks"]) == 100
    rest = call(emu, "GET", "/v3/tasks?limit=200&offset=200")
    assert [item["id"] for item in answer.json["tasks"] + rest.json["tasks"]] == [task["id"] for task in created]
    assert call(emu, "GET", "/v3/tasks?limit=0").json == {"count": 250, "tasks": []}
    assert call(emu, "GET", "/v3/tasks?offset=999").json["tasks"] == []
    for query in ("limit=201", "limit=-1", "limit=ten", "offset=-5"):
        refused = call(emu, "GET", "/v3/tasks?" + query)
        assert refused.status == 400
        assert refused.json["error_code"] == "SMS.0205" and refused.json["error_param"] == [query.split("=", maxsplit=1)[0]]


# ---------------------------------------------------------------------------
# deletion
# ---------------------------------------------------------------------------

def test_delete_deletable(emu):
    task = emu.add_task(name="done")
    answer = call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    assert answer.status == 200 and answer.raw == b""
    assert task["id"] not in emu.tasks
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").status == 404
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 404


@pytest.mark.parametrize("source_state", ["initialize", "stopping", "cloning", "replicate", "syncing", "cutovering",
                                          "skipping", "clearing", "premiging"])
def test_delete_refused_when_busy_and_connected(emu, source_state):
    task = emu.add_task(name="busy", state="RUNNING", source_state=source_state, connected=True)
    answer = call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    assert answer.status == 400
    assert answer.json == {"error_code": "SMS.2015", "error_msg": "The task is in progress or being stopped and cannot be deleted.",
                           "error_param": [task["id"]],
                           "details": [{"error_code": "SMS.2015", "error_msg": "The task is in progress or being stopped and cannot be deleted."}]}
    assert emu.tasks[task["id"]]["source_server"]["state"] == source_state


@pytest.mark.parametrize("connected,source_state,state,deletable", [
    (False, "replicate", "RUNNING", True),
    (True, "stopped", "ABORT", True),
    (True, "finished", "MIGRATE_SUCCESS", True),
    (True, "error", "MIGRATE_FAIL", True),
    (True, "unavailable", "READY", True),
    (True, None, "RUNNING", False),
    (True, None, "SYNC_F_ROLLBACKING", False),
    (True, None, "MIGRATE_SUCCESS", True),
    (False, None, "RUNNING", True),
])
def test_delete_rule(emu, connected, source_state, state, deletable):
    task = emu.add_task(name="t", state=state, source_state=source_state, connected=connected)
    assert ("state" in task["source_server"]) is (source_state is not None)
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == (200 if deletable else 400)


def test_delete_already_deleting_and_polls(emu):
    task = emu.add_task(name="going", state="DELETING", source_state="deleting", connected=True, deleting_polls=2)
    before = json.dumps(emu.tasks[task["id"]], sort_keys=True)
    answer = call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    assert answer.status == 200 and answer.raw == b""
    assert json.dumps(emu.tasks[task["id"]], sort_keys=True) == before
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").json["state"] == "DELETING"
    assert call(emu, "GET", "/v3/tasks").json["tasks"][0]["state"] == "DELETING"  # list reads count too
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").status == 404

    later = emu.add_task(name="later", deleting_polls=1)
    assert call(emu, "DELETE", f"/v3/tasks/{later['id']}").status == 200
    shown = call(emu, "GET", f"/v3/tasks/{later['id']}").json
    assert shown["state"] == "DELETING" and shown["source_server"]["state"] == "deleting"
    assert call(emu, "GET", "/v3/tasks").json == {"count": 0, "tasks": []}

    stuck = emu.add_task(name="stuck", stuck_deleting=True)
    assert call(emu, "DELETE", f"/v3/tasks/{stuck['id']}").status == 200
    for _attempt in range(5):
        assert call(emu, "GET", f"/v3/tasks/{stuck['id']}").json["state"] == "DELETING"


def test_batch_delete(emu):
    done = [emu.add_task(name=f"done-{n}") for n in range(3)]
    busy = emu.add_task(name="busy", state="RUNNING", source_state="replicate", connected=True)
    ids = [task["id"] for task in done]
    refused = call(emu, "POST", "/v3/tasks/delete", body={"ids": ids + [busy["id"], "unknown-id"]})
    assert refused.status == 400
    assert refused.json["error_code"] == "SMS.2015" and refused.json["error_param"] == [busy["id"]]
    assert len(emu.tasks) == 4  # nothing deleted
    answer = call(emu, "POST", "/v3/tasks/delete", body={"ids": ids + ["unknown-id"]})
    assert answer.status == 200 and answer.json == "succeeded"
    assert list(emu.tasks) == [busy["id"]]
    for body in ({"ids": []}, {"ids": [f"id-{n}" for n in range(51)]}, {"ids": "abc"}, {}, [1]):
        assert call(emu, "POST", "/v3/tasks/delete", body=body).status == 400
    assert call(emu, "POST", "/v3/tasks/delete", body={"ids": [f"id-{n}" for n in range(50)]}).status == 200


# ---------------------------------------------------------------------------
# actions
# ---------------------------------------------------------------------------

def test_stop_progression_then_delete(emu):
    task = emu.add_task(name="db", state="RUNNING", source_state="replicate", connected=True, stop_polls=2)
    path = f"/v3/tasks/{task['id']}"
    answer = call(emu, "POST", path + "/action", body={"operation": "stop"})
    assert answer.status == 200 and answer.json == "succeeded"
    states = [call(emu, "GET", path).json for _attempt in range(3)]
    assert [s["source_server"]["state"] for s in states] == ["stopping", "stopping", "stopped"]
    assert states[-1]["state"] == "ABORT"
    assert call(emu, "DELETE", path).status == 200


def test_stop_refused_delete_while_stopping_and_start(emu):
    task = emu.add_task(name="db", state="RUNNING", source_state="replicate", connected=True)
    path = f"/v3/tasks/{task['id']}"
    assert call(emu, "POST", path + "/action", body={"operation": "stop"}).status == 200
    assert call(emu, "DELETE", path).status == 400  # still stopping
    assert call(emu, "GET", path).json["source_server"]["state"] == "stopping"
    assert call(emu, "GET", path).json["source_server"]["state"] == "stopped"
    assert call(emu, "POST", path + "/action", body={"operation": "start"}).status == 200
    shown = call(emu, "GET", path).json
    assert (shown["state"], shown["source_server"]["state"]) == ("RUNNING", "replicate")
    assert call(emu, "POST", path + "/action", body={"operation": "network_check"}).status == 200
    assert call(emu, "GET", path).json["source_server"]["state"] == "replicate"
    invalid = call(emu, "POST", path + "/action", body={"operation": "explode"})
    assert invalid.status == 400 and invalid.json["error_param"] == ["operation"]
    assert call(emu, "POST", path + "/action", body=b"not json").status == 400
    assert call(emu, "POST", "/v3/tasks/unknown/action", body={"operation": "stop"}).status == 404


def test_unknown_route(emu):
    answer = call(emu, "GET", "/v3/servers")
    assert answer.status == 404 and answer.json["error_code"] == "APIGW.0101"
    assert call(emu, "PUT", "/v3/tasks/abc").status == 404
    assert emu.journal[-1]["task_id"] == "abc"


# ---------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------

def test_fault_status_headers_and_fifo(emu):
    task = emu.add_task(name="t")
    path = f"/v3/tasks/{task['id']}"
    emu.inject(method="GET", path=path, status=500, body={"error_code": "SMS.2007", "error_msg": "backend"}, headers={"X-Extra": "1"})
    emu.inject(method="GET", path=path, status=503, body={"error_code": "X", "error_msg": "later"})
    first = call(emu, "GET", path)
    assert first.status == 500 and first.headers["X-Extra"] == "1" and first.json["error_code"] == "SMS.2007"
    assert call(emu, "GET", path).status == 503
    assert call(emu, "GET", path).status == 200
    assert [entry["fault"] for entry in emu.journal] == ["status", "status", None]
    assert [entry["status"] for entry in emu.journal] == [500, 503, 200]


def test_fault_matching_method_regex_after_times(emu):
    task = emu.add_task(name="t")
    path = f"/v3/tasks/{task['id']}"
    emu.inject(method="DELETE", path="^/v3/tasks/[^/]+$", status=502, times=2, after=1, body={"error_code": "GW"})
    assert call(emu, "GET", path).status == 200  # other method
    assert call(emu, "DELETE", "/v3/tasks/unknown").status == 404  # skipped by after=1
    assert call(emu, "DELETE", path).status == 502
    assert call(emu, "DELETE", path).status == 502
    assert call(emu, "DELETE", path).status == 200
    emu.inject(path="/v3/tasks", status=418, body={})
    assert call(emu, "GET", path).status == 404  # exact string does not match the longer path
    assert call(emu, "GET", "/v3/tasks").status == 418


def test_fault_presets(emu):
    emu.inject_throttle(times=2, retry_after="3")
    for _attempt in range(2):
        answer = call(emu, "GET", "/v3/tasks")
        assert answer.status == 429 and answer.headers["Retry-After"] == "3"
        assert answer.json["error_code"] == "APIGW.0308" and answer.json["request_id"] == answer.headers["X-Request-Id"]
    assert call(emu, "GET", "/v3/tasks").status == 200
    task = emu.add_task(name="t")
    emu.inject_forbidden()
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").status == 200
    answer = call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    assert answer.status == 403
    assert set(answer.json) == {"error_code", "error_msg", "encoded_authorization_message", "error_param", "details"}
    assert answer.json["error_code"] == "SMS.9004" and task["id"] in emu.tasks
    assert [entry["fault"] for entry in emu.journal if entry["fault"]] == ["throttle", "throttle", "forbidden"]


def test_fault_html_truncate_empty(emu):
    emu.inject(html=True)
    page = call(emu, "GET", "/v3/tasks")
    assert page.status == 502 and page.headers["Content-Type"] == "text/html" and page.raw.startswith(b"<html>")
    emu.inject(html=True, status=504)
    assert call(emu, "GET", "/v3/tasks").status == 504
    emu.inject(truncate=True)
    cut = call(emu, "GET", "/v3/tasks")
    assert cut.status == 200 and cut.raw
    with pytest.raises(ValueError):
        json.loads(cut.raw)
    emu.inject(empty=True)
    empty = call(emu, "GET", "/v3/tasks")
    assert (empty.status, empty.raw, empty.headers["Content-Type"]) == (200, b"", "application/json")
    assert [entry["fault"] for entry in emu.journal] == ["html", "html", "truncate", "empty"]


def test_fault_reset(emu):
    emu.inject(method="DELETE", reset=True)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        call(emu, "DELETE", "/v3/tasks/abc")
    entry = emu.journal[-1]
    assert entry["fault"] == "reset" and entry["status"] is None and entry["task_id"] == "abc"
    assert call(emu, "GET", "/v3/tasks").status == 200  # the server lives on


def test_fault_delay(emu):
    emu.inject(delay=0.4)
    started = time.monotonic()
    answer = call(emu, "GET", "/v3/tasks")
    assert answer.status == 200 and time.monotonic() - started >= 0.4
    assert emu.journal[-1]["fault"] == "delay"


# ---------------------------------------------------------------------------
# source servers
# ---------------------------------------------------------------------------

SHOW_ONLY = {"hostname", "firmware", "disks", "volume_groups", "btrfs_list", "networks", "agent_version"}


def test_show_source(emu):
    emu.add_source("src-1", name="web-01", ip="198.51.100.7", state="waiting", connected=True, migration_cycle="setting")
    answer = call(emu, "GET", "/v3/sources/src-1")
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
    body = answer.json
    assert (body["id"], body["name"], body["ip"], body["state"], body["connected"], body["migration_cycle"]) == (
        "src-1", "web-01", "198.51.100.7", "waiting", True, "setting")
    assert SHOW_ONLY <= set(body) and body["networks"][0]["ip"] == "198.51.100.7"
    assert "is_consistency_result_exist" not in body and "current_task" not in body  # no task yet
    assert emu.journal[-1]["source_id"] == "src-1" and emu.journal[-1]["task_id"] is None
    missing = call(emu, "GET", "/v3/sources/nowhere")
    assert missing.status == 404
    assert missing.json == {"error_code": "SMS.1802", "error_msg": "The source server does not exist.", "error_param": ["nowhere"],
                            "details": [{"error_code": "SMS.1802", "error_msg": "The source server does not exist."}]}
    assert signed_call(emu, "GET", "/v3/sources/src-1").json["id"] == "src-1"


def test_a_task_added_with_a_source_id_makes_the_record_and_the_link(emu):
    task = emu.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True,
                        source_id="src-db", enterprise_project_id="ep-1",
                        clone_server={"vm_id": "clone-vm-1", "name": "db-01-clone", "clone_error": "", "clone_state": "FINISHED",
                                      "error_msg": ""})
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").json["source_server"]["id"] == "src-db"
    source = call(emu, "GET", "/v3/sources/src-db").json
    assert (source["name"], source["state"], source["connected"], source["enterprise_project_id"]) == ("db-01", "replicate", True, "ep-1")
    current = source["current_task"]
    assert (current["id"], current["name"], current["type"], current["state"]) == (task["id"], "db-01-migration", "MIGRATE_BLOCK", "RUNNING")
    assert current["target_server"] == {"vm_id": "5f6e7d8c-4444-5555-6666-0123456789ab", "name": "web-01-target"}
    assert current["clone_server"]["vm_id"] == "clone-vm-1" and current["clone_server"]["clone_state"] == "FINISHED"
    assert "remain_seconds" not in current and "estimate_complete_time" not in current  # the GET-one model's set
    # a task named after an existing record takes its identity; a source_server id of the caller's own links too
    emu.add_source("src-web", name="web-01", ip="198.51.100.9")
    later = emu.add_task(name="second-try", source_id="src-web")
    assert (later["source_server"]["name"], later["source_server"]["ip"]) == ("web-01", "198.51.100.9")
    own = emu.add_task(name="own", source_server={"id": "src-own", "name": "own-01", "state": "finished"})
    assert call(emu, "GET", "/v3/sources/src-own").json["current_task"]["id"] == own["id"]
    bare = [emu.add_task(name=f"bare-{n}", source_server={"id": "src-bare", "state": "finished"}) for n in range(2)]
    record = call(emu, "GET", "/v3/sources/src-bare").json
    assert [(t["source_server"]["name"], t["source_server"]["ip"]) for t in bare] == [(record["name"], record["ip"])] * 2
    assert call(emu, "GET", "/v3/sources/src-web").json["current_task"]["id"] == later["id"]
    # a task without a source id names a source that has no record
    plain = emu.add_task(name="plain")
    assert call(emu, "GET", f"/v3/sources/{plain['source_server']['id']}").status == 404
    with pytest.raises(ValueError):
        emu.add_task(name="nowhere", source_server=None, source_id="src-x")


def test_a_source_added_with_a_task_id_links_the_task(emu):
    task = emu.add_task(name="t")
    emu.add_source("src-1", name="app-01", ip="198.51.100.20", state="syncing", connected=True, migration_cycle="syncing",
                   task_id=task["id"])
    shown = call(emu, "GET", f"/v3/tasks/{task['id']}").json
    assert shown["connected"] is True
    assert {key: shown["source_server"][key] for key in ("id", "name", "ip", "state", "migration_cycle")} == {
        "id": "src-1", "name": "app-01", "ip": "198.51.100.20", "state": "syncing", "migration_cycle": "syncing"}
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 400  # busy by the task rule, seen from the task
    assert call(emu, "GET", "/v3/sources/src-1").json["current_task"]["id"] == task["id"]
    with pytest.raises(ValueError):
        emu.add_source("src-2", task_id="no-such-task")
    with pytest.raises(ValueError):
        emu.add_source("src-3", task_gone="sometimes")


def _source_names(emu, query=""):
    answer = call(emu, "GET", "/v3/sources" + query)
    assert answer.status == 200, answer.json
    assert answer.json["count"] == len(answer.json["source_servers"])
    return [item["name"] for item in answer.json["source_servers"]]


def test_list_sources_filters_and_item_fields(emu):
    emu.add_source("s-web", name="web-01", ip="198.51.100.1", enterprise_project_id="ep-1", migproject="mp-1",
                   networks=[{"name": "eth0", "ip": "198.51.100.1", "ipv6": "2001:db8::1", "netmask": "", "gateway": "",
                              "mtu": 1500, "mac": "", "id": ""}])
    emu.add_source("s-web-old", name="WEB-01-old", ip="198.51.100.2", state="error", migration_cycle="replicating",
                   is_consistency_result_exist=True)
    emu.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True, source_id="s-db",
                 source_server={"migration_cycle": "replicating", "name": "db-01"},
                 clone_server={"vm_id": "clone-9", "name": "c", "clone_error": "", "clone_state": "READY", "error_msg": ""})
    assert _source_names(emu) == ["web-01", "WEB-01-old", "db-01"]
    assert _source_names(emu, "?name=web-01") == ["web-01", "WEB-01-old"]  # not exact, as the service may be
    assert _source_names(emu, "?state=replicate") == ["db-01"]
    assert _source_names(emu, "?state=error&name=web") == ["WEB-01-old"]
    assert _source_names(emu, "?id=s-web") == ["web-01"]
    assert _source_names(emu, "?ip=198.51.100.2") == ["WEB-01-old"]
    assert _source_names(emu, "?ipv6=2001%3Adb8%3A%3A1") == ["web-01"]
    assert _source_names(emu, "?migproject=mp-1") == ["web-01"]
    assert _source_names(emu, "?migration_cycle=replicating") == ["WEB-01-old", "db-01"]
    assert _source_names(emu, "?connected=true") == ["db-01"]
    assert _source_names(emu, "?connected=False") == ["web-01", "WEB-01-old"]
    assert _source_names(emu, "?enterprise_project_id=ep-1") == ["web-01"]
    assert _source_names(emu, "?vm_id=clone-9") == ["db-01"]
    assert _source_names(emu, "?is_consistency_result_exist=true") == ["WEB-01-old"]
    assert _source_names(emu, "?name=nobody") == []
    items = {item["id"]: item for item in call(emu, "GET", "/v3/sources").json["source_servers"]}
    assert items["s-db"]["connected"] is True and items["s-web"]["connected"] is False  # unlike task list items
    assert not SHOW_ONLY & set(items["s-web"]) and "is_consistency_result_exist" in items["s-web"]
    assert "current_task" not in items["s-web"]
    current = items["s-db"]["current_task"]
    assert {"estimate_complete_time", "remain_seconds", "target_server", "clone_server"} <= set(current)
    for query in ("state=STOPPED", "state=busy", "migration_cycle=done", "connected=yes", "is_consistency_result_exist=1"):
        refused = call(emu, "GET", "/v3/sources?" + query)
        assert refused.status == 400
        assert refused.json["error_code"] == "SMS.0205" and refused.json["error_param"] == [query.split("=", maxsplit=1)[0]]


def test_list_sources_paging(emu):
    created = [emu.add_source(f"src-{number:03d}", name=f"bulk-{number:03d}") for number in range(250)]
    first = call(emu, "GET", "/v3/sources")
    assert first.json["count"] == 250 and len(first.json["source_servers"]) == 200  # default 200
    assert len(call(emu, "GET", "/v3/sources?limit=0").json["source_servers"]) == 200  # 0 means the default
    rest = call(emu, "GET", "/v3/sources?limit=200&offset=200")
    assert [item["id"] for item in first.json["source_servers"] + rest.json["source_servers"]] == [s["id"] for s in created]
    assert [item["id"] for item in call(emu, "GET", "/v3/sources?limit=3&offset=5").json["source_servers"]] == [
        "src-005", "src-006", "src-007"]
    assert call(emu, "GET", "/v3/sources?offset=65535").json == {"count": 250, "source_servers": []}
    for query in ("limit=201", "limit=-1", "limit=ten", "offset=-5", "offset=65536"):
        refused = call(emu, "GET", "/v3/sources?" + query)
        assert refused.status == 400 and refused.json["error_param"] == [query.split("=", maxsplit=1)[0]]


def test_delete_source_leaves_its_task(emu):
    task = emu.add_task(name="web-01-migration", source_id="src-1")
    answer = call(emu, "DELETE", "/v3/sources/src-1")
    assert answer.status == 200 and answer.json == "succeeded"
    assert "src-1" not in emu.sources
    assert call(emu, "GET", "/v3/sources/src-1").status == 404
    again = call(emu, "DELETE", "/v3/sources/src-1")
    assert again.status == 404 and again.json["error_code"] == "SMS.1802"
    shown = call(emu, "GET", f"/v3/tasks/{task['id']}")
    assert shown.status == 200 and shown.json["source_server"]["id"] == "src-1"  # the task still names it
    assert call(emu, "GET", "/v3/sources").json == {"count": 0, "source_servers": []}


@pytest.mark.parametrize("source_state", ["initialize", "stopping", "cloning", "replicate", "syncing", "cutovering",
                                          "skipping", "clearing", "premiging", "deleting"])
def test_delete_source_refused_while_its_task_is_busy(emu, source_state):
    task = emu.add_task(name="busy", state="RUNNING", source_state=source_state, connected=True, source_id="src-1")
    answer = call(emu, "DELETE", "/v3/sources/src-1")
    assert answer.status == 400
    assert answer.json["error_code"] == "SMS.2015" and answer.json["error_param"] == ["src-1"]
    assert "src-1" in emu.sources and task["id"] in emu.tasks


@pytest.mark.parametrize("connected,source_state,state,deletable", [
    (False, "replicate", "RUNNING", True),
    (True, "stopped", "ABORT", True),
    (True, "finished", "MIGRATE_SUCCESS", True),
    (True, None, "RUNNING", False),
    (True, None, "MIGRATE_SUCCESS", True),
])
def test_delete_source_follows_the_task_rule(emu, connected, source_state, state, deletable):
    emu.add_task(name="t", state=state, source_state=source_state, connected=connected, source_id="src-1")
    assert call(emu, "DELETE", "/v3/sources/src-1").status == (200 if deletable else 400)


def test_stopping_the_task_shows_on_the_source_and_frees_it(emu):
    task = emu.add_task(name="db", state="RUNNING", source_state="replicate", connected=True, stop_polls=1, source_id="src-1")
    assert call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "stop"}).status == 200
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 400  # still stopping
    looks = [call(emu, "GET", "/v3/sources/src-1").json for _attempt in range(2)]  # a source read is a look too
    assert [look["state"] for look in looks] == ["stopping", "stopped"]
    assert looks[-1]["current_task"]["state"] == "ABORT"
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 200
    assert call(emu, "GET", f"/v3/tasks/{task['id']}").json["source_server"]["state"] == "stopped"


def test_current_task_once_the_task_is_gone(emu):
    task = emu.add_task(name="going", state="RUNNING", source_state="replicate", connected=True, deleting_polls=1,
                        stop_polls=0, source_id="src-1")
    emu.add_task(name="other", source_id="src-2")
    emu.add_source("src-2", name="other-01", task_gone="null")
    assert call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "stop"}).status == 200
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 200
    during = call(emu, "GET", "/v3/sources/src-1").json  # the task's deletion shows on its source
    assert during["state"] == "deleting" and during["current_task"]["state"] == "DELETING"
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 400  # connected and deleting: busy
    after = call(emu, "GET", "/v3/sources/src-1").json
    assert task["id"] not in emu.tasks
    assert "current_task" not in after
    assert (after["state"], after["connected"]) == ("stopped", True)  # what the task last said before its deletion
    other = next(t for t in emu.tasks.values() if t["name"] == "other")
    assert call(emu, "DELETE", f"/v3/tasks/{other['id']}").status == 200
    assert call(emu, "GET", "/v3/sources/src-2").json["current_task"] is None  # the other picture, on request
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 200


def test_source_deleting_polls(emu):
    emu.add_source("src-1", name="slow", deleting_polls=2)
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 200
    assert call(emu, "GET", "/v3/sources/src-1").json["state"] == "deleting"
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 200  # already going: accepted again
    assert call(emu, "GET", "/v3/sources").json["source_servers"][0]["state"] == "deleting"  # list reads count too
    assert call(emu, "GET", "/v3/sources/src-1").status == 404
    assert "src-1" not in emu.sources


def test_batch_delete_sources(emu):
    done = [emu.add_source(f"done-{n}", name=f"done-{n}") for n in range(3)]
    emu.add_task(name="busy", state="RUNNING", source_state="replicate", connected=True, source_id="busy-1")
    ids = [source["id"] for source in done]
    refused = call(emu, "POST", "/v3/sources/delete", body={"ids": ids + ["busy-1", "unknown-id"]})
    assert refused.status == 400
    assert refused.json["error_code"] == "SMS.2015" and refused.json["error_param"] == ["busy-1"]
    assert len(emu.sources) == 4  # nothing deleted
    answer = call(emu, "POST", "/v3/sources/delete", body={"ids": ids + ["unknown-id", ids[0]]})
    assert answer.status == 200 and answer.json == "succeeded"
    assert list(emu.sources) == ["busy-1"]
    for body in ({"ids": []}, {"ids": [f"id-{n}" for n in range(51)]}, {"ids": "abc"}, {"ids": [1]}, {}, [1], b"not json"):
        bad = call(emu, "POST", "/v3/sources/delete", body=body)
        assert bad.status == 400 and bad.json["error_code"] == "SMS.0205" and bad.json["error_param"] == ["ids"]
    assert call(emu, "POST", "/v3/sources/delete", body={"ids": [f"id-{n}" for n in range(50)]}).status == 200
    assert signed_call(emu, "POST", "/v3/sources/delete", body={"ids": ["busy-1"]}).status == 400


def test_source_routes_journal_faults_and_auth(emu):
    emu.add_source("src-1", name="web-01")
    emu.inject(method="GET", path="^/v3/sources/[^/]+$", status=500, body={"error_code": "SMS.2007", "error_msg": "backend"})
    emu.inject_throttle(method="POST", path="/v3/sources/delete")
    emu.inject_forbidden(path="^/v3/sources/")
    assert call(emu, "GET", "/v3/sources").status == 200  # the regex wants an id
    assert call(emu, "GET", "/v3/sources/src-1").status == 500
    assert call(emu, "POST", "/v3/sources/delete", body={"ids": ["src-1"]}).status == 429
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 403 and "src-1" in emu.sources
    emu.inject(method="DELETE", path="/v3/sources/src-1", status=503, body={"error_code": "X", "error_msg": "later"}, processed=True)
    assert call(emu, "DELETE", "/v3/sources/src-1").status == 503 and "src-1" not in emu.sources  # done, answer lost
    assert call(emu, "GET", "/v3/sources", token="wrong").status == 401
    assert signed_call(emu, "GET", "/v3/sources", query={"connected": "false"}, project_id=None).status == 401
    assert call(emu, "PUT", "/v3/sources/abc").status == 404
    assert emu.sent("method", "source_id", "status", "fault") == [
        ("GET", None, 200, None), ("GET", "src-1", 500, "status"), ("POST", None, 429, "throttle"),
        ("DELETE", "src-1", 403, "forbidden"), ("DELETE", "src-1", 503, "status-after-processing"),
        ("GET", None, 401, None), ("GET", None, 401, None), ("PUT", "abc", 404, None)]
    assert emu.requests(path_prefix="/v3/sources/delete")[0]["body"] == {"ids": ["src-1"]}
    assert [entry["task_id"] for entry in emu.journal] == [None] * 8
    assert {"count", "source_servers[].connected", "source_servers[].current_task"} & set(emu.journal[0]["reply_keys"]) == {
        "count", "source_servers[].connected"}


def test_reset_forgets_the_sources(emu):
    emu.seed_demo()
    assert len(emu.sources) == 3
    emu.reset()
    assert emu.sources == {} and call(emu, "GET", "/v3/sources").json == {"count": 0, "source_servers": []}


# ---------------------------------------------------------------------------
# settings: ignored filters, scoped tasks, partial batches, denied actions
# ---------------------------------------------------------------------------

def test_ignored_filters_list_everything_but_keep_paging(emu):
    first = emu.add_task(name="web-01-migration", source_id="src-1")
    second = emu.add_task(name="db-01-migration", source_id="src-2", state="MIGRATE_FAIL")
    emu.ignored_filters = {"source_server_id", "limit", "offset"}
    listed = call(emu, "GET", "/v3/tasks?source_server_id=src-1").json
    assert [item["id"] for item in listed["tasks"]] == [first["id"], second["id"]] and listed["count"] == 2
    assert call(emu, "GET", "/v3/tasks?source_server_id=src-1&name=db").json["tasks"][0]["id"] == second["id"]
    paged = call(emu, "GET", "/v3/tasks?source_server_id=src-1&limit=1&offset=1").json  # paging is no filter
    assert paged == {"count": 2, "tasks": [paged["tasks"][0]]} and paged["tasks"][0]["id"] == second["id"]
    assert emu.journal[0]["query"] == {"source_server_id": "src-1"}  # the journal keeps what was sent
    emu.ignored_filters = {"name", "state"}
    assert len(call(emu, "GET", "/v3/tasks?name=nobody").json["tasks"]) == 2
    assert call(emu, "GET", "/v3/tasks?state=NOT_A_STATE").status == 200  # an ignored filter is not checked either
    assert [item["id"] for item in call(emu, "GET", "/v3/tasks?source_server_id=src-2").json["tasks"]] == [second["id"]]
    # the source list too
    assert _source_names(emu, "?name=nobody") == ["web-01", "db-01"]
    assert _source_names(emu, "?id=src-2") == ["db-01"]
    emu.ignored_filters = {"id"}
    paged = call(emu, "GET", "/v3/sources?id=src-2&limit=1").json
    assert paged["count"] == 2 and [item["name"] for item in paged["source_servers"]] == ["web-01"]
    emu.ignored_filters = set()
    assert call(emu, "GET", "/v3/tasks?name=nobody").json == {"count": 0, "tasks": []}


def test_scoped_task_is_out_of_reach_of_lists_and_batches_only(emu):
    scoped = emu.add_task(name="scoped", scoped=True)
    others = [emu.add_task(name=f"other-{number}") for number in range(2)]
    assert [item["id"] for item in call(emu, "GET", "/v3/tasks").json["tasks"]] == [task["id"] for task in others]
    assert call(emu, "GET", "/v3/tasks?name=scoped").json == {"count": 0, "tasks": []}
    assert call(emu, "GET", f"/v3/tasks/{scoped['id']}").json["id"] == scoped["id"]
    answer = call(emu, "POST", "/v3/tasks/delete", body={"ids": [scoped["id"]] + [task["id"] for task in others]})
    assert answer.status == 200 and answer.json == "succeeded"
    assert list(emu.tasks) == [scoped["id"]]  # left alone without a word; the others are gone
    assert call(emu, "GET", f"/v3/tasks/{scoped['id']}").status == 200
    assert call(emu, "DELETE", f"/v3/tasks/{scoped['id']}").status == 200
    assert emu.tasks == {}
    added = call(emu, "POST", "/_emulator/tasks", body={"task_id": "scoped-2", "scoped": True}, token=None)
    assert added.status == 200 and call(emu, "GET", "/v3/tasks").json["count"] == 0


def test_partial_batches_delete_what_they_may_then_refuse(emu):
    idle = [emu.add_task(name=f"idle-{number}")["id"] for number in range(3)]
    busy = emu.add_task(name="busy", state="RUNNING", source_state="replicate", connected=True)["id"]
    going = emu.add_task(name="going", state="DELETING", deleting_polls=3)["id"]
    emu.partial_batches = True
    answer = call(emu, "POST", "/v3/tasks/delete", body={"ids": [idle[0], busy, idle[1], going, idle[2], "unknown"]})
    assert answer.status == 400
    assert answer.json["error_code"] == "SMS.2015" and answer.json["error_param"] == [busy]
    assert list(emu.tasks) == [busy, going]
    assert call(emu, "POST", "/v3/tasks/delete", body={"ids": [busy]}).status == 400
    # sources the same way
    done = [emu.add_source(f"done-{number}", name=f"done-{number}")["id"] for number in range(2)]
    emu.add_task(name="busy-src", state="RUNNING", source_state="replicate", connected=True, source_id="busy-1")
    refused = call(emu, "POST", "/v3/sources/delete", body={"ids": [done[0], "busy-1", done[1]]})
    assert refused.status == 400 and refused.json["error_param"] == ["busy-1"]
    assert "busy-1" in emu.sources and not set(done) & set(emu.sources)
    # the default: the whole batch is refused, nothing is touched
    emu.partial_batches = False
    kept = emu.add_task(name="kept")["id"]
    emu.add_source("kept-src", name="kept-src")
    assert call(emu, "POST", "/v3/tasks/delete", body={"ids": [kept, busy]}).status == 400 and kept in emu.tasks
    assert call(emu, "POST", "/v3/sources/delete", body={"ids": ["kept-src", "busy-1"]}).status == 400
    assert "kept-src" in emu.sources


@pytest.mark.parametrize("method,path,body,action", [
    ("GET", "/v3/tasks", None, "sms:server:list"),
    ("GET", "/v3/tasks/t-1", None, "sms:server:get"),
    ("DELETE", "/v3/tasks/t-1", None, "sms:server:deleteTask"),
    ("POST", "/v3/tasks/delete", {"ids": ["t-1"]}, "sms:server:batchDeleteTask"),
    ("POST", "/v3/tasks/t-1/action", {"operation": "stop"}, "sms:server:manageTask"),
    ("GET", "/v3/sources", None, "sms:server:list"),
    ("GET", "/v3/sources/src-1", None, "sms:server:get"),
    ("DELETE", "/v3/sources/src-1", None, "sms:server:delete"),
    ("POST", "/v3/sources/delete", {"ids": ["src-1"]}, "sms:server:delete"),
])
def test_denied_actions_answer_403_by_route(emu, method, path, body, action):
    task = emu.add_task(task_id="t-1", name="t", source_id="src-1")
    emu.denied_actions = {action}
    answer = call(emu, method, path, body=body)
    assert answer.status == 403
    detail = f"You do not have permission to perform action {action} on resource *."
    assert set(answer.json) == {"error_code", "error_msg", "encoded_authorization_message", "error_param", "details"}
    assert answer.json["error_code"] == "SMS.9004" and answer.json["error_msg"].endswith(detail)
    assert answer.json["error_param"] == [detail] and answer.json["details"][0]["error_msg"] == detail
    assert emu.tasks == {"t-1": task} and "src-1" in emu.sources and task["source_server"]["state"] == "finished"
    assert call(emu, method, path, body=body, token="wrong").status == 401  # authentication comes first
    emu.denied_actions = {"sms:template:delete"}
    assert call(emu, method, path, body=body).status == 200


def test_denied_actions_leave_the_other_routes_and_iam_alone(emu):
    task = emu.add_task(name="t")
    emu.denied_actions = {"sms:server:batchDeleteTask"}
    assert call(emu, "POST", "/v3/tasks/delete", body={"ids": [task["id"]]}).status == 403 and task["id"] in emu.tasks
    assert call(emu, "GET", "/v3/projects?name=cn-north-4").status == 200
    assert call(emu, "DELETE", f"/v3/tasks/{task['id']}").status == 200 and emu.tasks == {}
    assert [entry["status"] for entry in emu.journal] == [403, 200, 200]


def test_settings_through_the_control_route(emu):
    assert call(emu, "GET", "/_emulator/settings", token=None).json == {
        "ignored_filters": [], "partial_batches": False, "denied_actions": []}
    changed = call(emu, "POST", "/_emulator/settings", token=None,
                   body={"ignored_filters": ["name", "source_server_id"], "denied_actions": ["sms:server:list"]})
    assert changed.status == 200 and changed.json == {"ignored_filters": ["name", "source_server_id"],
                                                      "partial_batches": False, "denied_actions": ["sms:server:list"]}
    assert emu.ignored_filters == {"name", "source_server_id"} and emu.denied_actions == {"sms:server:list"}
    assert call(emu, "POST", "/_emulator/settings", body={"partial_batches": True}, token=None).json["partial_batches"]
    assert emu.partial_batches is True and emu.denied_actions == {"sms:server:list"}  # the others are kept
    assert call(emu, "GET", "/v3/tasks").status == 403
    for wrong in ({"bogus": 1}, {"partial_batches": "yes"}, {"ignored_filters": "name"}, {"denied_actions": [1]}, [1],
                  b"not json"):
        assert call(emu, "POST", "/_emulator/settings", body=wrong, token=None).status == 400
    assert emu.settings() == {"ignored_filters": ["name", "source_server_id"], "partial_batches": True,
                              "denied_actions": ["sms:server:list"]}
    assert call(emu, "POST", "/_emulator/reset", token=None).status == 200
    assert emu.settings() == {"ignored_filters": [], "partial_batches": False, "denied_actions": []}
    assert emu.journal == []


def test_a_source_with_several_tasks(emu):
    first = emu.add_task(name="first-try", source_id="src-1")
    second = emu.add_task(name="second-try", source_id="src-1")
    other = emu.add_task(name="elsewhere", source_id="src-2")
    shown = [call(emu, "GET", f"/v3/tasks/{task['id']}").json for task in (first, second)]
    assert [task["source_server"]["id"] for task in shown] == ["src-1", "src-1"]
    listed = call(emu, "GET", "/v3/tasks?source_server_id=src-1").json
    assert listed["count"] == 2 and [item["id"] for item in listed["tasks"]] == [first["id"], second["id"]]
    assert call(emu, "GET", "/v3/sources/src-1").json["current_task"]["id"] == second["id"]  # the one added last
    assert call(emu, "GET", "/v3/sources/src-2").json["current_task"]["id"] == other["id"]


def test_a_success_status_with_an_error_body_deletes_nothing(emu):
    task = emu.add_task(name="t")
    body = {"error_code": "SMS.2015", "error_msg": "The task is in progress."}
    emu.inject(method="DELETE", status=200, body=body)
    answer = call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    assert (answer.status, answer.json) == (200, body)
    assert task["id"] in emu.tasks and emu.journal[-1]["fault"] == "status"
    emu.inject(method="POST", path="/v3/tasks/delete", status=200, body=body)
    assert call(emu, "POST", "/v3/tasks/delete", body={"ids": [task["id"]]}).json == body and task["id"] in emu.tasks


# ---------------------------------------------------------------------------
# journal
# ---------------------------------------------------------------------------

def test_journal_fields(emu):
    task = emu.add_task(name="j")
    call(emu, "GET", "/v3/tasks?name=a%20b&name=c&limit=5")
    call(emu, "POST", f"/v3/tasks/{task['id']}/action", body={"operation": "test"})
    signed_call(emu, "DELETE", f"/v3/tasks/{task['id']}")
    call(emu, "POST", "/v3/tasks/delete", body=b"raw text", token=None)
    listing, action, delete, raw = emu.journal
    assert [entry["seq"] for entry in emu.journal] == [1, 2, 3, 4]
    assert listing["time"] <= action["time"] <= delete["time"] <= time.monotonic()
    assert listing["query"] == {"name": "c", "limit": "5"} and listing["raw_query"] == "name=a%20b&name=c&limit=5"
    assert listing["task_id"] is None and listing["body"] is None and listing["auth"] == "token"
    assert listing["headers"]["x-auth-token"] == TOKEN and listing["fault"] is None
    assert action["body"] == {"operation": "test"} and action["task_id"] == task["id"] and action["method"] == "POST"
    assert delete["auth"] == "aksk" and delete["status"] == 200 and "authorization" in delete["headers"]
    assert raw["body"] == "raw text" and raw["auth"] == "none" and raw["status"] == 401
    assert len(listing["request_id"]) == 32 and listing["request_id"] != action["request_id"]
    assert emu.requests("post") == [action, raw]
    assert emu.requests(path_prefix="/v3/tasks/delete") == [raw]
    emu.clear_journal()
    assert not emu.journal


# ---------------------------------------------------------------------------
# TLS and the standalone process
# ---------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with Emulator(tls_certfile=str(cert), tls_keyfile=str(key)) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        assert call(emu, "GET", "/v3/tasks", context=context).status == 200
        with pytest.raises(ssl.SSLError):
            call(emu, "GET", "/v3/tasks", context=ssl.create_default_context())
        assert call(emu, "GET", "/v3/tasks", context=context).status == 200


class _Remote:
    """Just enough of an Emulator (url, port) for call() against another process."""

    def __init__(self, port):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


def test_standalone_process_and_control_api(tmp_path):
    port_file = tmp_path / "port"
    with subprocess.Popen([sys.executable, SCRIPT, "--port", "0", "--port-file", str(port_file), "--seed-demo"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(tmp_path)) as process:
        try:
            deadline = time.monotonic() + 15
            while not port_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            remote = _Remote(int(port_file.read_text(encoding="utf-8")))
            assert process.stdout.readline().strip() == f"SMS emulator listening on {remote.url}"

            tasks = call(remote, "GET", "/_emulator/tasks", token=None).json
            assert {task["name"]: task["id"] for task in tasks}["web-01-migration"] == "7a9a9540-ff28-4869-b9e4-855fbe12a0c1"
            by_name = {task["name"]: task for task in tasks}
            assert by_name["db-01-migration"]["connected"] and by_name["db-01-migration"]["source_server"]["state"] == "replicate"
            assert by_name["app-01-migration"]["state"] == "DELETING"
            sources = {source["name"]: source for source in call(remote, "GET", "/_emulator/sources", token=None).json}
            assert sources["web-01"]["current_task"]["id"] == "7a9a9540-ff28-4869-b9e4-855fbe12a0c1"
            assert (sources["db-01"]["state"], sources["db-01"]["connected"]) == ("replicate", True)
            added = call(remote, "POST", "/_emulator/sources", body={"source_id": "src-extra", "name": "extra-01"}, token=None)
            assert added.status == 200 and added.json["id"] == "src-extra"
            assert call(remote, "POST", "/_emulator/sources", body={"task_id": "nothing"}, token=None).status == 400
            assert call(remote, "DELETE", "/v3/tasks/0b6e2f57-3c4d-4e8a-9f10-2a3b4c5d6e7f").status == 400
            assert call(remote, "DELETE", "/v3/tasks/7a9a9540-ff28-4869-b9e4-855fbe12a0c1").status == 200

            added = call(remote, "POST", "/_emulator/tasks", body={"name": "extra", "task_id": "extra-1"}, token=None)
            assert added.status == 200 and added.json["id"] == "extra-1"
            queued = call(remote, "POST", "/_emulator/faults", body={"path": "^/v3/tasks/extra", "status": 503, "body": {"e": 1}}, token=None)
            assert queued.status == 200
            assert call(remote, "POST", "/_emulator/faults", body={"preset": "throttle", "method": "DELETE"}, token=None).status == 200
            assert call(remote, "GET", "/v3/tasks/extra-1").status == 503
            assert call(remote, "DELETE", "/v3/tasks/extra-1").status == 429
            assert call(remote, "POST", "/_emulator/faults", body={"bogus": 1}, token=None).status == 400

            journal = call(remote, "GET", "/_emulator/journal", token=None).json
            assert [(entry["method"], entry["status"], entry["fault"]) for entry in journal] == [
                ("DELETE", 400, None), ("DELETE", 200, None), ("GET", 503, "status"), ("DELETE", 429, "throttle")]
            assert call(remote, "DELETE", "/_emulator/journal", token=None).status == 200
            assert call(remote, "GET", "/_emulator/journal", token=None).json == []
            assert call(remote, "POST", "/_emulator/reset", token=None).status == 200
            assert call(remote, "GET", "/_emulator/tasks", token=None).json == []
            assert call(remote, "GET", "/_emulator/sources", token=None).json == []
            assert call(remote, "GET", "/v3/tasks").json == {"count": 0, "tasks": []}
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_latency_before_every_api_answer_but_not_the_control_routes():
    with Emulator(latency=1.0) as emu:
        emu.add_task(task_id="t-1")
        started = time.monotonic()
        assert call(emu, "GET", "/v3/tasks/t-1").status == 200
        assert call(emu, "GET", "/v3/tasks/missing").status == 404
        assert time.monotonic() - started >= 2.0
        started = time.monotonic()
        assert call(emu, "GET", "/_emulator/tasks", token=None).status == 200
        assert time.monotonic() - started < 1.0
        assert [entry["path"] for entry in emu.journal] == ["/v3/tasks/t-1", "/v3/tasks/missing"]
