# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fault in every phase of a run, for single and bulk deletion, in normal and check mode.

The module runs in-process (its real ``main()``, argument parsing included) against the emulator, so that the
whole matrix takes about a minute; the same behaviours are shown with real ``ansible-playbook`` runs in
``tests/integration``. Backoff and polling pauses are shortened for speed; the waits are still asserted. The
outcome of every cell is collected and printed as a table at the end of the test session (see conftest.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms_client
from ansible_collections.hwcloud.sms.plugins.modules import sms_task
from tests.emulator.sms_emulator import Emulator

TOKEN = "static-test-token-0123456789"
AK, SK = "AKTESTEXAMPLE0000001", "SKtestExampleSecretKey0000000000000000001"
USER, PASSWORD, DOMAIN = "sms-operator", "Pa55w0rd-example!", "example-domain"
BACKOFF_BASE = 0.05
MAX_RETRIES = 2

SINGLE, BULK = "single", "bulk"
# phase: (kind, auth, faulted request: method, path regex, matching requests to let pass first, busy tasks)
PHASES = {
    "IAM token": (SINGLE, "password", "POST", r"^/v3/auth/tokens$", 0, False),
    "project lookup": (SINGLE, "aksk", "GET", r"^/v3/projects$", 0, False),
    "GET task": (SINGLE, "token", "GET", r"^/v3/tasks/[^/]+$", 0, False),
    "GET task, password": (SINGLE, "password", "GET", r"^/v3/tasks/[^/]+$", 0, False),
    "list page": (BULK, "token", "GET", r"^/v3/tasks$", 0, False),
    "DELETE": (SINGLE, "token", "DELETE", r"^/v3/tasks/[^/]+$", 0, False),
    "batch POST (2nd of 3)": (BULK, "token", "POST", r"^/v3/tasks/delete$", 1, False),
    "fallback DELETE": (BULK, "token", "DELETE", r"^/v3/tasks/[^/]+$", 0, False),
    "stop action": (SINGLE, "token", "POST", r"^/v3/tasks/[^/]+/action$", 0, True),
    "bulk stop action": (BULK, "token", "POST", r"^/v3/tasks/[^/]+/action$", 0, True),
    "wait poll": (SINGLE, "token", "GET", r"^/v3/tasks/[^/]+$", 1, False),
    "bulk wait poll": (BULK, "token", "GET", r"^/v3/tasks$", 1, False),
}
READ_PHASES = ("IAM token", "project lookup", "GET task", "GET task, password", "list page")
BULK_SIZE = {"batch POST (2nd of 3)": 120, "bulk stop action": 4}

UNAVAILABLE = {"error_code": "APIGW.0201", "error_msg": "Backend unavailable", "request_id": None}
FAULTS = {
    "429 Retry-After": dict(status=429, headers={"Retry-After": "0.3"},
                            body={"error_code": "APIGW.0308", "error_msg": "throttled", "request_id": None}),
    "429": dict(status=429, body={"error_code": "APIGW.0308", "error_msg": "throttled", "request_id": None}),
    "500": dict(status=500, body={"error_code": "SMS.2007", "error_msg": "Backend exception"}),
    "502 HTML": dict(status=502, html=True),
    "503": dict(status=503, body=UNAVAILABLE),
    "504": dict(status=504, body=UNAVAILABLE),
    "reset": dict(reset=True),
    "read timeout": dict(delay=1.3),
    "truncated JSON": dict(truncate=True),
    "empty 200": dict(empty=True),
    "401": dict(status=401, body={"error_code": "APIGW.0301", "error_msg": "token expired", "request_id": None}),
    "401 twice": dict(status=401, times=2,
                      body={"error_code": "APIGW.0301", "error_msg": "token expired", "request_id": None}),
    "403 SMS.9004": "forbidden",
    "404 (gone)": dict(status=404, body={"error_code": "SMS.1801", "error_msg": "The task does not exist."}),
    "400 SMS.2015 (busy)": dict(status=400, body={"error_code": "SMS.2015", "error_msg": "The task is in progress."}),
}
RETRYABLE_ALWAYS = ("429 Retry-After", "429")
RETRYABLE_IDEMPOTENT = ("502 HTML", "503", "504", "reset", "read timeout")


@pytest.fixture(autouse=True)
def quick_pauses(monkeypatch):
    monkeypatch.setattr(sms_client, "BACKOFF_BASE", BACKOFF_BASE)
    monkeypatch.setattr(sms_task, "POLL_FIRST", 0.01)


def run_module(args, check):
    out = io.StringIO()
    with patch_module_args(dict(args, _ansible_check_mode=check)), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    return json.loads(out.getvalue())


def credentials(emu, auth):
    if auth == "password":
        return {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "region": "cn-north-4",
                "auth_url": emu.url + "/v3"}
    if auth == "aksk":
        return {"access_key": AK, "secret_key": SK, "region": "cn-north-4", "auth_url": emu.url + "/v3"}
    return {"auth_token": TOKEN}


# check mode sends nothing beyond the reads, so only the read phases apply to it
CELLS = [(phase, fault, mode) for mode in ("normal", "check") for phase in PHASES for fault in FAULTS
         if mode == "normal" or phase in READ_PHASES]


def expect_success(phase, fault, auth):
    """Whether the run should end well (the fault is injected once; max_retries is 2)."""
    method = PHASES[phase][2]
    idempotent = method in ("GET", "DELETE") or phase == "IAM token"
    if fault in RETRYABLE_ALWAYS or (fault in RETRYABLE_IDEMPOTENT and idempotent):
        return True
    if fault == "401":
        return auth == "password" and phase != "IAM token"  # a new token, once
    if fault == "401 twice":
        return False  # a new token is asked for once only
    if fault in ("truncated JSON", "empty 200"):
        # a read fails on the body; a DELETE or POST "succeeded" without being carried out, which the
        # confirming reads of wait (or of the wait for a stopped task) then catch
        return False
    if phase == "batch POST (2nd of 3)":
        # a refused or lost batch falls back to single deletions; refused credentials or permissions end the run
        return fault not in ("403 SMS.9004", "401", "401 twice")
    if fault == "404 (gone)":
        return phase in ("GET task", "GET task, password", "DELETE", "wait poll", "fallback DELETE")
    return False


@pytest.mark.parametrize("phase, fault, mode", CELLS)
def test_cell(phase, fault, mode, request):
    results = request.config.__dict__.setdefault("fault_matrix_results", {})  # printed by conftest.py
    kind, auth, method, path, after, busy = PHASES[phase]
    check = mode == "check"
    with Emulator() as emu:
        size = 1 if kind == SINGLE else BULK_SIZE.get(phase, 5)
        tasks = [emu.add_task(name="t-%d" % number, source_state="replicate" if busy else "finished", connected=busy)
                 for number in range(size)]
        bystander = emu.add_task(name="bystander")
        ids = [task["id"] for task in tasks]
        spec = FAULTS[fault]
        if phase == "fallback DELETE":  # the batch is refused, so every task is then deleted on its own
            emu.inject(method="POST", path="/v3/tasks/delete", status=400,
                       body={"error_code": "SMS.2015", "error_msg": "The task is in progress."})
        if spec == "forbidden":
            emu.inject_forbidden(method=method, path="^" + path.lstrip("^"), after=after)
        else:
            emu.inject(method=method, path="^" + path.lstrip("^"), after=after, **spec)
        args = dict(credentials(emu, auth), endpoint=emu.url, state="absent", max_retries=MAX_RETRIES, timeout=1,
                    wait_timeout=2, force=busy)
        args.update({"task_id": ids[0]} if kind == SINGLE else {"task_ids": ids})
        result = run_module(args, check)
        journal = list(emu.journal)
        faulted = [entry for entry in journal if entry["fault"]
                   and not (phase == "fallback DELETE" and entry["path"] == "/v3/tasks/delete")]
        failed = bool(result.get("failed"))
        results[(mode, phase, fault)] = describe(result, journal, faulted[0])

        # 1. nothing but the named tasks is ever deleted
        named = set(ids)
        for entry in journal:
            if entry["method"] == "DELETE":
                assert entry["task_id"] in named
            if entry["path"] == "/v3/tasks/delete":
                assert set(entry["body"]["ids"]) <= named
        assert bystander["id"] in emu.tasks
        # 2. check mode sends only reads (and the IAM token request)
        if check:
            assert all(entry["method"] == "GET" or entry["path"] == "/v3/auth/tokens" for entry in journal)
            assert sorted(emu.tasks) == sorted(ids + [bystander["id"]])
        # 3. the fault was met; retries stayed within max_retries and waited
        assert 1 <= len(faulted) <= (spec.get("times", 1) if isinstance(spec, dict) else 1), journal
        same = [entry for entry in journal if entry["method"] == method and entry["path"] == faulted[0]["path"]]
        assert len(same) <= after + 1 + MAX_RETRIES + 1  # + the renewed-token repeat
        position = same.index(faulted[0])
        if position + 1 < len(same) and fault in RETRYABLE_ALWAYS + RETRYABLE_IDEMPOTENT:
            waited = same[position + 1]["time"] - faulted[0]["time"]
            assert waited >= (0.3 if fault == "429 Retry-After" else BACKOFF_BASE / 2)
        # 4. the outcome: success as predicted, failure naming its cause and request id
        assert failed is not expect_success(phase, fault, auth), result
        if failed:
            status = faulted[-1]["status"]
            if status and not result["msg"].startswith(("Could not delete", "Timed out")):
                assert "HTTP %s" % status in result["msg"] or "HTTP 200" in result["msg"], result["msg"]
                assert faulted[-1]["request_id"] in result["msg"]
        # 5. no secret in the result, whatever happened (the token IAM issued included)
        text = json.dumps(result)
        for secret in {SK, PASSWORD, TOKEN} | set(emu.tokens):
            assert secret not in text
        # 6. never success for a task that still exists, whether the run ended well or not
        if not check:
            reported = [entry for entry in result.get("tasks", []) if entry["result"] in ("deleted", "stopped_and_deleted")]
            if kind == SINGLE and not failed and result["changed"] and "deleted" in result["msg"]:
                assert ids[0] not in emu.tasks
            for entry in reported:
                assert entry["id"] not in emu.tasks
            if kind == BULK and failed and "tasks" in result:
                assert {entry["result"] for entry in result["tasks"]} <= {
                    "deleted", "stopped_and_deleted", "absent", "vanished", "refused", "failed", "timed_out", "stopped",
                    "not_attempted", "deleting"}


def describe(result, journal, faulted):
    """A short text for the table: how the run ended and whether the faulted request was repeated."""
    repeated = any(entry["seq"] > faulted["seq"] and entry["method"] == faulted["method"]
                   and entry["path"] == faulted["path"] for entry in journal)
    if result.get("failed"):
        match = re.search(r"HTTP \d+", result["msg"])
        cause = "timeout" if "Timed out" in result["msg"] or "timed out" in result["msg"] else (
            match.group(0) if match else "no answer")
        return "fails: %s" % cause
    return "%s%s" % ("changed" if result.get("changed") else "unchanged", ", repeated" if repeated else "")
