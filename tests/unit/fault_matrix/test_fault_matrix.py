# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fault in every phase of a run, for single and bulk deletion, in normal and check mode.

The module runs in-process (its real ``main()``, argument parsing included) against the emulator, so that the
whole matrix takes well under a minute; the same behaviours are shown with real ``ansible-playbook`` runs in
``tests/integration``. No pause is slept: backoff, Retry-After and polling pauses go to a fake clock (conftest.py),
which notes each one, and the waits are asserted on those notes at their documented full lengths; a
``wait_timeout`` passes on the fake clock too. Only the network's own time is real (a read timeout waits the 1 s
``timeout`` for the answer).

Every fault is injected FAULT_TIMES times, more often than ``max_retries`` allows retries, so that the limit
itself is tested: a retry beyond it would meet no fault and change the outcome. What each cell must give is
written by hand in EXPECTED (outcome, cause, how many requests met the fault, and for bulk runs every task's
result), from the documented behaviour, not computed from the code's rules. The outcome of every cell is printed
as a table at the end of the session (see conftest.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_task
from tests.conftest import AK, DOMAIN, PASSWORD, SK, TOKEN, USER
from tests.emulator.sms_emulator import Emulator
from tests.module_args import patch_module_args
from tests.unit.conftest import CELL

MAX_RETRIES = 2
WAIT_TIMEOUT = 2  # seconds of the fake clock

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
    "none": None,  # the control: every phase ends well, with a change (in check mode: a predicted one)
    "429 Retry-After": dict(status=429, headers={"Retry-After": "2"},
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
    "403 SMS.9004": "forbidden",
    "404 (gone)": dict(status=404, body={"error_code": "SMS.1801", "error_msg": "The task does not exist."}),
    "400 SMS.2015 (busy)": dict(status=400, body={"error_code": "SMS.2015", "error_msg": "The task is in progress."}),
}
FAULT_TIMES = MAX_RETRIES + 2  # each fault repeats more often than the retries allowed
# The documented retries (option max_retries): reads, deletions and the IAM token request are retried after 429,
# 502, 503, 504 and network failures; the stop action and batch deletions only after 429. These faults are the
# ones after which a pause is measured.
PAUSED_FAULTS = ("429 Retry-After", "429", "502 HTML", "503", "504", "reset", "read timeout")
# The documented pauses (docs/connection.md): Retry-After honoured, at most 120 s; else exponential backoff with
# jitter, before retry N (from 1) between half and all of 2^(N-1) seconds, at most 20: the first retry waits 0.5 to
# 1 s, the second 1 to 2 s.
RETRY_AFTER = {"429 Retry-After": 2.0}
RETRY_AFTER_CAP = 120.0
BACKOFF_CAP = 20.0
# The documented polls (waiting.py): a first look at once, then looks after pauses of 0.5 s, each 1.5 times the
# last, at most 5 s, none beyond the wait's end; a wait of 2 s that never ends well pauses 0.5, 0.75 and 0.75 s.
POLLS_UNTIL_TIMEOUT = [0.5, 0.75, 0.75]


def backoff_bounds(retry):
    """The shortest and longest pause before retry number ``retry`` (from 1) without Retry-After."""
    ceiling = min(2.0 ** (retry - 1), BACKOFF_CAP)
    return ceiling / 2, ceiling


# EXPECTED[phase][fault] = "<outcome> <cause> x<requests that met the fault>" (normal mode), where outcome is
#   ok  (no failure, changed false)   ok+ (no failure, changed true)
#   F   (failed, changed false)       F+  (failed, changed true: something was deleted or stopped first)
# and cause is the HTTP status the message names, "net" (no answer: connection reset), "timeout" (no answer
# within timeout), "wait" (the wait for deletion or for a stop timed out), or "-" when there is no failure.
R = ("none", "429 Retry-After", "429", "500", "502 HTML", "503", "504", "reset", "read timeout", "truncated JSON",
     "empty 200", "401", "403 SMS.9004", "404 (gone)", "400 SMS.2015 (busy)")


def row(*cells):
    assert len(cells) == len(R)
    return dict(zip(R, cells))


EXPECTED = {
    #                        none        429 RA      429         500         502         503         504         reset
    #                        read tmo    truncated   empty 200   401         403         404 (gone)  400
    "IAM token": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                     "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "F 404 x1", "F 400 x1"),
    "project lookup": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                          "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "F 404 x1", "F 400 x1"),
    "GET task": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                    "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "ok - x1", "F 400 x1"),
    # 401 with password: a new token once, and the read again, which meets the fault a second time
    "GET task, password": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                              "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x2", "F 403 x1", "ok - x1", "F 400 x1"),
    "list page": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                     "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "F 404 x1", "F 400 x1"),
    # a 200 that was not carried out "succeeds"; the wait then finds the task still there. A read timeout leaves
    # the deletion's fate unknown (here every attempt was carried out late): the task is read again, and SMS's own
    # 404 says this run deleted it. A 404 to the DELETE is read again too, and the task is still there.
    "DELETE": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                  "ok+ - x3", "F+ wait x1", "F+ wait x1", "F 401 x1", "F 403 x1", "F 404 x1", "F 400 x1"),
    # the 2nd batch meets the fault (and the 3rd batch the rest of it); a refused, denied or lost batch falls back
    # to single deletions; refused credentials end the run
    "batch POST (2nd of 3)": row("ok+ - x0", "ok+ - x4", "ok+ - x4", "ok+ - x2", "ok+ - x2", "ok+ - x2", "ok+ - x2",
                                 "ok+ - x2", "ok+ - x2", "F+ wait x2", "F+ wait x2", "F+ 401 x1", "ok+ - x2",
                                 "ok+ - x2", "ok+ - x2"),
    # single deletions after a refused batch (which may have deleted some ids: its fate is unknown): the fault meets
    # the first task's retries, then the next tasks. A late answer was carried out (read again: gone); a 404 is read
    # again and the task is still there; refused credentials end the run with every task's fate unknown
    "fallback DELETE": row("ok+ - x0", "F+ 429 x4", "F+ 429 x4", "F+ 500 x4", "F+ 502 x4", "F+ 503 x4", "F+ 504 x4",
                           "F+ net x4", "ok+ - x4", "F+ wait x4", "F+ wait x4", "F+ 401 x1", "F+ 403 x4",
                           "F+ 404 x4", "F+ 400 x4"),
    # a stop whose answer was lost or that met a server error may have been carried out: changed
    "stop action": row("ok+ - x0", "F 429 x3", "F 429 x3", "F+ 500 x1", "F+ 502 x1", "F+ 503 x1", "F+ 504 x1",
                       "F+ net x1", "F+ timeout x1", "F+ wait x1", "F+ wait x1", "F 401 x1", "F 403 x1", "F 404 x1",
                       "F 400 x1"),
    "bulk stop action": row("ok+ - x0", "F+ 429 x4", "F+ 429 x4", "F+ 500 x4", "F+ 502 x4", "F+ 503 x4", "F+ 504 x4",
                            "F+ net x4", "F+ timeout x4", "F+ wait x4", "F+ wait x4", "F 401 x1", "F 403 x4",
                            "F 404 x4", "F 400 x4"),
    "wait poll": row("ok+ - x0", "F+ 429 x3", "F+ 429 x3", "F+ 500 x1", "F+ 502 x3", "F+ 503 x3", "F+ 504 x3", "F+ net x3",
                     "F+ timeout x3", "F+ 200 x1", "F+ 200 x1", "F+ 401 x1", "F+ 403 x1", "ok+ - x1", "F+ 400 x1"),
    "bulk wait poll": row("ok+ - x0", "F+ 429 x3", "F+ 429 x3", "F+ 500 x1", "F+ 502 x3", "F+ 503 x3", "F+ 504 x3",
                          "F+ net x3", "F+ timeout x3", "F+ 200 x1", "F+ 200 x1", "F+ 401 x1", "F+ 403 x1",
                          "F+ 404 x1", "F+ 400 x1"),
}


