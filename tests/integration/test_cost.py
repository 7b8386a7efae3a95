# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cost of task_ids follows the job, not the account: request counts from the journal (no timings here;
``make bench`` measures time).

The target, for N ids among M tasks, all deletable and removed by the service at once, with wait:
at most 2 * min(N, ceil(M / 200)) + ceil(N / 50) + 2 requests.
"""

from __future__ import annotations

import math

from tests.integration.harness import sms_task, token_defaults


def target(n, m):
    return 2 * min(n, math.ceil(m / 200)) + math.ceil(n / 50) + 2


def kinds(emu):
    tally = {}
    for method, path in emu.sent("method", "path"):
        key = "%s %s" % (method, {"/v3/tasks": "list page", "/v3/tasks/delete": "batch"}.get(path, "one task"))
        tally[key] = tally.get(key, 0) + 1
    return tally


def test_ten_tasks_among_ten_thousand(emulator, playbook):
    for number in range(9990):
        emulator.add_task(name="keep-%05d" % number)
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(10)]  # beyond the first page
    run = playbook([sms_task(task_ids=ids, state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result().get("msg")
    assert [entry["result"] for entry in run.result()["tasks"]] == ["deleted"] * 10
    # one page tells the account's size; then each id is cheaper read on its own, deleted in one batch, and
    # confirmed gone by SMS's own 404 for each
    assert kinds(emulator) == {"GET list page": 1, "GET one task": 20, "POST batch": 1}
    assert len(emulator.journal) <= target(10, 10000) == 23
    assert len(emulator.tasks) == 9990


def test_two_thousand_tasks_among_twenty_five_hundred(emulator, playbook):
    ids = [emulator.add_task(name="wave-%04d" % number)["id"] for number in range(2000)]
    for number in range(500):
        emulator.add_task(name="keep-%03d" % number)
    run = playbook([sms_task(task_ids=ids, state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "changed", run.result().get("msg")
    assert run.result()["msg"] == "2000 SMS tasks: 2000 deleted"
    # 10 pages to find them (the last id is on the 10th), 40 batches, and the 3 pages left afterwards to confirm
    assert kinds(emulator) == {"GET list page": 13, "POST batch": 40}
    assert len(emulator.journal) <= target(2000, 2500)
    assert len(emulator.tasks) == 500
