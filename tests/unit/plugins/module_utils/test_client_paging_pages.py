# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a page of a listing must be (sms-api.md, ListTasks: ``count``, an integer, and ``tasks``, objects that each
have an ``id``): an answer that is not such a page fails the listing, quoting the answer, and is never read as an
empty or shorter list. Only an empty list (``count`` 0) may leave its items out."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import auth, errors
from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms
from tests.conftest import TOKEN


@pytest.mark.parametrize("page", [
    {},
    {"count": 1},
    {"count": -1},
    {"count": "0"},  # an empty list may leave its items out, but only with the number 0 as its count
    {"count": None},
    {"count": -1, "tasks": []},  # a count is a total, never negative: not the end of a list
    {"count": True, "tasks": [{"id": "t-1"}]},
    {"count": 1, "tasks": None},
    {"tasks": []},
    {"count": "1", "tasks": [{"id": "t-1"}]},
    {"count": 1.0, "tasks": [{"id": "t-1"}]},
    {"count": 1, "tasks": {"id": "t-1"}},
    {"count": 1, "tasks": ["t-1"]},
    {"count": 1, "tasks": [{"name": "no id"}]},
    {"count": 2, "tasks": [{"id": "t-1"}, {"id": ""}]},
])
def test_an_answer_that_is_not_a_page_of_tasks_fails_the_listing(emulator, page):
    text = json.dumps(page)
    emulator.inject(method="GET", path="/v3/tasks", raw=text.encode("utf-8"), times=10)
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0,
                           sleep=lambda seconds: None)
    with pytest.raises(errors.SmsApiError) as caught:
        client.list_tasks()
    assert caught.value.message() == ("Failed to list SMS tasks: the answer is not a page of tasks: %s (HTTP 200, request "
                                      "id %s)" % (text, emulator.journal[0]["request_id"]))
    assert len(emulator.journal) == 1  # not read again as a list that changed


@pytest.mark.parametrize("page, tasks", [
    ({"count": 0}, []),
    ({"count": 0, "tasks": None}, []),
    ({"count": 0, "tasks": []}, []),
    ({"count": 1, "tasks": [{"id": "t-1", "name": "web-01"}]}, [{"id": "t-1", "name": "web-01"}]),
])
def test_a_page_of_tasks_is_read(emulator, page, tasks):
    emulator.inject(method="GET", path="/v3/tasks", raw=json.dumps(page).encode("utf-8"))
    client = sms.SmsClient(emulator.url, auth.Credentials("token", auth_token=TOKEN), max_retries=0)
    assert client.list_tasks() == tasks
    assert len(emulator.journal) == 1