def tasks_expected(phase, fault, size, check):
    """Each task's ``result`` in a bulk cell, written out per phase."""
    if fault == "none":
        if check:
            return ["would_stop_and_delete" if phase == "bulk stop action" else "would_delete"] * size
        return ["stopped_and_deleted" if phase == "bulk stop action" else "deleted"] * size
    if phase == "list page":
        return ["not_attempted"] * size  # the run failed before any task was read, in check mode too
    if phase == "batch POST (2nd of 3)":
        if fault in ("truncated JSON", "empty 200"):
            return ["deleted"] * 50 + ["timed_out"] * 70  # batches 2 and 3 "succeeded" without being carried out
        if fault == "401":
            return ["deleted"] * 50 + ["failed"] * 50 + ["not_attempted"] * 20
        return ["deleted"] * 120
    if phase == "fallback DELETE":
        if fault == "read timeout":
            return ["deleted"] * 5  # every late answer was carried out: each task read again is gone
        if fault in ("429 Retry-After", "429", "502 HTML", "503", "504", "reset"):
            return ["failed"] + ["deleted"] * 4  # the first task's retries ran out; the second's last retry passed
        per_task = {"500": "failed", "truncated JSON": "timed_out", "empty 200": "timed_out", "403 SMS.9004": "failed",
                    "404 (gone)": "failed", "400 SMS.2015 (busy)": "refused"}
        if fault == "401":
            return ["failed"] * 5  # the batch's fate unknown for all of them, and the run stopped
        return [per_task[fault]] * 4 + ["deleted"]
    if phase == "bulk stop action":
        if fault in ("429 Retry-After", "429"):
            return ["failed"] + ["stopped_and_deleted"] * 3
        if fault in ("truncated JSON", "empty 200"):
            return ["timed_out"] * 4
        if fault == "401":
            # the first task's stop met refused credentials (a rejected write, so failed); the run ended there,
            # before the other tasks' turn
            return ["failed"] + ["not_attempted"] * 3
        return ["failed"] * 4
    if phase == "bulk wait poll":
        return ["deleted"] * size  # deleted; only the confirmation failed
    raise AssertionError("no expectation for %s" % phase)


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


