# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix of ``sms_source_server``: every fault in each phase of removing source-server records.

Built as test_fault_matrix.py is (the same faults, injected FAULT_TIMES times, more often than ``max_retries``
allows retries; the same fake clock, on which no pause is slept and the waits are asserted at full length; the
module's real ``main()`` against the emulator), with its own phases and its own expectations written by hand, from
the documented behaviour.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server
from tests.conftest import PASSWORD, SK, TOKEN
from tests.emulator.sms_emulator import Emulator
from tests.module_args import patch_module_args
from tests.unit.conftest import CELL
from tests.unit.fault_matrix.test_fault_matrix import (
    FAULT_TIMES,
    FAULTS,
    MAX_RETRIES,
    WAIT_TIMEOUT,
    assert_retries_and_outcome,
    describe,
    row,
)

SINGLE, BULK = "single", "bulk"
# phase: (kind, faulted request: method, path regex)
PHASES = {
    "source read": (SINGLE, "GET", r"^/v3/sources/[^/]+$"),
    "source list page": (BULK, "GET", r"^/v3/sources$"),
    "source DELETE": (SINGLE, "DELETE", r"^/v3/sources/[^/]+$"),
    "source batch POST": (BULK, "POST", r"^/v3/sources/delete$"),
}
READ_PHASES = ("source read", "source list page")
BULK_SIZE = 5  # more than the three ids read one by one: the list page is read

# EXPECTED[phase][fault], written as in test_fault_matrix.py: "<outcome> <cause> x<requests that met the fault>"
EXPECTED = {
    #                       none        429 RA      429         500         502         503         504         reset
    #                       read tmo    truncated   empty 200   401         403         404 (gone)  400
    "source read": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                       "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "ok - x1", "F 400 x1"),
    # a 404 on a list page is not SMS saying a record is absent: it fails
    "source list page": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3",
                            "F net x3", "F timeout x3", "F 200 x1", "F 200 x1", "F 401 x1", "F 403 x1", "F 404 x1",
                            "F 400 x1"),
    # a 200 that was not carried out "succeeds"; the wait then finds the record still there. A 5xx or a lost answer
    # leaves the deletion's fate unknown: the record is read again, and here it is still there (the faults were not
    # carried out), so nothing changed. A read timeout was carried out late: read again, SMS's own 404 says this run
    # deleted it. A 404 to the DELETE is read again too, and the record is still there: failed
    "source DELETE": row("ok+ - x0", "F 429 x3", "F 429 x3", "F 500 x1", "F 502 x3", "F 503 x3", "F 504 x3", "F net x3",
                         "ok+ - x3", "F+ wait x1", "F+ wait x1", "F 401 x1", "F 403 x1", "F 404 x1", "F 400 x1"),
    # a batch is retried only after 429; a batch that fails with anything but 401 (a refusal, a denial - 403 - or a
    # lost answer) falls back to one DELETE per record, and each is deleted. A late answer was carried out: each
    # record's own DELETE meets SMS's 404, its read again too, so the batch deleted it. Refused credentials end the
    # run: the batch was rejected, nothing was deleted
    "source batch POST": row("ok+ - x0", "ok+ - x3", "ok+ - x3", "ok+ - x1", "ok+ - x1", "ok+ - x1", "ok+ - x1",
                             "ok+ - x1", "ok+ - x1", "F+ wait x1", "F+ wait x1", "F 401 x1", "ok+ - x1", "ok+ - x1",
                             "ok+ - x1"),
}


def sources_expected(phase, fault, check):
    """Each record's ``result`` in a bulk cell."""
    if fault == "none":
        return ["would_delete" if check else "deleted"] * BULK_SIZE
    if phase == "source list page":
        return ["not_attempted"] * BULK_SIZE  # the run failed before any record was read, in check mode too
    if fault in ("truncated JSON", "empty 200"):
        return ["timed_out"] * BULK_SIZE  # the batch "succeeded" without being carried out
    if fault == "401":
        return ["failed"] * BULK_SIZE  # their batch met refused credentials (rejected), and the run ended
    return ["deleted"] * BULK_SIZE


def run_module(args, check):
    out = io.StringIO()
    with patch_module_args(dict(args, _ansible_check_mode=check)), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_source_server.main()
    return json.loads(out.getvalue())


CELLS = [(phase, fault, mode) for mode in ("normal", "check") for phase in PHASES for fault in FAULTS
         if mode == "normal" or phase in READ_PHASES or fault == "none"]


@pytest.mark.parametrize("phase, fault, mode", CELLS)
def test_source_cell(phase, fault, mode, request, fake_clock):
    kind, method, path = PHASES[phase]
    check = mode == "check"
    with Emulator() as emu:
        fake_clock.watch(emu)
        size = 1 if kind == SINGLE else BULK_SIZE
        ids = [emu.add_source(name="s-%d" % number)["id"] for number in range(size)]
        bystander = emu.add_source(name="bystander")
        spec = FAULTS[fault]
        if spec == "forbidden":
            emu.inject_forbidden(method=method, path=path, times=FAULT_TIMES)
        elif spec is not None:
            emu.inject(method=method, path=path, times=FAULT_TIMES, **spec)
        args = dict(auth_token=TOKEN, endpoint=emu.url, state="absent", max_retries=MAX_RETRIES, timeout=1,
                    wait_timeout=WAIT_TIMEOUT)
        args.update({"source_server_id": ids[0]} if kind == SINGLE else {"source_server_ids": ids})
        result = run_module(args, check)
        journal = list(emu.journal)
        faulted = [entry for entry in journal if entry["fault"]]
        request.node.user_properties.append((CELL, (  # the table of tests/unit/conftest.py
            (mode, phase, fault, describe(result, journal, faulted[0] if faulted else None)),
            ((1, list(PHASES).index(phase)), (0, list(FAULTS).index(fault))))))

        # 1. nothing but the named records is ever deleted, and no task at all
        for entry in journal:
            if entry["method"] == "DELETE":
                assert entry["path"].startswith("/v3/sources/") and entry["source_id"] in ids
            if entry["method"] == "POST":
                assert entry["path"] == "/v3/sources/delete" and set(entry["body"]["ids"]) <= set(ids)
        assert bystander["id"] in emu.sources
        # 2. check mode sends only reads
        if check:
            assert all(entry["method"] == "GET" for entry in journal)
            assert sorted(emu.sources) == sorted(ids + [bystander["id"]])
        assert_retries_and_outcome(result, journal, faulted, fault, EXPECTED[phase][fault], fake_clock)
        if kind == BULK:
            assert [entry["result"] for entry in result["source_servers"]] == sources_expected(phase, fault, check)
        # 5. no secret in the result
        text = json.dumps(result)
        for secret in {SK, PASSWORD, TOKEN} | set(emu.tokens):
            assert secret not in text
        # 6. never "deleted" for a record that still exists
        if not check:
            for entry in result.get("source_servers", []):
                if entry["result"] == "deleted":
                    assert entry["id"] not in emu.sources
