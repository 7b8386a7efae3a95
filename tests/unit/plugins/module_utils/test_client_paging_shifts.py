# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pages are read by record offset (sms-api.md: ListTasks takes ``limit`` and ``offset``), so a record created and
another deleted between two pages shift the rest without changing the count: a record comes twice. The listing
then starts over and returns the list as it is, each record once (docs/connection.md: listings are read again when they
change under the reader)."""

from __future__ import annotations

import json

from ansible_collections.hwcloud.sms.plugins.module_utils import auth
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


def test_a_record_that_comes_twice_with_the_same_count_restarts_the_listing(emulator):
    ids = [emulator.add_task(name="task-%03d" % number)["id"] for number in range(250)]
    first = {"count": 250, "tasks": [{"id": task_id} for task_id in ids[:200]]}
    # one task created before the first page, one deleted after it: the count stays, the last one comes again
    second = {"count": 250, "tasks": [{"id": task_id} for task_id in ids[199:249]]}
    emulator.inject(method="GET", path="/v3/tasks", raw=json.dumps(first).encode("utf-8"))
    emulator.inject(method="GET", path="/v3/tasks", raw=json.dumps(second).encode("utf-8"))
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0,
                           sleep=lambda seconds: None)
    assert [task["id"] for task in client.list_tasks()] == ids
    assert [entry["query"]["offset"] for entry in emulator.journal] == ["0", "200", "0", "200"]


def test_record_pages_tell_a_caller_that_stops_early_when_the_list_shifted(emulator):
    """record_pages: ``steady`` turns false for good once an id came twice."""
    ids = [emulator.add_task(name="task-%03d" % number)["id"] for number in range(450)]
    second = {"count": 450, "tasks": [{"id": task_id} for task_id in ids[150:350]]}
    emulator.inject(method="GET", path="/v3/tasks", after=1, raw=json.dumps(second).encode("utf-8"))
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    pages = [(len(items), count, steady) for items, count, steady in client.record_pages(sms.TASKS)]
    assert pages == [(200, 450, True), (200, 450, False), (50, 450, False)]


def test_no_page_is_asked_for_past_the_count(emulator):
    """record_pages reads while the offset is below the count: a page holding more records than the count said
    (a task created while the page was built) ends the list, and no page past the count is asked for."""
    page = {"count": 250, "tasks": [{"id": "t-%03d" % number} for number in range(200, 260)]}
    emulator.inject(method="GET", path="/v3/tasks", after=1, raw=json.dumps(page).encode("utf-8"))
    first = [emulator.add_task(name="task-%03d" % number)["id"] for number in range(200)]
    for number in range(50):
        emulator.add_task(name="later-%03d" % number)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    assert [task["id"] for task in client.list_tasks()] == first + ["t-%03d" % number for number in range(200, 260)]
    assert [entry["query"]["offset"] for entry in emulator.journal] == ["0", "200"]