# check mode sends nothing beyond the reads, so only the read phases meet a fault in it; without a fault,
# every phase's run is predicted in check mode too
CELLS = [(phase, fault, mode) for mode in ("normal", "check") for phase in PHASES for fault in FAULTS
         if mode == "normal" or phase in READ_PHASES or fault == "none"]


@pytest.mark.parametrize("phase, fault, mode", CELLS)
def test_cell(phase, fault, mode, request, fake_clock):
    kind, auth, method, path, after, busy = PHASES[phase]
    check = mode == "check"
    with Emulator() as emu:
        fake_clock.watch(emu)
        size = 1 if kind == SINGLE else BULK_SIZE.get(phase, 5)
        tasks = [emu.add_task(name="t-%d" % number, source_state="replicate" if busy else "finished", connected=busy)
                 for number in range(size)]
        bystander = emu.add_task(name="bystander")
        ids = [task["id"] for task in tasks]
        spec = FAULTS[fault]
        if phase == "fallback DELETE":  # the batch is refused, so every task is then deleted on its own
            emu.inject(method="POST", path="/v3/tasks/delete", status=400,
                       body={"error_code": "SMS.2015", "error_msg": "The task is in progress."})
        if spec is None:
            pass
        elif spec == "forbidden":
            emu.inject_forbidden(method=method, path="^" + path.lstrip("^"), after=after, times=FAULT_TIMES)
        else:
            emu.inject(method=method, path="^" + path.lstrip("^"), after=after, times=FAULT_TIMES, **spec)
        args = dict(credentials(emu, auth), endpoint=emu.url, state="absent", max_retries=MAX_RETRIES, timeout=1,
                    wait_timeout=WAIT_TIMEOUT, force=busy)
        args.update({"task_id": ids[0]} if kind == SINGLE else {"task_ids": ids})
        result = run_module(args, check)
        journal = list(emu.journal)
        faulted = [entry for entry in journal if entry["fault"]
                   and not (phase == "fallback DELETE" and entry["path"] == "/v3/tasks/delete")]
        request.node.user_properties.append((CELL, (  # the table of tests/unit/conftest.py
            (mode, phase, fault, describe(result, journal, faulted[0] if faulted else None)),
            ((0, list(PHASES).index(phase)), (0, list(FAULTS).index(fault))))))

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
        assert_retries_and_outcome(result, journal, faulted, fault, EXPECTED[phase][fault], fake_clock)
        if kind == BULK:
            assert [entry["result"] for entry in result["tasks"]] == tasks_expected(phase, fault, size, check)
        # 5. no secret in the result, whatever happened (the token IAM issued included)
        text = json.dumps(result)
        for secret in {SK, PASSWORD, TOKEN} | set(emu.tokens):
            assert secret not in text
        # 6. never "deleted" for a task that still exists
        if not check:
            for entry in result.get("tasks", []):
                if entry["result"] in ("deleted", "stopped_and_deleted"):
                    assert entry["id"] not in emu.tasks
            if kind == SINGLE and re.search(r"\) (stopped and )?deleted$", result["msg"]):
                assert ids[0] not in emu.tasks


def assert_retries_and_outcome(result, journal, faulted, fault, expected, clock):
    """What every cell of both matrices asserts about the faulted requests and the outcome (``expected`` as in
    EXPECTED): the fault was met exactly as often as the documented retries allow, every retry waited as documented
    (on the fake ``clock``), and the run ended as written, naming the cause and the request id."""
    outcome, cause, count = expected.split()
    assert len(faulted) == int(count[1:]), [(e["method"], e["path"], e["status"]) for e in journal]
    if fault in PAUSED_FAULTS:
        retry = 0
        for before, again in zip(faulted, faulted[1:]):
            if (before["method"], before["path"], before["body"]) != (again["method"], again["path"], again["body"]):
                retry = 0
                continue
            # the same request again: retry number ``retry``, after exactly one pause, of the documented length (a
            # read timeout's too: the 1 s of the timeout itself is the network's, not a pause)
            retry += 1
            pauses = clock.between(before, again)
            assert len(pauses) == 1, (retry, pauses)
            if fault in RETRY_AFTER:
                assert RETRY_AFTER[fault] <= pauses[0] <= RETRY_AFTER_CAP, (retry, pauses)
            else:
                shortest, longest = backoff_bounds(retry)
                assert shortest <= pauses[0] <= longest, (retry, pauses)
    assert bool(result.get("failed")) is outcome.startswith("F"), result
    assert result["changed"] is outcome.endswith("+"), result
    if cause.isdigit():
        assert "HTTP %s" % cause in result["msg"]
        assert faulted[-1]["request_id"] in result["msg"] or result["msg"].startswith("Could not delete")
    elif cause == "net":
        assert "could not connect" in result["msg"]
    elif cause == "timeout":
        assert "within 1 seconds" in result["msg"]
    elif cause == "wait":
        # the deletion's wait, or the wait for a stopped task to become deletable (a bulk run's message quotes
        # each failed record's), timed out on the fake clock: it polled as documented until wait_timeout passed
        assert re.search(r"still present after 2 seconds, in state |timed out waiting to stop: its stop was accepted, "
                         r"but after 2 seconds it was still not deletable, in ", result["msg"]), result["msg"]
        pauses = [seconds for _received, seconds in clock.pauses]
        assert pauses[-len(POLLS_UNTIL_TIMEOUT):] == POLLS_UNTIL_TIMEOUT, pauses
        assert clock() >= WAIT_TIMEOUT, pauses


def describe(result, journal, faulted):
    """A short text for the table: how the run ended and whether the faulted request was repeated."""
    repeated = faulted is not None and any(entry["seq"] > faulted["seq"] and entry["method"] == faulted["method"]
                                           and entry["path"] == faulted["path"] for entry in journal)
    if result.get("failed"):
        match = re.search(r"HTTP \d+", result["msg"])
        cause = "timeout" if "Timed out" in result["msg"] or "timed out" in result["msg"] else (
            match.group(0) if match else "no answer")
        return "fails: %s" % cause
    return "%s%s" % ("changed" if result.get("changed") else "unchanged", ", repeated" if repeated else "")
